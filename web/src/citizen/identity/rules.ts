import { isValidIdCard } from '@tp/shared/idcard'
import { isValidPlate, normalisePlate } from '@tp/shared/plate'

/** Form checks for the profile and vehicle forms: the same rules the server enforces (@tp/shared). */

export function idNumberProblem(value: string): 'idNumberInvalid' | null {
  const v = value.trim()
  return v && !isValidIdCard(v) ? 'idNumberInvalid' : null
}

export function nameProblem(value: string): 'nameInvalid' | null {
  const v = value.trim()
  return v && (v.length > 40 || /[<>{}\d]/.test(v)) ? 'nameInvalid' : null
}

export function plateProblem(value: string): 'plateInvalid' | null {
  return isValidPlate(value) ? null : 'plateInvalid'
}

export function normaliseVin(value: string): string {
  return value.trim().toUpperCase()
}

export function vinProblem(value: string): 'vinInvalid' | null {
  return /^[A-HJ-NPR-Z0-9]{6}$/.test(normaliseVin(value)) ? null : 'vinInvalid'
}

export { normalisePlate }
