import { appealDue, remindersDue } from '@tp/shared/appeals/due'
import { type ClockPause, chinaDayEnd } from '@tp/shared/calendar'
import { and, asc, eq, gte, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm'
import { type Ctx, withDb } from '../../platform/context'
import type { Job } from '../../platform/module'
import { type AppealRow, notifyStaff, recordEvent, unitHeadsFor } from './appeals.core'
import { appealMaterialRequests, appeals } from './appeals.tables'
import { workCalendar } from './calendar.service'

const CLOCK = ['accepted', 'in_review', 'awaiting_material', 'pending_approval'] as const
const OPEN = ['submitted', ...CLOCK] as const

export interface ReminderRun {
  checked: number
  reminded: number
  overdue: number
  refreshed: number
}

/**
 * Reminders at 2/3 and 90% of the period to the assignee (the unit heads while unassigned), and
 * on the day a case falls overdue to the unit heads. Each mark is set by a conditional UPDATE, so
 * overlapping runs (several processes) send each reminder once. Paused cases get their projected
 * due date refreshed, so lists and counts stay right while the clock stands still.
 */
export async function runReminders(ctx: Ctx): Promise<ReminderRun> {
  const now = ctx.now()
  const cal = await workCalendar(ctx)
  const out: ReminderRun = { checked: 0, reminded: 0, overdue: 0, refreshed: 0 }
  // Candidates: more than half the span used (cheap pre-filter on stored columns), a mark missing.
  const rows = await ctx.db
    .select()
    .from(appeals)
    .where(
      and(
        inArray(appeals.state, [...OPEN]),
        isNotNull(appeals.dueAt),
        or(
          and(
            inArray(appeals.state, [...CLOCK]),
            or(isNull(appeals.reminded1At), isNull(appeals.reminded2At)),
            sql`${appeals.clockStart} + (${appeals.dueAt} - ${appeals.clockStart}) * 0.5 <= ${now.toISOString()}::timestamptz`,
          ),
          and(isNull(appeals.overdueNotifiedAt), lt(appeals.dueAt, now)),
          isNotNull(appeals.pausedSince),
        ),
      ),
    )
    .orderBy(asc(appeals.dueAt))
    .limit(5000)
  if (!rows.length) return out
  const reqs = await ctx.db
    .select({ appealId: appealMaterialRequests.appealId, from: appealMaterialRequests.requestedAt, to: appealMaterialRequests.answeredAt })
    .from(appealMaterialRequests)
    .where(
      inArray(
        appealMaterialRequests.appealId,
        rows.map((r) => r.id),
      ),
    )
  const pausesBy = new Map<string, ClockPause[]>()
  for (const r of reqs) pausesBy.set(r.appealId, [...(pausesBy.get(r.appealId) ?? []), { from: r.from, to: r.to }])

  for (const row of rows) {
    out.checked++
    const due = appealDue(
      { start: row.clockStart, policy: row.policy, pauses: pausesBy.get(row.id) ?? [], extensionDays: row.extensionDays, provisional: !row.acceptedAt },
      cal,
      now,
    )
    const [r1, r2] = remindersDue(due.fraction)
    const inClock = (CLOCK as readonly string[]).includes(row.state)
    // One transaction per case: a mark and its notification commit together.
    await ctx.db.transaction(async (tx) => {
      const t = withDb(ctx, tx)
      if (row.dueDate !== due.dueDate) {
        await tx.update(appeals).set({ dueDate: due.dueDate, dueAt: due.dueAt }).where(eq(appeals.id, row.id))
        out.refreshed++
      }
      if (inClock && r1 && !row.reminded1At && (await mark(t, row, 'reminded1At'))) {
        await remind(t, row, 67, due.dueDate)
        out.reminded++
      }
      if (inClock && r2 && !row.reminded2At && (await mark(t, row, 'reminded2At'))) {
        await remind(t, row, 90, due.dueDate)
        out.reminded++
      }
      if (now > due.dueAt && !row.overdueNotifiedAt && (await mark(t, row, 'overdueNotifiedAt'))) {
        await notifyStaff(t, await unitHeadsFor(t, row.unitId), row, 'overdue', { dueDate: due.dueDate })
        await recordEvent(t, row.id, { action: 'overdue', from: row.state, to: row.state, note: due.dueDate, citizenVisible: false })
        out.overdue++
      }
    })
  }
  return out
}

async function mark(ctx: Ctx, row: AppealRow, col: 'reminded1At' | 'reminded2At' | 'overdueNotifiedAt'): Promise<boolean> {
  const [hit] = await ctx.db
    .update(appeals)
    .set({ [col]: ctx.now() })
    .where(and(eq(appeals.id, row.id), isNull(appeals[col])))
    .returning({ id: appeals.id })
  return !!hit
}

async function remind(ctx: Ctx, row: AppealRow, percent: number, dueDate: string) {
  const to = row.assigneeId ? [row.assigneeId] : await unitHeadsFor(ctx, row.unitId)
  await notifyStaff(ctx, to, row, 'reminder', { percent, dueDate })
  await recordEvent(ctx, row.id, { action: 'reminder', from: row.state, to: row.state, note: `${percent}%`, citizenVisible: false })
}

export const appealJobs: Job[] = [
  {
    name: 'appeals.reminders',
    everyMs: 10 * 60_000,
    async run(ctx) {
      await runReminders(ctx)
    },
  },
]

/**
 * After a calendar override changes, open cases whose period spans the date get their stored due
 * date recomputed (a new closure moves deadlines later; a new working day may move them earlier).
 */
export async function refreshDuesAround(ctx: Ctx, date: string): Promise<number> {
  const cal = await workCalendar(ctx)
  const now = ctx.now()
  const rows = await ctx.db
    .select()
    .from(appeals)
    .where(and(inArray(appeals.state, [...OPEN]), lt(appeals.clockStart, chinaDayEnd(date)), gte(appeals.dueDate, date)))
  let changed = 0
  for (const row of rows) {
    const pauses = await ctx.db
      .select({ from: appealMaterialRequests.requestedAt, to: appealMaterialRequests.answeredAt })
      .from(appealMaterialRequests)
      .where(eq(appealMaterialRequests.appealId, row.id))
    const due = appealDue({ start: row.clockStart, policy: row.policy, pauses, extensionDays: row.extensionDays, provisional: !row.acceptedAt }, cal, now)
    if (due.dueDate !== row.dueDate) {
      await ctx.db.update(appeals).set({ dueDate: due.dueDate, dueAt: due.dueAt }).where(eq(appeals.id, row.id))
      changed++
    }
  }
  return changed
}
