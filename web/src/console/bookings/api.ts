import { ApiError, errorKey } from '@/api/client'
import type { paths } from '@/api/schema'

type Ok<P extends keyof paths, M extends 'get' | 'post' | 'patch' | 'put'> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } }
}
  ? T
  : paths[P][M] extends { responses: { 201: { content: { 'application/json': infer T } } } }
    ? T
    : never

export type OfficeAdmin = Ok<'/api/console/bookings/offices', 'get'>['items'][number]
export type ServiceRow = Ok<'/api/console/bookings/services', 'get'>['items'][number]
export type WindowRow = Ok<'/api/console/bookings/windows', 'get'>['items'][number]
export type WindowQueue = Ok<'/api/console/bookings/windows/{id}/queue', 'get'>
export type Ticket = WindowQueue['waiting'][number]
export type ConsoleBooking = Ok<'/api/console/bookings/by-code/{code}', 'get'>
export type DayOverride = Ok<'/api/console/bookings/offices/{id}/day-overrides', 'get'>['items'][number]
export type CapacityOverride = Ok<'/api/console/bookings/offices/{id}/capacity-overrides', 'get'>['items'][number]
export type SlotAdmin = Ok<'/api/console/bookings/offices/{id}/slots', 'get'>['items'][number]
export type Policy = Ok<'/api/console/bookings/policy', 'get'>
export type HallDisplay = Ok<'/api/queue/hall/{officeId}', 'get'>
export type QueueStats = Ok<'/api/console/bookings/stats', 'get'>['items'][number]
export type Period = { from: string; to: string }

/** The feature's own message for an error code first, then the shell's. */
export function bookingErrorKey(err: unknown, te: (key: string) => boolean): string {
  if (err instanceof ApiError && te(`bookings.errors.${err.code}`)) return `bookings.errors.${err.code}`
  return errorKey(err, te)
}

const TZ = 'Asia/Shanghai'

export function hhmm(iso: string | null | undefined): string {
  if (!iso) return ''
  return new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso))
}

/** Today's date in China, 'YYYY-MM-DD'. */
export function chinaToday(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10)
}

/** Minutes a ticket has waited since check-in. */
export function waitedMinutes(issuedAt: string, now = Date.now()): number {
  return Math.max(0, Math.round((now - new Date(issuedAt).getTime()) / 60_000))
}
