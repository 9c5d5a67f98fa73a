/**
 * The evaluator tablet's binding: the setup link carries the device token in the URL fragment
 * (`#token=…`, never sent to the server); the tablet keeps it in localStorage per window.
 */
export const tokenKey = (windowId: string) => `tp.evaluator.${windowId}`

export function takeToken(windowId: string, hash: string, storage: Pick<Storage, 'getItem' | 'setItem'>): { token: string | null; fromLink: boolean } {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]{10,100})(?:&|$)/.exec(hash)
  if (m?.[1]) {
    try {
      storage.setItem(tokenKey(windowId), m[1])
    } catch {}
    return { token: m[1], fromLink: true }
  }
  let stored: string | null = null
  try {
    stored = storage.getItem(tokenKey(windowId))
  } catch {}
  return { token: stored, fromLink: false }
}

export const PHONE_RE = /^1[3-9]\d{9}$/

/** The phone the citizen typed, normalised, or null when empty; 'invalid' when it is not a mobile number. */
export function contactPhone(input: string): string | null | 'invalid' {
  const v = input.replace(/[\s-]/g, '')
  if (!v) return null
  return PHONE_RE.test(v) ? v : 'invalid'
}

/** The first character for the photo placeholder. */
export const initial = (name: string | null | undefined) => (name ? [...name][0] : '')
