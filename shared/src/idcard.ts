import { z } from 'zod'

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'

/** The GB 11643 check character for the first 17 digits (ISO 7064 MOD 11-2). */
export function idCardCheckChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] as number)
  return CHECK[sum % 11] as string
}

/** GB 11643 resident ID number: 17 digits + checksum (digit or X), with a plausible birth date. */
export function isValidIdCard(raw: string): boolean {
  const id = raw.toUpperCase()
  if (!/^\d{17}[\dX]$/.test(id)) return false
  const y = Number(id.slice(6, 10))
  const m = Number(id.slice(10, 12))
  const d = Number(id.slice(12, 14))
  const birth = new Date(Date.UTC(y, m - 1, d))
  if (y < 1900 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d) return false
  return idCardCheckChar(id) === id[17]
}

export const IdCardNumber = z
  .string()
  .trim()
  .max(32)
  .transform((v) => v.toUpperCase())
  .refine(isValidIdCard, { message: 'Enter a valid 18-character ID card number' })
