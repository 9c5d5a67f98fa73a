/**
 * Message merging for the shells. Each feature folder may hold an `i18n.ts` whose default export is
 * `{ 'zh-CN': {...}, en: {...} }`; its messages are placed under the folder name, so
 * `web/src/citizen/reports/i18n.ts` → `t('reports.…')`. Pure: the shells pass the
 * `import.meta.glob('./*\/i18n.ts', { eager: true })` result in.
 */

export const LOCALES = ['zh-CN', 'en'] as const
export type AppLocale = (typeof LOCALES)[number]

export type MessageTree = { [key: string]: string | MessageTree }
export type LocaleMessages = Record<AppLocale, MessageTree>
export type FeatureMessages = Partial<Record<AppLocale, MessageTree>>

/** `./reports/i18n.ts` or `/src/citizen/reports/i18n.ts` → `reports`. */
export function featureNameOf(path: string): string {
  const segments = path.split('/')
  return segments[segments.length - 2] ?? path
}

function deepMerge(target: MessageTree, source: MessageTree): MessageTree {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key]
    if (typeof value === 'object' && value !== null && typeof existing === 'object' && existing !== null) {
      target[key] = deepMerge({ ...existing }, value)
    } else {
      target[key] = typeof value === 'object' && value !== null ? deepMerge({}, value) : value
    }
  }
  return target
}

/**
 * Merges the shell's messages with every feature's messages (under the feature's folder name).
 * A feature folder named like a shell namespace is merged into it key by key and reported through
 * `onConflict`, so a clash is visible instead of silently replacing the shell's strings.
 * Only `locales` are merged (the others stay empty): a shell merges a language when it is shown.
 */
export function mergeMessages(
  shell: readonly FeatureMessages[],
  features: Record<string, { default: FeatureMessages } | FeatureMessages>,
  onConflict: (feature: string) => void = (f) => console.warn(`i18n: feature "${f}" clashes with a shell namespace`),
  locales: readonly AppLocale[] = LOCALES,
): LocaleMessages {
  const out: LocaleMessages = { 'zh-CN': {}, en: {} }
  for (const messages of shell) {
    for (const locale of locales) deepMerge(out[locale], messages[locale] ?? {})
  }
  const shellKeys = new Set(Object.keys(out['zh-CN']))
  for (const path of Object.keys(features).sort()) {
    const mod = features[path] as { default?: FeatureMessages } & FeatureMessages
    const messages: FeatureMessages = mod.default ?? mod
    const name = featureNameOf(path)
    if (shellKeys.has(name)) onConflict(name)
    for (const locale of locales) {
      const tree = messages[locale]
      if (!tree) continue
      const current = out[locale][name]
      out[locale][name] = deepMerge(typeof current === 'object' ? { ...current } : {}, tree)
    }
  }
  return out
}
