/** Personal data as staff lists and exports show it. Pure, total functions: any input, never throws. */

export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return ''
  if (phone.length < 7) return '*'.repeat(phone.length)
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`
}

export function maskIdCard(id: string | null | undefined): string {
  if (!id) return ''
  if (id.length < 8) return '*'.repeat(id.length)
  return `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`
}

export function maskName(name: string | null | undefined): string {
  if (!name) return ''
  const chars = [...name]
  if (chars.length === 1) return '*'
  return `${chars[0]}${'*'.repeat(chars.length - 1)}`
}

/** Keys whose values are personal data wherever they appear in an audit record or export. */
const PERSONAL_KEYS: Partial<Record<string, (v: string) => string>> = {
  phone: maskPhone,
  mobile: maskPhone,
  contactPhone: maskPhone,
  idNumber: maskIdCard,
  idCard: maskIdCard,
  citizenName: maskName,
  contactName: maskName,
  realName: maskName,
  openid: () => '***',
  openId: () => '***',
  wechatOpenId: () => '***',
}

// A mainland mobile number or an 18-character ID number inside free text (not part of a longer number).
const PHONE_IN_TEXT = /(?<![\dA-Za-z])1[3-9]\d{9}(?!\d)/g
const ID_IN_TEXT = /(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])/g

/** Masks mobile numbers and ID numbers found inside a string. */
export function maskText(text: string): string {
  return text.replace(ID_IN_TEXT, (m) => maskIdCard(m)).replace(PHONE_IN_TEXT, (m) => maskPhone(m))
}

/**
 * Defence in depth for audit before/after values and exports: masks known personal-data keys and
 * any phone or ID number found in strings, at any depth. Never throws; returns a new value.
 */
export function maskPersonalData(value: unknown, depth = 0): unknown {
  if (depth > 8) return null
  if (typeof value === 'string') return maskText(value)
  if (Array.isArray(value)) return value.map((v) => maskPersonalData(v, depth + 1))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const mask = PERSONAL_KEYS[k]
      out[k] = mask && typeof v === 'string' ? mask(v) : maskPersonalData(v, depth + 1)
    }
    return out
  }
  return value
}
