import type { KindConfig, Milestone } from './kinds'
import { type ReportState, stateTypeOf } from './machine'

/** What the next due time is for: a response target, or the end of a zombie-car period. */
export type DueReason = Milestone | 'notice_period' | 'public_notice'

export interface DueFacts {
  state: ReportState
  /** When the response clock started: submission, or the dispute that reopened the case. */
  clockStartAt: Date
  reached: Partial<Record<Milestone, Date | null>>
  noticeDueAt?: Date | null
  publicNoticeEndsAt?: Date | null
}

export interface NextDue {
  reason: DueReason
  dueAt: Date
}

/** The state each milestone is reached by (any later state of the course implies it). */
const IMPLIED_BY: Record<Milestone, readonly ReportState[]> = {
  accepted: ['accepted', 'dispatched', 'on_scene', 'verified', 'notice_posted', 'towed', 'public_notice'],
  dispatched: ['dispatched', 'on_scene', 'verified', 'notice_posted', 'towed', 'public_notice'],
  on_scene: ['on_scene', 'verified', 'notice_posted', 'towed', 'public_notice'],
  verified: ['verified', 'notice_posted', 'towed', 'public_notice'],
  resolved: [],
}

/**
 * The next due time of an open report: the earliest response target not yet reached, else the end
 * of the notice or public-notice period it is waiting on. Closed and fixed reports have none.
 */
export function nextDue(facts: DueFacts, kind: Pick<KindConfig, 'targets'>): NextDue | null {
  if (stateTypeOf(facts.state) !== 'open') return null
  let best: NextDue | null = null
  for (const t of kind.targets) {
    const reached = facts.reached[t.milestone] || IMPLIED_BY[t.milestone].includes(facts.state)
    if (reached) continue
    const dueAt = new Date(facts.clockStartAt.getTime() + t.minutes * 60_000)
    if (!best || dueAt < best.dueAt) best = { reason: t.milestone, dueAt }
  }
  if (best) return best
  if (facts.state === 'notice_posted' && facts.noticeDueAt) return { reason: 'notice_period', dueAt: facts.noticeDueAt }
  if (facts.state === 'public_notice' && facts.publicNoticeEndsAt) return { reason: 'public_notice', dueAt: facts.publicNoticeEndsAt }
  return null
}

/** Past its next due time: a missed response target, or a period that ended without the next step. */
export function isOverdue(due: NextDue | null, now: Date): boolean {
  return !!due && due.dueAt.getTime() < now.getTime()
}

export type DueLevel = 'none' | 'ok' | 'soon' | 'overdue'

/** For colours: overdue red, due within a fifth of the target (or 10 minutes) amber, else blue. */
export function dueLevel(dueAt: Date | null, now: Date, startedAt?: Date): DueLevel {
  if (!dueAt) return 'none'
  const left = dueAt.getTime() - now.getTime()
  if (left < 0) return 'overdue'
  const span = startedAt ? dueAt.getTime() - startedAt.getTime() : 0
  if (left <= Math.max(10 * 60_000, span / 5)) return 'soon'
  return 'ok'
}
