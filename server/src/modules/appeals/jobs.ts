import { appealDue, isProvisional } from '@tp/shared/appeals/due'
import { type ClockPause, chinaDayEnd } from '@tp/shared/calendar'
import { and, asc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, or, type SQL, sql } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import { type Ctx, withDb } from '../../platform/context'
import type { Job } from '../../platform/module'
import { type AppealRow, dueChanged, dueColumns, notifyStaff, recordEvent, unitHeadsFor } from './appeals.core'
import { appealMaterialRequests, appeals } from './appeals.tables'
import { workCalendar } from './calendar.service'

const OPEN = ['submitted', 'accepted', 'in_review', 'awaiting_material', 'pending_approval'] as const

/** Cases looked at per query: all candidates are processed, a batch at a time (keyset on id). */
const BATCH = 500

export interface ReminderRun {
  checked: number
  reminded: number
  overdue: number
  refreshed: number
  failed: number
}

/** A mark is missing for this threshold: never sent, or sent before the threshold moved later. */
const unsent = (mark: AnyPgColumn, threshold: AnyPgColumn): SQL => or(isNull(mark), lt(mark, threshold)) as SQL

/**
 * Reminders at 2/3 and 90% of the period to the assignee (the unit heads while unassigned), and
 * on the day a case falls overdue to the unit heads. The instants at which 2/3 and 90% are
 * reached are stored with the due date (working days, holidays and pauses counted), so the
 * candidates are found on stored columns. A mark holds when the reminder was sent: when the clock
 * restarts (acceptance) or moves later (extension, calendar change), the threshold passes the
 * mark and the reminder is sent again for the new date. Each mark is set by a conditional UPDATE,
 * so overlapping runs (several processes) send each reminder once. Paused cases get their
 * projected due date refreshed, so lists and counts stay right while the clock stands still. A
 * case that fails is logged and skipped; the others are still processed.
 */
export async function runReminders(ctx: Ctx): Promise<ReminderRun> {
  const now = ctx.now()
  const cal = await workCalendar(ctx)
  const out: ReminderRun = { checked: 0, reminded: 0, overdue: 0, refreshed: 0, failed: 0 }
  const running = sql`(${appeals.state} <> 'submitted' or ${appeals.policy}->>'startsOn' = 'filing')`
  const candidate = and(
    inArray(appeals.state, [...OPEN]),
    isNotNull(appeals.dueAt),
    or(
      // Rows stored before the thresholds were: computed once.
      isNull(appeals.remind1At),
      and(running, lte(appeals.remind1At, now), unsent(appeals.reminded1At, appeals.remind1At)),
      and(running, lte(appeals.remind2At, now), unsent(appeals.reminded2At, appeals.remind2At)),
      and(lt(appeals.dueAt, now), unsent(appeals.overdueNotifiedAt, appeals.dueAt)),
      isNotNull(appeals.pausedSince),
    ),
  )
  let after: string | null = null
  for (;;) {
    const rows: AppealRow[] = await ctx.db
      .select()
      .from(appeals)
      .where(and(candidate, after ? gt(appeals.id, after) : undefined))
      .orderBy(asc(appeals.id))
      .limit(BATCH)
    if (!rows.length) break
    after = rows[rows.length - 1]!.id
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
      try {
        await remindOne(ctx, row, pausesBy.get(row.id) ?? [], cal, out)
      } catch (err) {
        out.failed++
        ctx.deps.log.error({ err, appeal: row.number }, 'appeal reminder failed')
      }
    }
    if (rows.length < BATCH) break
  }
  return out
}

async function remindOne(ctx: Ctx, row: AppealRow, pauses: ClockPause[], cal: Awaited<ReturnType<typeof workCalendar>>, out: ReminderRun) {
  const now = ctx.now()
  const provisional = isProvisional(row.policy, row.acceptedAt)
  const due = appealDue({ start: row.clockStart, policy: row.policy, pauses, extensionDays: row.extensionDays, provisional }, cal, now)
  const cols = dueColumns(due)
  // One transaction per case: a mark and its notification commit together.
  await ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    if (dueChanged(row, due)) {
      await tx.update(appeals).set(cols).where(eq(appeals.id, row.id))
      out.refreshed++
    }
    const thresholds = [
      { col: 'reminded1At', at: cols.remind1At, percent: 67 },
      { col: 'reminded2At', at: cols.remind2At, percent: 90 },
    ] as const
    for (const th of thresholds) {
      if (provisional || !th.at || now < th.at) continue
      if (!(await mark(t, row, th.col, th.at))) continue
      await remind(t, row, th.percent, due.dueDate)
      out.reminded++
    }
    if (now > due.dueAt && (await mark(t, row, 'overdueNotifiedAt', due.dueAt))) {
      await notifyStaff(t, await unitHeadsFor(t, row.unitId), row, 'overdue', { dueDate: due.dueDate })
      await recordEvent(t, row.id, { action: 'overdue', from: row.state, to: row.state, note: due.dueDate, citizenVisible: false })
      out.overdue++
    }
  })
}

/** Sets the mark unless it already covers `threshold` (sent at or after it); true when this call set it. */
async function mark(ctx: Ctx, row: AppealRow, col: 'reminded1At' | 'reminded2At' | 'overdueNotifiedAt', threshold: Date): Promise<boolean> {
  const [hit] = await ctx.db
    .update(appeals)
    .set({ [col]: ctx.now() })
    .where(and(eq(appeals.id, row.id), or(isNull(appeals[col]), lt(appeals[col], threshold))))
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
    runOnStart: true,
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
    const due = appealDue(
      { start: row.clockStart, policy: row.policy, pauses, extensionDays: row.extensionDays, provisional: isProvisional(row.policy, row.acceptedAt) },
      cal,
      now,
    )
    if (dueChanged(row, due)) {
      await ctx.db.update(appeals).set(dueColumns(due)).where(eq(appeals.id, row.id))
      if (due.dueDate !== row.dueDate) changed++
    }
  }
  return changed
}
