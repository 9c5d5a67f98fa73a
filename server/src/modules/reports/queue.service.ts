import { maskName, maskPhone } from '@tp/shared'
import {
  boxAround,
  CITIZEN_ONLY_ACTIONS,
  type ConsoleListQuery,
  type ConsoleReportDetail,
  haversineM,
  machineFor,
  reportActionsFor,
  type StaffActionBody,
} from '@tp/shared/reports/index'
import { and, asc, desc, eq, gte, ilike, inArray, lt, lte, ne, or, sql } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import { type Ctx, requireStaff, withDb } from '../../platform/context'
import { decodeCursor, encodeCursor } from '../../platform/cursor'
import { AppError, badRequest, conflict, notFound } from '../../platform/errors'
import { listPlaceholders, listValues, preparedShapes } from '../../platform/prepared'
import { citizens, staff, units } from '../identity/identity.tables'
import { getKind } from './kinds.service'
import { detailCore, timelineOf } from './reports.service'
import { grids, reportSightings, reportSupporters, reports } from './reports.tables'
import { iso, type ReportJoined, selectReports, selectSummaries, toSummary, tsParam } from './reports.view'
import { actorsOn, addEvent, applyTransition, audienceOf, liveData } from './transition'

/** A report in the staff member's unit scope (or assigned to them from another unit), else 404. */
export async function loadScoped(ctx: Ctx, id: string): Promise<ReportJoined> {
  const actor = requireStaff(ctx.actor)
  const [row] = await selectReports(ctx.db).where(and(eq(reports.id, id), or(inArray(reports.unitId, [...actor.unitScope]), eq(reports.officerId, actor.id))))
  if (!row) throw notFound('Report')
  return row
}

export async function consoleList(ctx: Ctx, q: ConsoleListQuery) {
  const actor = requireStaff(ctx.actor)
  const after = q.cursor ? decodeCursor(q.cursor) : null
  if (q.cursor && !after) throw badRequest('Invalid cursor', [{ path: 'query.cursor', message: 'Malformed cursor' }])
  if (q.unitId && !actor.unitScope.includes(q.unitId)) throw notFound('Unit')
  const states = q.state
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const now = ctx.now()
  // "Mine": every report dispatched to me, also one the command centre sent from another unit.
  const units = q.mine === 'true' && !q.unitId ? [] : q.unitId ? await subtree(ctx, q.unitId) : actor.unitScope
  const shape: ListShape = {
    units: units.length,
    kind: !!q.kind,
    states: states?.length ?? 0,
    stateType: !!q.stateType,
    grid: !!q.gridId,
    overdue: q.overdue ?? '',
    mine: q.mine === 'true',
    text: !!q.q,
    after: !!after,
  }
  const rows = await consoleListStatement(ctx.db, shape).execute({
    ...listValues('unit', units),
    ...listValues('state', states ?? []),
    kind: q.kind,
    stateType: q.stateType,
    gridId: q.gridId,
    now: now.toISOString(),
    officerId: actor.id,
    like: q.q ? `%${q.q.replace(/[%_\\]/g, (m) => `\\${m}`)}%` : undefined,
    afterAt: after?.at.toISOString(),
    afterId: after?.id,
    limit: q.limit + 1,
  })
  const page = rows.slice(0, q.limit)
  const last = page[page.length - 1]
  return { items: page.map((r) => toSummary(r, now)), nextCursor: rows.length > q.limit && last ? encodeCursor(last.createdAt, last.id) : null }
}

/** Which filters a console list applies (and how many units and states it lists): its statement's shape. */
interface ListShape {
  units: number
  kind: boolean
  states: number
  stateType: boolean
  grid: boolean
  overdue: 'true' | 'false' | ''
  mine: boolean
  text: boolean
  after: boolean
}

/** The dispatcher's queue is the console's busiest read: one prepared statement per filter shape. */
const consoleListStatement = preparedShapes(
  (s: ListShape) => Object.values(s).join(':'),
  (db, s: ListShape, key) => {
    const now = sql.placeholder('now')
    const like = sql.placeholder('like')
    const afterAt = sql.placeholder('afterAt')
    return selectSummaries(db)
      .where(
        and(
          s.units ? inArray(reports.unitId, listPlaceholders('unit', s.units)) : undefined,
          s.kind ? eq(reports.kind, sql.placeholder('kind')) : undefined,
          s.states ? inArray(reports.state, listPlaceholders('state', s.states)) : undefined,
          s.stateType ? eq(reports.stateType, sql.placeholder('stateType')) : undefined,
          s.grid ? eq(reports.gridId, sql.placeholder('gridId')) : undefined,
          s.overdue === 'true' ? and(eq(reports.stateType, 'open'), lt(reports.dueAt, now)) : undefined,
          s.overdue === 'false' ? or(sql`${reports.dueAt} is null`, gte(reports.dueAt, now)) : undefined,
          s.mine ? eq(reports.officerId, sql.placeholder('officerId')) : undefined,
          s.text ? or(ilike(reports.number, like), ilike(reports.plate, like), ilike(reports.address, like)) : undefined,
          s.after ? or(lt(reports.createdAt, afterAt), and(eq(reports.createdAt, afterAt), lt(reports.id, sql.placeholder('afterId')))) : undefined,
        ),
      )
      .orderBy(desc(reports.createdAt), desc(reports.id))
      .limit(sql.placeholder('limit'))
      .prepare(`reports_console_${key}`)
  },
)

