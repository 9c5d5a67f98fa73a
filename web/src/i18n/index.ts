import { createI18n } from 'vue-i18n'
import { messageCompiler } from './compiler'
import { type AppLocale, type FeatureMessages, LOCALES, mergeMessages } from './merge'

export { type AppLocale, LOCALES } from './merge'

const STORAGE_KEY = 'tp.locale'

/** The saved choice, else Chinese (the portal is Chinese first; English is opt-in). */
export function savedLocale(): AppLocale {
  try {
    const v = localStorage.getItem(STORAGE_KEY)
    if (v && (LOCALES as readonly string[]).includes(v)) return v as AppLocale
  } catch {}
  return 'zh-CN'
}

export function createAppI18n(shell: readonly FeatureMessages[], features: Record<string, unknown>) {
  const messages = mergeMessages(shell, features as Record<string, { default: FeatureMessages }>)
  const locale = savedLocale()
  if (typeof document !== 'undefined') document.documentElement.lang = locale
  return createI18n({
    legacy: false,
    globalInjection: true,
    locale,
    fallbackLocale: 'zh-CN',
    messages: messages as never,
    messageCompiler,
    missingWarn: import.meta.env.DEV,
    fallbackWarn: false,
  })
}

export type AppI18n = ReturnType<typeof createAppI18n>

/** Switches and remembers the language; the shells also switch Vant's / Element's own texts. */
export function applyLocale(current: { value: string }, locale: AppLocale): void {
  current.value = locale
  try {
    localStorage.setItem(STORAGE_KEY, locale)
  } catch {}
  if (typeof document !== 'undefined') document.documentElement.lang = locale
}
