import { addCalendarDays, type CalendarDate, type CalendarOverride, chinaDayEnd, chinaTime, toChinaDate, type WorkCalendar, weekday } from '../calendar'
import type { BookingPolicy, Period, WeeklyHours } from './schemas'
import { fromMinutes, toMinutes } from './time'

/**
 * Pure booking rules shared by the server (which enforces them) and the tests. Times are China
 * time; dates are 'YYYY-MM-DD'.
 */

const DAY_MS = 86_400_000
const MINUTE_MS = 60_000

// ---------------------------------------------------------------------------------------------
// Opening days

export type DayStatus =
  | { open: true; periods: Period[]; kind: 'workday' | 'makeup' | 'weekend' | 'special' }
  | { open: false; reason: 'holiday' | 'closure' | 'no_hours'; holidayName: string | null }

export interface DayOverrideRule {
  closed: boolean
  hours: Period[] | null
}

/**
 * Whether an office is open on a date, and when.
 * 1. A per-date override of the office wins: a local closure, or special hours (e.g. a Saturday duty).
 * 2. Official holidays (the State Council calendar plus `calendar_overrides` closing a day) are closed,
 *    also when they fall on a Saturday the office would otherwise serve.
 * 3. A make-up working day (调休) on a weekend opens with the Monday hours: it is a normal working day.
 * 4. Otherwise the weekday's hours apply (Saturday service where the office has Saturday hours).
 */
export function dayOpening(
  date: CalendarDate,
  hours: WeeklyHours,
  calendar: WorkCalendar,
  calendarOverrides: readonly CalendarOverride[] = [],
  dayOverride?: DayOverrideRule | null,
): DayStatus {
  if (dayOverride) {
    if (dayOverride.closed || !dayOverride.hours?.length) return { open: false, reason: 'closure', holidayName: null }
    return { open: true, periods: sortPeriods(dayOverride.hours), kind: 'special' }
  }
  const wd = weekday(date)
  const weekend = wd === 0 || wd === 6
  const working = calendar.isWorkingDay(date)
  let periods: Period[]
  let kind: 'workday' | 'makeup' | 'weekend'
  if (!working) {
    const namedHoliday = calendar.describe(date) !== undefined || calendarOverrides.some((o) => o.date === date && !o.working)
    if (!weekend || namedHoliday) return { open: false, reason: 'holiday', holidayName: calendar.describe(date) ?? null }
    periods = hours[wd] ?? []
    kind = 'weekend'
  } else if (weekend) {
    periods = hours[1] ?? []
    kind = 'makeup'
  } else {
    periods = hours[wd] ?? []
    kind = 'workday'
  }
  if (periods.length === 0) return { open: false, reason: 'no_hours', holidayName: null }
  return { open: true, periods: sortPeriods(periods), kind }
}

function sortPeriods(periods: readonly Period[]): Period[] {
  return [...periods].sort((a, b) => toMinutes(a.from) - toMinutes(b.from))
}

// ---------------------------------------------------------------------------------------------
// Slots

/** A service's slots are a whole number of the office's slot lengths, at least the service's duration. */
export function slotLength(officeSlotMinutes: number, durationMinutes: number): number {
  return officeSlotMinutes * Math.max(1, Math.ceil(durationMinutes / officeSlotMinutes))
}

/**
 * Places per slot, as a fraction: each window handling the service gives it an equal share of its
 * time (a window handling k bookable services gives 1/k of the slot), divided by the duration.
 * `windows` lists, per active window handling this service, how many services that window handles.
 */
export function placesPerSlot(windows: readonly number[], slotMinutes: number, durationMinutes: number): number {
  let minutes = 0
  for (const k of windows) minutes += slotMinutes / Math.max(1, k)
  return minutes / durationMinutes
}

export interface CapacityRule {
  serviceId: string | null
  startTime: string | null
  capacity: number
}

/** The most specific override: service + time, then service, then time, then the whole office day. */
export function findOverride(rules: readonly CapacityRule[], serviceId: string, startTime: string): CapacityRule | undefined {
  return (
    rules.find((r) => r.serviceId === serviceId && r.startTime === startTime) ??
    rules.find((r) => r.serviceId === serviceId && r.startTime === null) ??
    rules.find((r) => r.serviceId === null && r.startTime === startTime) ??
    rules.find((r) => r.serviceId === null && r.startTime === null)
  )
}

