import { type ClockPause, computeDue, daysLeft, reachedAt, type WorkCalendar } from '../calendar'
import { type AppealClock, DUE_SOON_DAYS, REMINDER_FRACTIONS } from './config'
import type { DueStatus } from './schemas'

/** Everything an appeal's clock depends on. */
export interface AppealClockInput {
  start: Date
  policy: AppealClock
  pauses: readonly ClockPause[]
  extensionDays: number
  /** Not yet accepted: the start is the filing time. */
  provisional: boolean
}

export interface AppealDueResult {
  startedAt: Date
  dueDate: string
  dueAt: Date
  daysLeft: number
  status: DueStatus
  paused: boolean
  pausedDays: number
  extensionDays: number
  provisional: boolean
  /** When each reminder share (REMINDER_FRACTIONS) is reached. */
  remindAt: Date[]
}

/** The reply-due date of an appeal at `now`, with its list badge (due soon ≤ 3 days, overdue). */
export function appealDue(input: AppealClockInput, calendar: WorkCalendar, now: Date): AppealDueResult {
  const dueInput = {
    start: input.start,
    policy: input.policy,
    calendar,
    pauses: input.policy.pausable ? input.pauses : [],
    extensionDays: input.extensionDays,
    maxPausedDays: input.policy.maxPausedDays,
    now,
  }
  const due = computeDue(dueInput)
  const left = daysLeft(now, due.dueDate)
  const overdue = now.getTime() > due.dueAt.getTime()
  const status: DueStatus = overdue ? 'overdue' : due.paused ? 'paused' : left <= DUE_SOON_DAYS ? 'soon' : 'ok'
  return {
    startedAt: input.start,
    dueDate: due.dueDate,
    dueAt: due.dueAt,
    daysLeft: left,
    status,
    paused: due.paused,
    pausedDays: due.pausedDays,
    extensionDays: input.extensionDays,
    provisional: input.provisional,
    remindAt: reachedAt(dueInput, REMINDER_FRACTIONS),
  }
}

/**
 * Whether the case is still on its provisional clock (counted from filing until acceptance
 * restarts it). Types whose clock starts on filing (same-day forwarding) are never provisional.
 */
export function isProvisional(policy: AppealClock, acceptedAt: Date | null): boolean {
  return !acceptedAt && policy.startsOn !== 'filing'
}
