import { type CalendarOverride, clockProgress, computeDue, type Due, officialCalendar, type WorkCalendar } from '../calendar'
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