async function subtree(ctx: Ctx, unitId: string): Promise<string[]> {
  const rows = await ctx.db.select({ id: units.id }).from(units).where(sql`${unitId} = any(${units.path})`)
  return rows.map((r) => r.id)
}

/** Counters for the queue header and dashboards. */
export async function queueCounts(ctx: Ctx) {
  const actor = requireStaff(ctx.actor)
  const now = ctx.now()
  const soon = new Date(now.getTime() + 15 * 60_000)
  const [row] = await ctx.db
    .select({
      open: sql<number>`count(*) filter (where ${reports.stateType} = 'open')::int`,
      submitted: sql<number>`count(*) filter (where ${reports.state} = 'submitted')::int`,
      overdue: sql<number>`count(*) filter (where ${reports.stateType} = 'open' and ${reports.dueAt} < ${tsParam(now)})::int`,
      dueSoon: sql<number>`count(*) filter (where ${reports.stateType} = 'open' and ${reports.dueAt} >= ${tsParam(now)} and ${reports.dueAt} < ${tsParam(soon)})::int`,
      mine: sql<number>`count(*) filter (where ${reports.stateType} = 'open' and ${reports.officerId} = ${actor.id})::int`,
      today: sql<number>`count(*) filter (where ${reports.createdAt} >= ${tsParam(new Date(now.getTime() - 86_400_000))})::int`,
    })
    .from(reports)
    .where(inArray(reports.unitId, [...actor.unitScope]))
  return row ?? { open: 0, submitted: 0, overdue: 0, dueSoon: 0, mine: 0, today: 0 }
}

export async function consoleDetail(ctx: Ctx, id: string): Promise<ConsoleReportDetail> {
  const actor = requireStaff(ctx.actor)
  const r = await loadScoped(ctx, id)
  const kind = await getKind(ctx, r.kind)
  const history = await timelineOf(ctx, r.id, { internal: true })
  const detail = await detailCore(ctx, r, history)
  const now = ctx.now()
  const [citizen] = r.citizenId ? await ctx.db.select({ name: citizens.name, phone: citizens.phone }).from(citizens).where(eq(citizens.id, r.citizenId)) : []
  const box = boxAround(r, kind.nearbyRadiusM)
  const near = await selectSummaries(ctx.db)
    .where(
      and(
        eq(reports.kind, r.kind),
        eq(reports.stateType, 'open'),
        ne(reports.id, r.id),
        inArray(reports.unitId, [...actor.unitScope]),
        gte(reports.lat, box.minLat),
        lte(reports.lat, box.maxLat),
        gte(reports.lng, box.minLng),
        lte(reports.lng, box.maxLng),
      ),
    )
    .limit(50)
  const merged = await selectSummaries(ctx.db).where(eq(reports.mergedIntoId, r.id)).orderBy(asc(reports.createdAt)).limit(100)
  const sightings = await ctx.db.select().from(reportSightings).where(eq(reportSightings.reportId, r.id)).orderBy(asc(reportSightings.at))
  const actions = reportActionsFor(machineFor(r.course), r.state, actorsOn(ctx, r)).filter((a) => !CITIZEN_ONLY_ACTIONS.includes(a))
  return {
    ...detail,
    actions,
    version: r.version,
    gridId: r.gridId,
    unitId: r.unitId,
    officerId: r.officerId,
    acknowledgedAt: iso(r.acknowledgedAt),
    citizen: citizen ? { name: maskName(citizen.name) || '—', phone: maskPhone(citizen.phone) } : null,
    source: r.source,
    nearby: near
      .map((n) => ({ ...toSummary(n, now), distanceM: Math.round(haversineM(r, n)) }))
      .filter((n) => n.distanceM <= kind.nearbyRadiusM)
      .sort((a, b) => a.distanceM - b.distanceM),
    merged: merged.map((m) => toSummary(m, now)),
    sightings: sightings.map((s) => ({ at: s.at.toISOString(), by: s.by, note: s.note })),
    notes: history.events
      .filter((e) => e.action === 'note')
      .map((e) => ({ id: e.id, at: e.at.toISOString(), author: e.actorName ?? e.actorRole, text: e.note ?? '' })),
  }
}

/** The full name and phone of the reporter, shown on request and audited. */
export async function revealReporter(ctx: Ctx, id: string) {
  const r = await loadScoped(ctx, id)
  if (!r.citizenId) throw notFound('Reporter')
  const [c] = await ctx.db.select({ name: citizens.name, phone: citizens.phone }).from(citizens).where(eq(citizens.id, r.citizenId))
  if (!c) throw notFound('Reporter')
  await audit(ctx, {
    entityType: 'citizen',
    entityId: r.citizenId,
    action: 'citizen.view_personal_data',
    after: { reason: 'report', reportId: r.id },
    unitId: r.unitId,
  })
  return { name: c.name ?? '', phone: c.phone ?? '' }
}