export interface SlotPlan {
  startTime: string
  endTime: string
  capacity: number
}

export interface SlotPlanInput {
  periods: readonly Period[]
  officeSlotMinutes: number
  durationMinutes: number
  /** Per window handling the service: the number of services that window handles. */
  windows: readonly number[]
  serviceId: string
  overrides?: readonly CapacityRule[]
}

/**
 * A day's slots for one service: back-to-back slots of `slotLength` inside each opening period
 * (a slot never runs past closing time). A fractional per-slot capacity is spread over the day
 * so the day's total is floor(places × slots): slot i gets floor(c·(i+1)) − floor(c·i), i.e.
 * floor(c) or ceil(c). A capacity override replaces the computed number.
 */
export function planSlots(input: SlotPlanInput): SlotPlan[] {
  const len = slotLength(input.officeSlotMinutes, input.durationMinutes)
  const c = placesPerSlot(input.windows, len, input.durationMinutes)
  const out: SlotPlan[] = []
  let i = 0
  const cum = (n: number) => Math.floor(c * n + 1e-9)
  for (const p of sortPeriods(input.periods)) {
    const end = toMinutes(p.to)
    for (let t = toMinutes(p.from); t + len <= end; t += len) {
      const startTime = fromMinutes(t)
      const computed = cum(i + 1) - cum(i)
      const o = input.overrides ? findOverride(input.overrides, input.serviceId, startTime) : undefined
      out.push({ startTime, endTime: fromMinutes(t + len), capacity: o ? o.capacity : computed })
      i++
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Booking window, cancellation, check-in

/** The dates a citizen may pick now: today (when same-day booking is on) through today + daysAhead. */
export function bookingDates(now: Date, policy: Pick<BookingPolicy, 'daysAhead' | 'sameDay'>): CalendarDate[] {
  const today = toChinaDate(now)
  const out: CalendarDate[] = []
  for (let i = policy.sameDay ? 0 : 1; i <= policy.daysAhead; i++) out.push(addCalendarDays(today, i))
  return out
}

export type NotBookable = 'too_soon' | 'too_far' | 'same_day_closed'

/** Why a slot cannot be booked now, or null when it can. */
export function whyNotBookable(
  slot: { date: CalendarDate; startsAt: Date },
  now: Date,
  policy: Pick<BookingPolicy, 'daysAhead' | 'sameDay' | 'minLeadMinutes'>,
): NotBookable | null {
  const today = toChinaDate(now)
  if (slot.startsAt.getTime() < now.getTime() + policy.minLeadMinutes * MINUTE_MS || slot.date < today) return 'too_soon'
  if (slot.date === today && !policy.sameDay) return 'same_day_closed'
  if (slot.date > addCalendarDays(today, policy.daysAhead)) return 'too_far'
  return null
}

/** The last moment a booking can be cancelled or rescheduled. */
export function cancelDeadline(date: CalendarDate, startsAt: Date, policy: Pick<BookingPolicy, 'cancel'>): Date {
  if (policy.cancel.mode === 'hours_before') return new Date(startsAt.getTime() - policy.cancel.hours * 3600_000)
  return chinaDayEnd(addCalendarDays(date, -1))
}

export function canStillCancel(date: CalendarDate, startsAt: Date, now: Date, policy: Pick<BookingPolicy, 'cancel'>): boolean {
  return now.getTime() <= cancelDeadline(date, startsAt, policy).getTime()
}

export function checkInWindow(startsAt: Date, policy: Pick<BookingPolicy, 'checkIn'>): { opensAt: Date; closesAt: Date } {
  return {
    opensAt: new Date(startsAt.getTime() - policy.checkIn.earlyMinutes * MINUTE_MS),
    closesAt: new Date(startsAt.getTime() + policy.checkIn.lateMinutes * MINUTE_MS),
  }
}

/** A citizen may check themselves in only inside the window around their slot. */
export function canSelfCheckIn(startsAt: Date, now: Date, policy: Pick<BookingPolicy, 'checkIn'>): 'early' | 'late' | null {
  const w = checkInWindow(startsAt, policy)
  if (now < w.opensAt) return 'early'
  if (now > w.closesAt) return 'late'
  return null
}

/** Checked in by the end of the check-in window: the booking keeps its priority in the queue. */
export function isOnTime(checkedInAt: Date, startsAt: Date, policy: Pick<BookingPolicy, 'checkIn'>): boolean {
  return checkedInAt.getTime() <= checkInWindow(startsAt, policy).closesAt.getTime()
}

/** An instant at which a booked slot becomes a no-show when nobody checked in. */
export function noShowAt(startsAt: Date, policy: Pick<BookingPolicy, 'checkIn'>): Date {
  return checkInWindow(startsAt, policy).closesAt
}

// ---------------------------------------------------------------------------------------------
// No-show policy

export interface NoShowResult {
  /** No-shows that count now (within the window, not yet consumed by a block). */
  strikes: number
  blocked: boolean
  blockedUntil: Date | null
}

/**
 * Strikes and blocks from the citizen's no-shows. Walking through them in time order, a no-show
 * is a strike; strikes older than `windowDays` lapse; when `limit` strikes are live at once the
 * citizen is blocked from booking for `blockDays` from that no-show, and those strikes are used
 * up (the count starts again after a block). Defaults: 3 in 90 days blocks for 30 days.
 */
export function noShowStatus(noShows: readonly Date[], now: Date, policy: BookingPolicy['noShow']): NoShowResult {
  const windowMs = policy.windowDays * DAY_MS
  const sorted = noShows.filter((d) => d.getTime() <= now.getTime()).sort((a, b) => a.getTime() - b.getTime())
  let live: Date[] = []
  let blockedUntil: Date | null = null
  for (const d of sorted) {
    live = live.filter((x) => d.getTime() - x.getTime() < windowMs)
    live.push(d)
    if (live.length >= policy.limit) {
      const until = new Date(d.getTime() + policy.blockDays * DAY_MS)
      if (!blockedUntil || until > blockedUntil) blockedUntil = until
      live = []
    }
  }
  const strikes = live.filter((x) => now.getTime() - x.getTime() < windowMs).length
  const blocked = !!blockedUntil && now.getTime() < blockedUntil.getTime()
  return { strikes, blocked, blockedUntil: blocked ? blockedUntil : null }
}

// ---------------------------------------------------------------------------------------------
// Codes, numbers, distances

/** Booking codes avoid look-alike characters (0/O, 1/I/L). */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
export const CODE_LENGTH = 8

export function normaliseCode(input: string): string {
  return input.replace(/[\s-]/g, '').toUpperCase()
}

/** 'A' + 12 → 'A012'; beyond 999 the number simply grows. */
export function formatTicketNumber(prefix: string, seq: number): string {
  return `${prefix}${String(seq).padStart(3, '0')}`
}

/** Great-circle distance in metres. */
export function distanceMeters(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const R = 6_371_000
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLng = (b.lng - a.lng) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** Nearest first when the position is known; offices without a position go last; else by name. */
export function sortByDistance<T extends { name: string; position: { lat: number; lng: number } | null }>(
  offices: readonly T[],
  from: { lat: number; lng: number } | null,
): (T & { distanceMeters: number | null })[] {
  const withD = offices.map((o) => ({ ...o, distanceMeters: from && o.position ? Math.round(distanceMeters(from, o.position)) : null }))
  return withD.sort((a, b) => {
    if (a.distanceMeters !== null && b.distanceMeters !== null) return a.distanceMeters - b.distanceMeters
    if (a.distanceMeters !== null) return -1
    if (b.distanceMeters !== null) return 1
    return a.name.localeCompare(b.name, 'zh-CN')
  })
}

/** An instant (China time) for a slot's date and 'HH:MM'; '24:00' is the next midnight. */
export function slotInstant(date: CalendarDate, hhmm: string): Date {
  if (hhmm === '24:00') return chinaTime(addCalendarDays(date, 1), '00:00')
  return chinaTime(date, hhmm)
}
