import data from 'chinese-days/dist/chinese-days.json'

/**
 * Dates and deadlines on China's official calendar (UTC+8, no daylight saving).
 * Pure: every function takes what it needs; the holiday data is the `chinese-days`
 * package plus caller-supplied overrides (admin-edited years or local closures).
 */

/** A civil date in China Standard Time, 'YYYY-MM-DD'. */
export type CalendarDate = string

const OFFSET_MS = 8 * 3600_000
const DAY_MS = 86_400_000
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/

export function isCalendarDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false
  const d = new Date(`${s}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
}

export function toChinaDate(instant: Date): CalendarDate {
  return new Date(instant.getTime() + OFFSET_MS).toISOString().slice(0, 10)
}

/** 00:00 China time of the date, as an instant. */
export function chinaDayStart(date: CalendarDate): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - OFFSET_MS)
}

/** The last millisecond of the date in China time: a deadline "by the end of" that day. */
export function chinaDayEnd(date: CalendarDate): Date {
  return new Date(chinaDayStart(date).getTime() + DAY_MS - 1)
}

/** An instant at a wall-clock time ('HH:MM') of a China date. */
export function chinaTime(date: CalendarDate, hhmm: string): Date {
  return new Date(Date.parse(`${date}T${hhmm}:00Z`) - OFFSET_MS)
}

export function addCalendarDays(date: CalendarDate, n: number): CalendarDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10)
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: CalendarDate): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay()
}

/** Whole days from `a` to `b` (negative when b is earlier). */
export function daysBetween(a: CalendarDate, b: CalendarDate): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS)
}

export interface CalendarOverride {
  date: CalendarDate
  /** true: a working day (e.g. a make-up day the package lacks); false: closed (holiday or local closure). */
  working: boolean
  name?: string
}

export interface WorkCalendar {
  isWorkingDay(date: CalendarDate): boolean
  /** Name of the holiday or make-up day, if any. */
  describe(date: CalendarDate): string | undefined
}

const official = data as { holidays: Record<string, string>; workdays: Record<string, string> }

/** Years the bundled official data covers; outside them only weekends and overrides apply. */
export const OFFICIAL_YEARS = (() => {
  const years = Object.keys(official.holidays).map((d) => Number(d.slice(0, 4)))
  return { from: Math.min(...years), to: Math.max(...years) }
})()

/** The State Council calendar (holidays and 调休 make-up working days), with overrides taking precedence. */
export function officialCalendar(overrides: readonly CalendarOverride[] = []): WorkCalendar {
  const byDate = new Map(overrides.map((o) => [o.date, o]))
  return {
    isWorkingDay(date) {
      const o = byDate.get(date)
      if (o) return o.working
      if (official.holidays[date]) return false
      if (official.workdays[date]) return true
      const wd = weekday(date)
      return wd !== 0 && wd !== 6
    },
    describe(date) {
      const o = byDate.get(date)
      if (o) return o.name
      const entry = official.holidays[date] ?? official.workdays[date]
      return entry?.split(',')[1]
    },
  }
}

export function nextWorkingDay(date: CalendarDate, cal: WorkCalendar): CalendarDate {
  let d = date
  for (let i = 0; i < 400 && !cal.isWorkingDay(d); i++) d = addCalendarDays(d, 1)
  return d
}

/** How a case's clock runs: configured per appeal type, follow-up kind, etc. */
export interface ClockPolicy {
  days: number
  unit: 'calendar' | 'working'
  /** Calendar-day periods whose last day is not a working day end on the next working day (the usual legal rule). */
  rollToWorkingDay?: boolean
}

/** A stretch when the clock stood still (waiting for the citizen's material). `to` null: still paused. */
export interface ClockPause {
  from: Date
  to: Date | null
}

export interface DueInput {
  start: Date
  policy: ClockPolicy
  calendar: WorkCalendar
  pauses?: readonly ClockPause[]
  /** Extra days granted by an approved extension, counted in the policy's unit. */
  extensionDays?: number
  /**
   * Cap on the days a pause may stop the clock, in the policy's unit, over all pauses together:
   * once reached, paused days count again (a citizen who never answers cannot freeze a case).
   */
  maxPausedDays?: number
  /** Used to close an open pause when projecting the due date. */
  now?: Date
}

export interface Due {
  dueDate: CalendarDate
  /** End of the due date, China time. */
  dueAt: Date
  /** True while a pause is open: dueDate is then a projection as if the clock resumed now. */
  paused: boolean
  /** Days that did not count because the clock was paused. */
  pausedDays: number
}

/**
 * The day the start falls on is not counted (期间开始之日不计算在内). A day D after it counts
 * toward the period when it is a counted day (every day, or only working days) and is not
 * paused; D is paused when a pause began before D and ended on or after D, and the pause cap
 * (`maxPausedDays`) is not yet used up.
 */
export function computeDue(input: DueInput): Due {
  const { policy } = input
  const total = Math.max(0, Math.floor(policy.days + (input.extensionDays ?? 0)))
  const step = dayStepper(input)
  let d = toChinaDate(input.start)
  let counted = 0
  // Bounded: a period can never need more than a few years of days.
  for (let guard = 0; counted < total && guard < 5000; guard++) {
    d = addCalendarDays(d, 1)
    if (step(d) === 'counted') counted++
  }
  if (policy.unit === 'calendar' && policy.rollToWorkingDay) d = nextWorkingDay(d, input.calendar)
  return { dueDate: d, dueAt: chinaDayEnd(d), paused: (input.pauses ?? []).some((p) => p.to === null), pausedDays: step.pausedDays() }
}

type DayKind = 'skipped' | 'paused' | 'counted'

/** Classifies the days after the start, in order (the pause cap makes it stateful). */
function dayStepper(input: DueInput): ((d: CalendarDate) => DayKind) & { pausedDays(): number } {
  const { policy, calendar } = input
  const now = input.now ?? input.start
  const pauses = (input.pauses ?? []).map((p) => ({
    from: toChinaDate(p.from),
    to: toChinaDate(p.to ?? new Date(Math.max(now.getTime(), p.from.getTime()))),
  }))
  const cap = input.maxPausedDays === undefined ? Number.POSITIVE_INFINITY : Math.max(0, Math.floor(input.maxPausedDays))
  let paused = 0
  const step = (d: CalendarDate): DayKind => {
    if (policy.unit === 'working' && !calendar.isWorkingDay(d)) return 'skipped'
    if (paused < cap && pauses.some((p) => p.from < d && d <= p.to)) {
      paused++
      return 'paused'
    }
    return 'counted'
  }
  return Object.assign(step, { pausedDays: () => paused })
}

export interface ClockProgress {
  /** Days of the period (policy days plus extensions). */
  total: number
  /** Counted days from the start through today (China date), excluding paused days. */
  used: number
  /** used / total (1 when the period is empty); ≥ 1 on the due day and after. */
  fraction: number
}

/** How much of the period is used by `now`: reminders fire at 2/3 and 90%. */
export function clockProgress(input: DueInput & { now: Date }): ClockProgress {
  const total = Math.max(0, Math.floor(input.policy.days + (input.extensionDays ?? 0)))
  const step = dayStepper(input)
  const today = toChinaDate(input.now)
  let d = toChinaDate(input.start)
  let used = 0
  for (let guard = 0; d < today && guard < 5000; guard++) {
    d = addCalendarDays(d, 1)
    if (step(d) === 'counted') used++
  }
  return { total, used, fraction: total === 0 ? 1 : used / total }
}

/**
 * The instants at which each share of the period is used up, as `clockProgress` counts it: the
 * start (00:00 China time) of the day whose counting makes used/total reach the share. Reminders
 * at 2/3 and 90% are filtered on these (working-day clocks and pauses make calendar time wrong).
 * With an open pause the days after `now` are projected as counted, like `computeDue`.
 */
export function reachedAt(input: DueInput, fractions: readonly number[]): Date[] {
  const total = Math.max(0, Math.floor(input.policy.days + (input.extensionDays ?? 0)))
  const need = fractions.map((f) => Math.max(0, Math.ceil(f * total - 1e-9)))
  const out: (Date | undefined)[] = need.map((n) => (n === 0 ? chinaDayStart(toChinaDate(input.start)) : undefined))
  const step = dayStepper(input)
  let d = toChinaDate(input.start)
  let counted = 0
  for (let guard = 0; out.some((x) => !x) && guard < 5000; guard++) {
    d = addCalendarDays(d, 1)
    if (step(d) !== 'counted') continue
    counted++
    need.forEach((n, i) => {
      if (!out[i] && counted >= n) out[i] = chinaDayStart(d)
    })
  }
  return out.map((x) => x ?? chinaDayStart(d))
}

/** Days left until the due date, from today's China date: 0 on the due day, negative once overdue. */
export function daysLeft(now: Date, dueDate: CalendarDate): number {
  return daysBetween(toChinaDate(now), dueDate)
}
