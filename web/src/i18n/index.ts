import { watch } from 'vue'
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

const FALLBACK: AppLocale = 'zh-CN'

type FeatureSources = Record<string, { default: FeatureMessages }>

/**
 * Start-up merges only the shown language and the fallback (merging copies every message, which
 * is start-up time on a phone); another language is merged the moment it is chosen, before the
 * page re-renders in it.
 *
 * `features` are the feature folders' messages, or a loader for them: the citizen H5 leaves them out
 * of its first load (the home needs only the shell's) and calls `loadFeatureMessages()` before any
 * page that shows them renders (the router's guard). With the messages themselves it resolves at once.
 */
export function createAppI18n(shell: readonly FeatureMessages[], features: Record<string, unknown> | (() => Promise<Record<string, unknown>>)) {
  let sources = (typeof features === 'function' ? {} : features) as FeatureSources
  const locale = savedLocale()
  const merged = new Set<string>([locale, FALLBACK])
  const messages = mergeMessages(shell, sources, undefined, [...merged] as AppLocale[])
  if (typeof document !== 'undefined') document.documentElement.lang = locale
  const i18n = createI18n({
    legacy: false,
    globalInjection: true,
    locale,
    fallbackLocale: FALLBACK,
    messages: messages as never,
    messageCompiler,
    missingWarn: import.meta.env.DEV,
    fallbackWarn: false,
  })
  watch(
    i18n.global.locale,
    (next) => {
      if (merged.has(next) || !(LOCALES as readonly string[]).includes(next)) return
      merged.add(next)
      const more = mergeMessages(shell, sources, () => {}, [next as AppLocale])
      i18n.global.setLocaleMessage(next, more[next as AppLocale] as never)
    },
    { flush: 'sync' },
  )

  let loading: Promise<void> | null = typeof features === 'function' ? null : Promise.resolve()
  /** Loads and merges the feature messages once; a failed download is tried again by the next call. */
  function loadFeatureMessages(): Promise<void> {
    loading ??= (features as () => Promise<Record<string, unknown>>)().then(
      (loaded) => {
        sources = loaded as FeatureSources
        const all = mergeMessages(shell, sources, undefined, [...merged] as AppLocale[])
        for (const l of merged) i18n.global.setLocaleMessage(l, all[l as AppLocale] as never)
      },
      (err: unknown) => {
        loading = null
        throw err
      },
    )
    return loading
  }
  return Object.assign(i18n, { loadFeatureMessages })
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
