import { isValidIdCard } from '@tp/shared/idcard'
import { isValidPlate, normalisePlate } from '@tp/shared/plate'
import { ApiError, errorKey } from '@/api/client'
import type { paths } from '@/api/schema'

type Json<P extends keyof paths, M extends 'get' | 'post'> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer T } } } }
  ? T
  : paths[P][M] extends { responses: { 201: { content: { 'application/json': infer T } } } }
    ? T
    : never

export type Service = Json<'/api/services', 'get'>['items'][number]
export type Office = Json<'/api/offices', 'get'>['items'][number]
export type Day = Json<'/api/slots/availability', 'get'>['items'][number]
export type Slot = Json<'/api/slots', 'get'>['items'][number]
export type BookingDetail = Json<'/api/bookings/{id}', 'get'>
export type BookingItem = Json<'/api/bookings', 'get'>['items'][number]
export type Strikes = Json<'/api/bookings/me/strikes', 'get'>
export type Policy = Json<'/api/bookings/policy', 'get'>

/** The i18n key for a failed booking call: the feature's own message first, then the shell's. */
export function bookingErrorKey(err: unknown, te: (key: string) => boolean): string {
  if (err instanceof ApiError && te(`bookings.errors.${err.code}`)) return `bookings.errors.${err.code}`
  return errorKey(err, te)
}

/** Form checks: the same rules the server enforces (@tp/shared). */
export function personProblems(p: { name: string; idNumber: string; plate: string }, plateNeeded: boolean) {
  const name = p.name.trim()
  return {
    name: name.length < 2 || name.length > 30 || /[<>{}\d]/.test(name) ? 'nameInvalid' : '',
    idNumber: isValidIdCard(p.idNumber.trim()) ? '' : 'idNumberInvalid',
    plate: plateNeeded && !p.plate.trim() ? 'plateRequired' : p.plate.trim() && !isValidPlate(p.plate) ? 'plateInvalid' : '',
  }
}

export { normalisePlate }

const TZ = 'Asia/Shanghai'

/** 3月11日 周三 (the date of a 'YYYY-MM-DD' string, in the reader's language). */
export function formatDay(date: string, locale: string): string {
  const d = new Date(`${date}T12:00:00+08:00`)
  return new Intl.DateTimeFormat(locale, { timeZone: TZ, month: 'long', day: 'numeric', weekday: 'short' }).format(d)
}

export function formatTime(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: TZ, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }).format(
    new Date(iso),
  )
}

export function formatWhen(b: { date: string; startTime: string; endTime: string }, locale: string): string {
  return `${formatDay(b.date, locale)} ${b.startTime}–${b.endTime}`
}

/** The booking code in two groups of four, easier to read out at the counter. */
export function groupCode(code: string): string {
  return code.length === 8 ? `${code.slice(0, 4)} ${code.slice(4)}` : code
}

export function qrDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`
}
