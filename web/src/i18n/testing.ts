import type { Composer } from 'vue-i18n'
import { createAppI18n } from '.'
import citizen from './messages/citizen'
import common from './messages/common'
import consoleMessages from './messages/console'

/** An i18n instance with every shell message, for component tests. */
export function testI18n(locale: 'zh-CN' | 'en' = 'zh-CN', features: Record<string, unknown> = {}) {
  const i18n = createAppI18n([common, citizen, consoleMessages], features)
  i18n.global.locale.value = locale
  // A plain Composer type keeps tests clear of the deep message-schema generics.
  return i18n as unknown as { global: Composer; install: (typeof i18n)['install'] }
}
