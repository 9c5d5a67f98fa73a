import { type KeysetPage, maskText } from '@tp/shared'
import { dueLevelAt, followUpDueLevel } from '@tp/shared/ratings/due'
import { type FollowUpAction, followUpMachine, followUpRefusal, OPEN_FOLLOW_UP_STATES } from '@tp/shared/ratings/machine'
import type {
  CallBackBody,
  CloseBody,
  DecideContestBody,
  FollowUpCounts,
  FollowUpDetail,
  FollowUpListItem,
  FollowUpListQuery,
  RectifyBody,
  VerifyBody,
} from '@tp/shared/ratings/schemas'
import { and, asc, count, eq, ilike, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import { type Ctx, requireStaff, withDb } from '../../platform/context'
import { keysetSort } from '../../platform/cursor'
import { AppError, conflict, forbidden, invalidTransition, notFound, unprocessable } from '../../platform/errors'
import { notify } from '../../platform/notify'
import { files } from '../../platform/platform.tables'
import { type InspectedFile, storeUpload } from '../../platform/uploads'
import { queueTickets } from '../bookings/bookings.tables'
import { actorFields, chinaMonth, headsOf, inScope, loadWorkCalendar } from './common'
import { contactOf, type FollowUpRow, followUpQuery, guardInput, toDetail, toListItem } from './followup.view'
import { ratingCallBacks, ratingFollowUpEvents, ratingFollowUps, ratings } from './ratings.tables'

const OPEN = inArray(ratingFollowUps.state, [...OPEN_FOLLOW_UP_STATES])
const isWindowStaff = (ctx: Ctx) => ctx.actor.kind === 'staff' && ctx.actor.role === 'window_staff'

/** Follow-ups the actor may see: their unit scope; window staff only the cases about themselves. */
function visible(ctx: Ctx): SQL {
  const actor = requireStaff(ctx.actor)
  const scope = inScope(ctx, ratingFollowUps.unitId)
  return isWindowStaff(ctx) ? (and(scope, eq(ratingFollowUps.staffId, actor.id)) as SQL) : scope
}

const SORT_COLUMNS = { dueAt: ratingFollowUps.dueAt, openedAt: ratingFollowUps.openedAt, number: ratingFollowUps.number }

/** The list's sort: open cases first by due date, or one column either way; the id breaks ties. */
function followUpSort(q: Pick<FollowUpListQuery, 'sort' | 'order'>) {
  const id = ratingFollowUps.id
  if (!q.sort)
    return keysetSort('default', [
      { expr: sql`(${OPEN})`, type: 'boolean', desc: true },
      { expr: ratingFollowUps.dueAt, type: 'timestamptz' },
      { expr: id, type: 'uuid' },
    ])
  const desc = q.order === 'desc'
  return keysetSort(`${q.sort}:${desc ? 'desc' : 'asc'}`, [
    { expr: SORT_COLUMNS[q.sort], type: q.sort === 'number' ? 'text' : 'timestamptz', desc },
    { expr: id, type: 'uuid', desc },
  ])
}

export async function listFollowUps(ctx: Ctx, q: FollowUpListQuery): Promise<KeysetPage<FollowUpListItem>> {
  const actor = requireStaff(ctx.actor)
  const now = ctx.now()
  const sort = followUpSort(q)
  const pos = sort.decode(q.cursor)
  const where: (SQL | undefined)[] = [visible(ctx)]
  if (q.state) where.push(eq(ratingFollowUps.state, q.state))
  if (q.view === 'open') where.push(OPEN)
  if (q.view === 'overdue') where.push(and(OPEN, lt(ratingFollowUps.dueAt, now)))
  if (q.view === 'mine') where.push(eq(ratingFollowUps.staffId, actor.id))
  if (q.officeId) where.push(eq(ratingFollowUps.officeId, q.officeId))
  if (q.q) {
    const like = `%${q.q.replace(/[%_\\]/g, (m) => `\\${m}`)}%`
    where.push(
      or(
        ilike(ratingFollowUps.number, like),
        sql`exists (select 1 from ${queueTickets} t where t.id = ${ratingFollowUps.ticketId} and t.number ilike ${like})`,
      ),
    )
  }
  const cond = and(...where)
  // The page is chosen on the cases alone (counted beside it; one row more tells whether more
  // follow), then only its rows are joined to their ratings and tickets.
  const [counted, fetched] = await Promise.all([
    sort.total(ctx.db, ctx.db.select({ one: sql`1` }).from(ratingFollowUps).where(cond).$dynamic()),
    ctx.db
      .select({ id: ratingFollowUps.id, keys: sort.keys })
      .from(ratingFollowUps)
      .where(and(cond, sort.where(pos)))
      .orderBy(...sort.orderBy(pos))
      .limit(q.pageSize + 1),
  ])
  const { rows, nextCursor, prevCursor } = sort.page(fetched, q.pageSize, pos, (r) => r.keys)
  const joined = rows.length
    ? await followUpQuery(ctx.db).where(
        inArray(
          ratingFollowUps.id,
          rows.map((r) => r.id),
        ),
      )
    : []
  const byId = new Map(joined.map((j) => [j.f.id, toListItem(j, now)]))
  return { items: rows.flatMap((r) => byId.get(r.id) ?? []), ...counted, nextCursor, prevCursor }
}

async function loadVisible(ctx: Ctx, id: string) {
  const [j] = await followUpQuery(ctx.db).where(and(eq(ratingFollowUps.id, id), visible(ctx)))
  if (!j) throw notFound('Follow-up case')
  return j
}

export async function getFollowUp(ctx: Ctx, id: string): Promise<FollowUpDetail> {
  return toDetail(ctx, await loadVisible(ctx, id))
}

/** Counts in SQL: overdue = open past the due time; due soon = open from `soon_at` (two thirds used) until due. */
export async function followUpCounts(ctx: Ctx): Promise<FollowUpCounts> {
  const now = ctx.now()
  const at = sql`${now.toISOString()}::timestamptz`
  const F = ratingFollowUps
  const monthStart = new Date(Date.parse(`${chinaMonth(now)}-01T00:00:00+08:00`))
  const byState = await ctx.db
    .select({
      state: F.state,
      n: count(),
      overdue: sql<number>`count(*) filter (where ${F.dueAt} < ${at})`.mapWith(Number),
      soon: sql<number>`count(*) filter (where ${F.dueAt} >= ${at} and coalesce(${F.soonAt}, ${F.dueAt}) <= ${at})`.mapWith(Number),
      closedThisMonth: sql<number>`count(*) filter (where ${F.closedAt} >= ${monthStart.toISOString()}::timestamptz)`.mapWith(Number),
      closedOnTime: sql<number>`count(*) filter (where ${F.closedAt} >= ${monthStart.toISOString()}::timestamptz and ${F.closedAt} <= ${F.dueAt})`.mapWith(
        Number,
      ),
    })
    .from(F)
    .where(visible(ctx))
    .groupBy(F.state)
  const open = byState.filter((s) => followUpMachine.typeOf(s.state) === 'open')
  const closed = byState.find((s) => s.state === 'closed')
  const sum = (rows: typeof byState, k: 'n' | 'overdue' | 'soon') => rows.reduce((n, r) => n + r[k], 0)
  return {
    open: sum(open, 'n'),
    overdue: sum(open, 'overdue'),
    dueSoon: sum(open, 'soon'),
    contested: byState.find((s) => s.state === 'contested')?.n ?? 0,
    closedThisMonth: closed?.closedThisMonth ?? 0,
    closedOnTimeThisMonth: closed?.closedOnTime ?? 0,
    byState: Object.fromEntries(byState.map((s) => [s.state, s.n])),
  }
}

// ---------------------------------------------------------------------------------------------
// Transitions

interface Step {
  patch: (f: FollowUpRow, now: Date) => Partial<typeof ratingFollowUps.$inferInsert>
  note: string | null
  /** Shown to the citizen (with `publicNote`). */
  public: boolean
  publicNote?: string | null
  fileIds?: string[]
  /** Extra work in the transaction (call-back records …). */
  also?: (ctx: Ctx, f: FollowUpRow) => Promise<void>
  /** Citizen notification key for this step, if any. */
  notifyCitizen?: string
}

const REFUSAL_ERRORS = {
  not_rated_staff: () => forbidden('Only the staff member who was rated may contest it'),
  own_contest: () => forbidden('A contest is decided by another unit head'),
  no_call_back: () => conflict('call_back_required', 'Call the citizen back first (回访)'),
} as const

/**
 * One state change: loads the case in scope (404 outside), checks the version the actor saw
 * (409 `version_conflict` with the current version), the machine and the guard, then updates
 * conditionally on (id, version) so two unit heads acting at once get one success and one 409.
 * Timeline event, audit, notifications and the live event go with it.
 */
async function transition(ctx: Ctx, id: string, version: number, action: FollowUpAction, step: Step): Promise<FollowUpDetail> {
  await ctx.db.transaction(async (tx) => {
    const c = withDb(ctx, tx)
    const j = await loadVisible(c, id)
    const f = j.f
    if (f.version !== version) throw conflict('version_conflict', 'The case changed meanwhile; reload it', { current: f.version, state: f.state })
    const refusal = followUpRefusal({ ...(await guardInput(c, f)), action })
    if (refusal === 'not_allowed') throw invalidTransition(f.state, action)
    if (refusal) throw REFUSAL_ERRORS[refusal]()
    const to = followUpMachine.next(f.state, action, ctx.actor.role === 'anonymous' ? 'citizen' : ctx.actor.role)
    if (!to) throw invalidTransition(f.state, action)
    const now = ctx.now()
    const [row] = await tx
      .update(ratingFollowUps)
      .set({ ...step.patch(f, now), state: to, version: sql`${ratingFollowUps.version} + 1`, updatedAt: now })
      .where(and(eq(ratingFollowUps.id, f.id), eq(ratingFollowUps.version, f.version)))
      .returning()
    if (!row) throw conflict('version_conflict', 'The case changed meanwhile; reload it', { state: f.state })
    await step.also?.(c, row)
    await tx.insert(ratingFollowUpEvents).values({
      followUpId: f.id,
      at: now,
      action,
      ...actorFields(ctx),
      fromState: f.state,
      toState: to,
      note: step.note,
      public: step.public,
      publicNote: step.publicNote ?? null,
      fileIds: step.fileIds ?? [],
    })
    await audit(c, {
      entityType: 'rating_followup',
      entityId: f.id,
      action: `rating_followup.${action}`,
      before: { state: f.state, version: f.version },
      after: { state: to, version: row.version, note: step.note ? maskText(step.note) : null },
      unitId: f.unitId,
    })
    if (step.notifyCitizen && f.citizenId) {
      await notify(c, {
        recipientType: 'citizen',
        recipientId: f.citizenId,
        messageKey: step.notifyCitizen,
        params: { number: f.number },
        link: `/ratings/${f.ticketId}`,
      })
    }
    ctx.emit({
      type: 'rating.followup.changed',
      audience: { unitIds: [f.unitId], ...(f.citizenId && step.public ? { citizenIds: [f.citizenId] } : {}) },
      data: { id: f.id, state: to, version: row.version },
    })
  })
  return getFollowUp(ctx, id)
}

export function verifyFollowUp(ctx: Ctx, id: string, b: VerifyBody) {
  return transition(ctx, id, b.version, 'verify', {
    patch: (_f, now) => ({ verifiedAt: now, verification: b.note }),
    note: b.note,
    public: true,
    notifyCitizen: 'ratings.notify.verified',
  })
}

export function recordCallBack(ctx: Ctx, id: string, b: CallBackBody) {
  const now = ctx.now()
  const calledAt = b.calledAt ? new Date(b.calledAt) : now
  if (calledAt.getTime() > now.getTime() + 60_000)
    throw new AppError(400, 'validation_failed', 'The call cannot be in the future', [{ path: 'body.calledAt', message: 'In the future' }])
  return transition(ctx, id, b.version, 'call_back', {
    patch: (f) => (f.calledBackAt ? {} : { calledBackAt: calledAt }),
    note: b.note,
    public: true,
    also: async (c, f) => {
      await c.db.insert(ratingCallBacks).values({
        followUpId: f.id,
        calledAt,
        method: b.method,
        reached: b.reached,
        feedback: b.feedback ?? null,
        note: b.note,
        recordedBy: ctx.actor.kind === 'staff' ? ctx.actor.id : null,
        createdAt: now,
      })
    },
  })
}

export function rectifyFollowUp(ctx: Ctx, id: string, b: RectifyBody) {
  return transition(ctx, id, b.version, 'rectify', {
    patch: (_f, now) => ({ rectifiedAt: now, rectification: b.measures }),
    note: b.measures,
    public: true,
    publicNote: b.measures,
    notifyCitizen: 'ratings.notify.rectified',
  })
}

export function closeFollowUp(ctx: Ctx, id: string, b: CloseBody) {
  return transition(ctx, id, b.version, 'close', {
    patch: (_f, now) => ({ closedAt: now, outcome: b.outcome }),
    note: b.outcome,
    public: true,
    publicNote: b.outcome,
    notifyCitizen: 'ratings.notify.closed',
  })
}

/** The rated staff member contests a malicious rating with evidence (photos or PDF). */
export async function contestFollowUp(ctx: Ctx, id: string, input: { version: number; reason: string }, evidence: InspectedFile[]) {
  const actor = requireStaff(ctx.actor)
  // Checked before storing anything: the files are kept only for a contest that can go ahead.
  const j = await loadVisible(ctx, id)
  const refusal = followUpRefusal({ ...(await guardInput(ctx, j.f)), action: 'contest' })
  if (refusal === 'not_allowed') throw invalidTransition(j.f.state, 'contest')
  if (refusal) throw REFUSAL_ERRORS[refusal]()
  if (evidence.length === 0)
    throw unprocessable('evidence_required', 'Attach the evidence (recording stills, documents)', [{ path: 'body.evidence', message: 'Required' }])
  const stored = []
  for (const file of evidence) stored.push(await storeUpload(ctx, file, { type: 'staff', id: actor.id }, { type: 'rating_contest', id }))
  const result = await transition(ctx, id, input.version, 'contest', {
    patch: (_f, now) => ({
      contestReason: input.reason,
      contestedBy: actor.id,
      contestedAt: now,
      contestDecision: null,
      contestDecidedAt: null,
      contestDecidedBy: null,
      contestNote: null,
    }),
    note: input.reason,
    public: false,
    fileIds: stored.map((s) => s.id),
  })
  const [f] = await ctx.db.select().from(ratingFollowUps).where(eq(ratingFollowUps.id, id))
  if (f) {
    for (const head of await headsOf(ctx.db, f.unitId)) {
      await notify(ctx, {
        recipientType: 'staff',
        recipientId: head,
        messageKey: 'ratings.notify.contested',
        params: { number: f.number, staff: actor.name },
        link: `/console/ratings/followups/${f.id}`,
      })
    }
  }
  return result
}

/**
 * The unit head decides a contest: upheld — the rating was malicious, it is excluded from the
 * statistics and the case is voided (the citizen is told `publicNote`); rejected — back to verified.
 */
export async function decideContest(ctx: Ctx, id: string, b: DecideContestBody) {
  const upheld = b.decision === 'uphold'
  if (upheld && !b.publicNote) throw new AppError(400, 'validation_failed', 'Say what the citizen is told', [{ path: 'body.publicNote', message: 'Required' }])
  const me = ctx.actor.kind === 'staff' ? ctx.actor.id : null
  const detail = await transition(ctx, id, b.version, upheld ? 'uphold_contest' : 'reject_contest', {
    patch: (_f, now) => ({
      contestDecision: upheld ? 'upheld' : 'rejected',
      contestDecidedBy: me,
      contestDecidedAt: now,
      contestNote: b.note,
      ...(upheld ? { closedAt: now, outcome: b.publicNote ?? null } : { verifiedAt: now }),
    }),
    note: b.note,
    public: upheld,
    publicNote: upheld ? (b.publicNote ?? null) : null,
    notifyCitizen: upheld ? 'ratings.notify.voided' : undefined,
    also: async (c, f) => {
      if (upheld) await c.db.update(ratings).set({ excluded: true }).where(eq(ratings.id, f.ratingId))
      if (f.contestedBy) {
        await notify(c, {
          recipientType: 'staff',
          recipientId: f.contestedBy,
          messageKey: upheld ? 'ratings.notify.contestUpheld' : 'ratings.notify.contestRejected',
          params: { number: f.number },
          link: `/console/ratings/followups/${f.id}`,
        })
      }
    },
  })
  return detail
}

/** The number to call back, unmasked: unit heads only, audited as a view of personal data. */
export async function followUpContact(ctx: Ctx, id: string): Promise<{ phone: string | null; source: 'evaluator' | 'account' | null }> {
  const j = await loadVisible(ctx, id)
  const phone = contactOf(j)
  await audit(ctx, {
    entityType: 'rating_followup',
    entityId: j.f.id,
    action: 'citizen.view_personal_data',
    after: { followUp: j.f.number, fields: ['contactPhone'] },
    unitId: j.f.unitId,
  })
  return { phone, source: j.r.contactPhone ? 'evaluator' : phone ? 'account' : null }
}

/** Contest evidence: staff who may see the case. */
export async function readEvidence(ctx: Ctx, fileId: string, thumb: boolean) {
  const [f] = await ctx.db
    .select()
    .from(files)
    .where(and(eq(files.id, fileId), eq(files.entityType, 'rating_contest')))
  if (!f?.entityId) throw notFound('File')
  await loadVisible(ctx, f.entityId)
  const key = thumb && f.thumbKey ? f.thumbKey : f.storageKey
  return { bytes: await ctx.deps.storage.get(key), contentType: thumb && f.thumbKey ? 'image/jpeg' : f.contentType, name: f.name }
}

// ---------------------------------------------------------------------------------------------
// Job: reminders at two thirds of the period, and once overdue

/** Idempotent: each mark is set by a conditional update, so a reminder goes out once. */
export async function remindFollowUps(ctx: Ctx): Promise<{ reminded: number; overdue: number }> {
  const now = ctx.now()
  const cal = await loadWorkCalendar(ctx.db)
  const open = await ctx.db
    .select()
    .from(ratingFollowUps)
    .where(
      and(
        OPEN,
        or(
          and(isNull(ratingFollowUps.remindedAt), sql`coalesce(${ratingFollowUps.soonAt}, ${ratingFollowUps.openedAt}) <= ${now.toISOString()}::timestamptz`),
          and(isNull(ratingFollowUps.overdueNotifiedAt), lt(ratingFollowUps.dueAt, now)),
        ),
      ),
    )
    .orderBy(asc(ratingFollowUps.dueAt))
    .limit(500)
  let reminded = 0
  let overdue = 0
  for (const f of open) {
    const level = f.soonAt ? dueLevelAt(f.soonAt, f.dueAt, now) : followUpDueLevel(f.openedAt, f.dueAt, now, { followUp: f.policy }, cal)
    if (level === 'ok') continue
    const mark = level === 'overdue' ? ratingFollowUps.overdueNotifiedAt : ratingFollowUps.remindedAt
    if ((level === 'overdue' ? f.overdueNotifiedAt : f.remindedAt) !== null) continue
    await ctx.db.transaction(async (tx) => {
      const c = withDb(ctx, tx)
      const set = level === 'overdue' ? { overdueNotifiedAt: now, remindedAt: f.remindedAt ?? now } : { remindedAt: now }
      const [hit] = await tx
        .update(ratingFollowUps)
        .set(set)
        .where(and(eq(ratingFollowUps.id, f.id), isNull(mark)))
        .returning({ id: ratingFollowUps.id })
      if (!hit) return
      level === 'overdue' ? overdue++ : reminded++
      for (const head of await headsOf(tx, f.unitId)) {
        await notify(c, {
          recipientType: 'staff',
          recipientId: head,
          messageKey: level === 'overdue' ? 'ratings.notify.overdue' : 'ratings.notify.dueSoon',
          params: { number: f.number, dueDate: f.dueDate },
          link: `/console/ratings/followups/${f.id}`,
        })
      }
      await tx.insert(ratingFollowUpEvents).values({
        followUpId: f.id,
        at: now,
        action: level === 'overdue' ? 'overdue' : 'reminder',
        actorType: 'system',
        actorRole: 'system',
        actorId: null,
        fromState: f.state,
        toState: f.state,
        note: null,
        public: false,
      })
    })
  }
  return { reminded, overdue }
}
