import { z } from 'zod'

/** Mainland mobile number: 11 digits starting 1[3-9]. Full-width digits and spaces are normalised first. */
export function normalisePhone(input: string): string {
  return input
    .replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[\s-]/g, '')
    .replace(/^\+?86/, '')
}

export const PHONE_RE = /^1[3-9]\d{9}$/

export const MobilePhone = z
  .string()
  .max(32)
  .transform(normalisePhone)
  .refine((v) => PHONE_RE.test(v), { message: 'Enter an 11-digit mainland mobile number' })
