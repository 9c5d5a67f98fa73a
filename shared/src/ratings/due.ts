import { type CalendarOverride, chinaDayStart, clockProgress, computeDue, type Due, officialCalendar, type WorkCalendar } from '../calendar'
import { followUpPolicy, type RatingConfig } from './config'

/**
 * When a follow-up case must be finished: `followUp.days` counted from the day after it opened —
 * working days on the official calendar (holidays and 调休 make-up days, plus the admin's
 * overrides) by default; calendar days end on a working day.
 */
export function followUpDue(openedAt: Date, config: Pick<RatingConfig, 'followUp'>, calendar: WorkCalendar | readonly CalendarOverride[] = []): Due {
  const cal = Array.isArray(calendar) ? officialCalendar(calendar as CalendarOverride[]) : (calendar as WorkCalendar)
  return computeDue({ start: openedAt, policy: followUpPolicy(config), calendar: cal })
}

export type DueLevel = 'ok' | 'soon' | 'overdue'

/** Reminder level: due soon once two thirds of the period are used, overdue after the due time. */
export function followUpDueLevel(openedAt: Date, dueAt: Date, now: Date, config: Pick<RatingConfig, 'followUp'>, calendar: WorkCalendar): DueLevel {
  if (now.getTime() > dueAt.getTime()) return 'overdue'
  const p = clockProgress({ start: openedAt, policy: followUpPolicy(config), calendar, now })
  return p.fraction >= 2 / 3 ? 'soon' : 'ok'
}

/**
 * From when the case counts as due soon: the start (China time) of the day on which two thirds of
 * the period are used, i.e. the ⌈2n/3⌉-th counted day. Stored with the case so lists and counts
 * can ask the database instead of walking the calendar for every row.
 */
export function followUpSoonAt(openedAt: Date, config: Pick<RatingConfig, 'followUp'>, calendar: WorkCalendar): Date {
  const k = Math.ceil((2 * config.followUp.days) / 3)
  const day = computeDue({ start: openedAt, policy: { days: k, unit: config.followUp.unit }, calendar }).dueDate
  return chinaDayStart(day)
}

/** The same level from the stored instants (what the database computes). */
export function dueLevelAt(soonAt: Date, dueAt: Date, now: Date): DueLevel {
  if (now.getTime() > dueAt.getTime()) return 'overdue'
  return now.getTime() >= soonAt.getTime() ? 'soon' : 'ok'
}
