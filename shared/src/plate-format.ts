/** Province abbreviations used on plates (including 使/领 are excluded: civil plates only). */
export const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼'

// Letters I and O are never used on plates.
const L = 'A-HJ-NP-Z'
const ORDINARY = new RegExp(`^[${PROVINCES}][${L}][${L}0-9]{4}[${L}0-9挂学警港澳]$`)
// New-energy: 6 characters after the issuing letter, D/F (and A-K variants) in first or last position.
const NEW_ENERGY = new RegExp(`^[${PROVINCES}][${L}](?:[DFA-HJK][${L}0-9]\\d{4}|\\d{5}[DFA-HJK])$`)

export function normalisePlate(input: string): string {
  return input
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s·•.-]/g, '')
    .toUpperCase()
}

export function isValidPlate(input: string): boolean {
  const p = normalisePlate(input)
  if (p.length === 7) return ORDINARY.test(p)
  if (p.length === 8) return NEW_ENERGY.test(p)
  return false
}

export function isNewEnergyPlate(input: string): boolean {
  return normalisePlate(input).length === 8 && isValidPlate(input)
}
