import { z } from 'zod'
import { isValidPlate, normalisePlate } from './plate-format'

// The format rules live apart from the zod schemas, so browser code that only checks a plate loads no zod.
export { isNewEnergyPlate, isValidPlate, normalisePlate, PROVINCES } from './plate-format'

export const PlateNumber = z
  .string()
  .max(20)
  .transform(normalisePlate)
  .refine(isValidPlate, { message: 'Enter a valid plate number, e.g. 川H12345 or 渝AD12345' })

/** Last six characters of the VIN (no I, O, Q). */
export const VinLast6 = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .refine((v) => /^[A-HJ-NPR-Z0-9]{6}$/.test(v), { message: 'Enter the last six characters of the VIN' })
