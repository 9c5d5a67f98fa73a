/**
 * A kind's name in the page's language, from the configured kinds (the code when unknown).
 * Apart from kinds.ts so that pages needing only names do not load zod with the schemas.
 */
export function kindName(kinds: readonly { code: string; name: Record<'zh-CN' | 'en', string> }[], code: string, lang: 'zh-CN' | 'en'): string {
  return kinds.find((k) => k.code === code)?.name[lang] ?? code
}