export async function staffAct(ctx: Ctx, id: string, body: StaffActionBody) {
  if (CITIZEN_ONLY_ACTIONS.includes(body.action)) throw invalidStaffAction(body.action)
  if (body.action === 'merge')
    throw badRequest('Use the merge endpoint to close duplicates', [{ path: 'body.action', message: 'Use POST /api/console/reports/merge' }])
  const r = await loadScoped(ctx, id)
  const kind = await getKind(ctx, r.kind)
  await ctx.db.transaction(async (tx) => {
    await applyTransition(withDb(ctx, tx), r, kind, body)
  })
  return consoleDetail(ctx, id)
}

const invalidStaffAction = (action: string) => new AppError(409, 'invalid_transition', `Staff cannot ${action} a report`, undefined, { action })

export async function addNote(ctx: Ctx, id: string, text: string) {
  const r = await loadScoped(ctx, id)
  await ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    await addEvent(t, r.id, { action: 'note', note: text, internal: true })
    await t.db.update(reports).set({ updatedAt: t.now() }).where(eq(reports.id, r.id))
    await audit(t, { entityType: 'report', entityId: r.id, action: 'report.note', after: { length: text.length }, unitId: r.unitId })
  })
  ctx.emit({ type: 'report.updated', audience: { unitIds: [r.unitId] }, data: liveData(r, { action: 'note' }) })
  return consoleDetail(ctx, id)
}

/** Bulk close duplicates: each one is merged into `intoId` (its reporter counts as a "me too"). */
export async function mergeDuplicates(ctx: Ctx, intoId: string, ids: string[], note?: string) {
  if (ids.includes(intoId)) throw badRequest('A report cannot be merged into itself', [{ path: 'body.ids', message: 'Contains intoId' }])
  const target = await loadScoped(ctx, intoId)
  if (target.stateType !== 'open') throw conflict('report_not_open', `Report ${target.number} is not open`)
  const unique = [...new Set(ids)]
  const rows = await Promise.all(unique.map((id) => loadScoped(ctx, id)))
  const kind = await getKind(ctx, target.kind)
  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    let supporters = 0
    for (const r of rows) {
      if (r.kind !== target.kind) throw conflict('kind_mismatch', `Report ${r.number} is of another kind`)
      await applyTransition(t, r, kind, { action: 'merge', note: note ?? target.number, mergedIntoId: target.id })
      if (r.citizenId && r.citizenId !== target.citizenId) {
        const added = await t.db.insert(reportSupporters).values({ reportId: target.id, citizenId: r.citizenId }).onConflictDoNothing().returning()
        supporters += added.length
      }
    }
    const [u] = await t.db
      .update(reports)
      .set({ meTooCount: sql`${reports.meTooCount} + ${supporters}`, updatedAt: t.now() })
      .where(eq(reports.id, target.id))
      .returning()
    await addEvent(t, target.id, { action: 'duplicates_merged', data: { numbers: rows.map((r) => r.number) } })
    if (u) t.emit({ type: 'report.updated', audience: audienceOf(u), data: liveData(u, { action: 'duplicates_merged' }) })
    return { merged: rows.length, intoId: target.id }
  })
}

/** On-duty officers the report can go to: the grid's officer first, then by workload. */
export async function officersFor(ctx: Ctx, id: string) {
  const actor = requireStaff(ctx.actor)
  const r = await loadScoped(ctx, id)
  const [grid] = r.gridId ? await ctx.db.select({ officerId: grids.officerId }).from(grids).where(eq(grids.id, r.gridId)) : []
  const rows = await ctx.db
    .select({ id: staff.id, name: staff.name, unitName: units.name })
    .from(staff)
    .innerJoin(units, eq(units.id, staff.unitId))
    .where(and(eq(staff.role, 'dispatcher'), eq(staff.active, true), eq(staff.onDuty, true), inArray(staff.unitId, [...actor.unitScope])))
  const load = await ctx.db
    .select({ officerId: reports.officerId, n: sql<number>`count(*)::int` })
    .from(reports)
    .where(and(eq(reports.stateType, 'open'), inArray(reports.officerId, rows.map((o) => o.id).concat('00000000-0000-0000-0000-000000000000'))))
    .groupBy(reports.officerId)
  const byOfficer = new Map(load.map((l) => [l.officerId, l.n]))
  return rows
    .map((o) => ({ ...o, gridOfficer: o.id === grid?.officerId, openAssigned: byOfficer.get(o.id) ?? 0 }))
    .sort((a, b) => Number(b.gridOfficer) - Number(a.gridOfficer) || a.openAssigned - b.openAssigned || a.name.localeCompare(b.name))
}
