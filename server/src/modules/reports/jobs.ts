import { and, eq, isNotNull, lt, or, sql } from 'drizzle-orm'
import { type Ctx, withDb } from '../../platform/context'
import type { Job } from '../../platform/module'
import { notify } from '../../platform/notify'
import { listKinds } from './kinds.service'
import { reports } from './reports.tables'
import { addEvent, applyTransition, liveData } from './transition'

const BATCH = 200

/**
 * Announces each missed due time once: marks the report (conditional update, so concurrent runs
 * and repeated runs do nothing twice), tells the assigned officer, and pushes a live event that
 * turns the row red on every open console.
 */
export async function scanOverdue(ctx: Ctx): Promise<number> {
  const now = ctx.now()
  const due = await ctx.db
    .select({ id: reports.id })
    .from(reports)
    .where(
      and(
        eq(reports.stateType, 'open'),
        lt(reports.dueAt, now),
        or(sql`${reports.overdueNotifiedFor} is null`, sql`${reports.overdueNotifiedFor} <> ${reports.dueAt}`),
      ),
    )
    .limit(BATCH)
  let n = 0
  for (const { id } of due) {
    await ctx.db.transaction(async (tx) => {
      const t = withDb(ctx, tx)
      const [r] = await t.db
        .update(reports)
        .set({ overdueNotifiedFor: reports.dueAt })
        .where(
          and(
            eq(reports.id, id),
            eq(reports.stateType, 'open'),
            lt(reports.dueAt, now),
            or(sql`${reports.overdueNotifiedFor} is null`, sql`${reports.overdueNotifiedFor} <> ${reports.dueAt}`),
          ),
        )
        .returning()
      if (!r) return
      n++
      await addEvent(t, r.id, { action: 'overdue', internal: true, data: { dueReason: r.dueReason, dueAt: r.dueAt?.toISOString() } })
      if (r.officerId) {
        await notify(t, {
          recipientType: 'staff',
          recipientId: r.officerId,
          messageKey: 'reports.notify.staff_overdue',
          params: { number: r.number },
          link: `/console/reports/officer?id=${r.id}`,
        })
      }
      t.emit({
        type: 'report.overdue',
        audience: { unitIds: [r.unitId], staffIds: r.officerId ? [r.officerId] : [] },
        data: liveData(r, { dueReason: r.dueReason }),
      })
    })
  }
  return n
}

/** Fixed reports nobody disputed close on their own after the kind's autoCloseHours. */
export async function autoClose(ctx: Ctx): Promise<number> {
  const now = ctx.now()
  let n = 0
  for (const kind of await listKinds(ctx)) {
    const cutoff = new Date(now.getTime() - kind.autoCloseHours * 3_600_000)
    const rows = await ctx.db
      .select()
      .from(reports)
      .where(and(eq(reports.kind, kind.code), eq(reports.stateType, 'fixed'), isNotNull(reports.resolvedAt), lt(reports.resolvedAt, cutoff)))
      .limit(BATCH)
    for (const r of rows) {
      try {
        await ctx.db.transaction(async (tx) => {
          await applyTransition(withDb(ctx, tx), r, kind, { action: 'close', note: undefined })
        })
        n++
      } catch (err) {
        // Someone else acted on it meanwhile (version conflict): the next run looks again.
        ctx.deps.log.debug({ err, report: r.id }, 'auto-close skipped')
      }
    }
  }
  return n
}

export const reportJobs: Job[] = [
  { name: 'reports.overdue', everyMs: 60_000, run: async (ctx) => void (await scanOverdue(ctx)) },
  { name: 'reports.auto-close', everyMs: 15 * 60_000, run: async (ctx) => void (await autoClose(ctx)) },
]
