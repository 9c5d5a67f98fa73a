/**
 * Sign-in form checks for inline messages. The server validates again (the rule itself lives in
 * @tp/shared/phone; this mirror keeps zod out of the citizen bundle — login-rules.test.ts pins
 * it to the shared regex).
 */
export const PHONE_PATTERN = /^1[3-9]\d{9}$/

/** Same normalisation as the server: full-width digits, spaces, dashes and +86 are accepted. */
export function normalisePhone(input: string): string {
  return input
    .replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[\s-]/g, '')
    .replace(/^\+?86/, '')
}

export function phoneProblem(value: string): 'phoneRequired' | 'phoneInvalid' | null {
  const v = normalisePhone(value)
  if (!v) return 'phoneRequired'
  return PHONE_PATTERN.test(v) ? null : 'phoneInvalid'
}

export function codeProblem(value: string): 'codeRequired' | 'codeInvalid' | null {
  const v = value.trim()
  if (!v) return 'codeRequired'
  return /^\d{6}$/.test(v) ? null : 'codeInvalid'
}
