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
