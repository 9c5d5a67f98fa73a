import type { TimelineEvent } from '@tp/shared'
import { toChinaDate } from '@tp/shared/calendar'
import {
  boxAround,
  CITIZEN_ONLY_ACTIONS,
  canDispute,
  canRate,
  haversineM,
  type KindConfig,
  machineFor,
  type NearbyReport,
  nextDue,
  publicLocation,
  type ReportCreate,
  type ReportDetail,
  type ReportSummary,
  validateAttributes,
} from '@tp/shared/reports/index'
import { and, desc, eq, gte, inArray, lt, lte, or, sql } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import { type Ctx, requireCitizen, withDb } from '../../platform/context'
import { decodeCursor, encodeCursor } from '../../platform/cursor'
import { AppError, badRequest, conflict, forbidden, notFound, unauthorized } from '../../platform/errors'
import { notify } from '../../platform/notify'
import { prepared } from '../../platform/prepared'
import { hit } from '../../platform/rate-limit'
import { inTransaction, pipeline } from '../../platform/tx'
import { units } from '../identity/identity.tables'
import { routePoint } from './grids.service'
import { getKind } from './kinds.service'
import { attachPhotos, photosOf } from './photos.service'
import { reportEvents, reportSightings, reportSupporters, reports } from './reports.tables'
import { execRows, iso, type ReportJoined, type ReportRow, selectReports, selectSummaries, toSummary } from './reports.view'
import { addEvent, applyTransition, audienceOf, liveData, type TransitionInput } from './transition'

export interface CreateMeta {
  source: 'h5' | 'open311' | 'staff'
  citizenId: string | null
  open311KeyId?: string | null
  open311Token?: string | null
}

const fieldError = (path: string, message: string, code = 'validation_failed') => new AppError(400, code, message, [{ path, message }])

/** Checks a submission against its kind's configuration (fields, plate, photo counts). */
export function checkAgainstKind(kind: KindConfig, input: ReportCreate, prefix = 'body') {
  if (!kind.active) throw fieldError(`${prefix}.kind`, 'This kind of report is not accepted at the moment', 'kind_inactive')
  if (kind.requiresPlate && !input.plate) throw fieldError(`${prefix}.plate`, 'The plate number is required for this kind of report')
  const errors = validateAttributes(kind, input.attributes ?? {})
  const entries = Object.entries(errors)
  if (entries.length)
    throw new AppError(
      400,
      'validation_failed',
      'Some fields are invalid',
      entries.map(([k, v]) => ({ path: `${prefix}.attributes.${k}`, message: v })),
    )
  const n = input.photoIds?.length ?? 0
  if (n < kind.minPhotos) throw fieldError(`${prefix}.photoIds`, `At least ${kind.minPhotos} photo(s) are required for this kind of report`)
  if (n > kind.maxPhotos) throw fieldError(`${prefix}.photoIds`, `At most ${kind.maxPhotos} photos`)
}

async function nextNumber(ctx: Ctx): Promise<string> {
  const [row] = await execRows<{ n: string }>(ctx.db, sql`select nextval('report_number_seq')::text as n`)
  const n = row?.n ?? '0'
  return `R${toChinaDate(ctx.now()).slice(2).replaceAll('-', '')}${n.padStart(5, '0')}`
}

/**
 * Files a report: routed to its grid (else the default queue); a zombie car already reported
 * nearby (same plate, open, within the merge radius) is merged into that report instead, under a
 * per-plate lock so two simultaneous reports cannot both open a case.
 */
export async function insertReport(
  ctx: Ctx,
  input: ReportCreate,
  meta: CreateMeta,
  kindOverride?: KindConfig,
): Promise<{ report: ReportRow; mergedInto: ReportRow | null; written: Written }> {
  const kind = kindOverride ?? (await getKind(ctx, input.kind))
  checkAgainstKind(kind, input)
  const now = ctx.now()
  return inTransaction(ctx, async (t) => {
    const plate = input.plate ?? null
    let target: ReportRow | null = null
    if (kind.course === 'zombie' && plate) {
      await t.db.execute(sql`select pg_advisory_xact_lock(hashtext(${`report-plate:${plate}`}))`)
      const radius = kind.zombie?.mergeRadiusM ?? 300
      const open = await t.db
        .select()
        .from(reports)
        .where(and(eq(reports.kind, kind.code), eq(reports.plate, plate), eq(reports.stateType, 'open')))
      target =
        open
          .map((r) => ({ r, d: haversineM(r, input) }))
          .filter((x) => x.d <= radius)
          .sort((a, b) => a.d - b.d)[0]?.r ?? null
    }
    const [route, number] = await pipeline([routePoint(t, input), nextNumber(t)])
    const state = target ? 'merged' : 'submitted'
    const due = target ? null : nextDue({ state: 'submitted', clockStartAt: now, reached: {} }, kind)
    const [report] = await t.db
      .insert(reports)
      .values({
        number,
        kind: kind.code,
        course: kind.course,
        state,
        stateType: target ? 'closed' : 'open',
        source: meta.source,
        citizenId: meta.citizenId,
        open311KeyId: meta.open311KeyId ?? null,
        open311Token: meta.open311Token ?? null,
        lat: input.lat,
        lng: input.lng,
        locationSource: input.locationSource,
        address: input.address,
        roadName: input.roadName ?? null,
        gridId: target?.gridId ?? route.gridId,
        unitId: target?.unitId ?? route.unitId,
        description: input.description,
        plate,
        attributes: input.attributes ?? {},
        clockStartAt: now,
        dueAt: due?.dueAt ?? null,
        dueReason: due?.reason ?? null,
        mergedIntoId: target?.id ?? null,
        finishedAt: target ? now : null,
        statusNote: target ? target.number : null,
        photoCount: input.photoIds?.length ?? 0,
        thumbFileId: input.photoIds?.[0] ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning()
    const row = report as ReportRow
    // A reporter filing the same car again is not a second witness: no sighting, no "me too".
    const ownCase = !!target && !!meta.citizenId && target.citizenId === meta.citizenId
    // Independent writes on the new row, pipelined: its photos, first timeline step, sighting, audit and inbox entry.
    const [photos, submitEventId, , , , unitName] = await pipeline([
      input.photoIds?.length ? attachPhotos(t, input.photoIds, { type: 'report', id: row.id }) : [],
      addEvent(t, row.id, { action: 'submit', toState: 'submitted', data: { gridName: route.gridName }, at: now }),
      kind.course === 'zombie' && !ownCase
        ? t.db
            .insert(reportSightings)
            .values({ reportId: (target ?? row).id, at: now, by: target ? 'citizen' : 'report', actorId: meta.citizenId })
            .execute()
        : null,
      audit(t, {
        entityType: 'report',
        entityId: row.id,
        action: 'report.create',
        after: { number, kind: kind.code, gridId: row.gridId, unitId: row.unitId, source: meta.source, mergedInto: target?.number ?? null },
        unitId: row.unitId,
      }),
      meta.citizenId
        ? notify(t, {
            recipientType: 'citizen',
            recipientId: meta.citizenId,
            messageKey: target ? 'reports.notify.merged_on_submit' : 'reports.notify.submitted',
            params: target ? { number, into: target.number } : { number },
            link: `/reports/${row.id}`,
          })
        : null,
      unitNameOf(t, row.unitId),
    ])
    const submitted: TimelineEvent = {
      id: submitEventId,
      at: now.toISOString(),
      action: 'submit',
      actorRole: t.actor.role,
      fromState: null,
      toState: 'submitted',
      note: null,
      attachments: [],
    }
    const written: Written = { report: { ...row, gridName: route.gridName, unitName, officerName: null }, history: { timeline: [submitted], photos } }
    if (target) {
      await addEvent({ ...t, actor: { kind: 'system', role: 'system' } }, row.id, {
        action: 'merge',
        fromState: 'submitted',
        toState: 'merged',
        note: null,
        data: { mergedIntoId: target.id, mergedIntoNumber: target.number, automatic: true },
      })
      const supported =
        meta.citizenId && !ownCase
          ? await t.db.insert(reportSupporters).values({ reportId: target.id, citizenId: meta.citizenId }).onConflictDoNothing().returning()
          : []
      const [updatedTarget] = await t.db
        .update(reports)
        .set({ meTooCount: sql`${reports.meTooCount} + ${meta.citizenId ? supported.length : 1}`, updatedAt: now })
        .where(eq(reports.id, target.id))
        .returning()
      await addEvent(t, target.id, { action: 'duplicate_merged', data: { number } })
      target = updatedTarget ?? target
      t.emit({ type: 'report.updated', audience: audienceOf(target), data: liveData(target, { action: 'duplicate_merged' }) })
    } else {
      t.emit({ type: 'report.created', audience: audienceOf(row), data: liveData(row, { address: row.address, dueAt: iso(row.dueAt) }) })
    }
    return { report: row, mergedInto: target, written }
  })
}

/** A new report as its detail view shows it, from the rows just written (no read-back). */
interface Written {
  report: ReportJoined
  history: Pick<ReportHistory, 'timeline' | 'photos'>
}

async function unitNameOf(ctx: Ctx, unitId: string): Promise<string | null> {
  const [u] = await ctx.db.select({ name: units.name }).from(units).where(eq(units.id, unitId))
  return u?.name ?? null
}

export async function createReport(ctx: Ctx, input: ReportCreate): Promise<ReportDetail> {
  const me = requireCitizen(ctx.actor)
  // Counted and the kind read side by side: the hit counts even when the kind refuses the report.
  const [, kind] = await pipeline([hit(ctx.db, { bucket: `report-create:${me.id}`, max: 30, windowMs: 3_600_000 }, ctx.now()), getKind(ctx, input.kind)])
  const { report, mergedInto, written } = await insertReport(ctx, input, { source: 'h5', citizenId: me.id }, kind)
  // A zombie car merged on submit answers as a read of it shows; a new report from the rows just written.
  return mergedInto ? citizenDetail(ctx, report.id) : ownDetail(ctx, written.report, written.history)
}

/** The reporter's own report, else 404. */
async function loadOwn(ctx: Ctx, id: string): Promise<ReportJoined> {
  const me = requireCitizen(ctx.actor)
  const [row] = await selectReports(ctx.db).where(and(eq(reports.id, id), eq(reports.citizenId, me.id)))
  if (!row) throw notFound('Report')
  return row
}

export type ReportHistory = Awaited<ReturnType<typeof timelineOf>>

export async function timelineOf(ctx: Ctx, reportId: string, opts: { internal: boolean }) {
  const events = await ctx.db
    .select()
    .from(reportEvents)
    .where(and(eq(reportEvents.reportId, reportId), opts.internal ? undefined : eq(reportEvents.internal, false)))
    .orderBy(reportEvents.at, reportEvents.seq)
  const { photos, byEvent } = await photosOf(
    ctx,
    reportId,
    events.map((e) => e.id),
  )
  const timeline: TimelineEvent[] = events
    .filter((e) => e.action !== 'note')
    .map((e) => ({
      id: e.id,
      at: e.at.toISOString(),
      action: e.action,
      actorRole: e.actorRole,
      fromState: e.fromState,
      toState: e.toState,
      note: e.note,
      attachments: byEvent.get(e.id) ?? [],
    }))
  return { events, timeline, photos }
}

/** Shared by the citizen's and the console's detail views. */
export async function detailCore(ctx: Ctx, r: ReportJoined, { timeline, photos }: Pick<ReportHistory, 'timeline' | 'photos'>) {
  const now = ctx.now()
  const [into] = r.mergedIntoId ? await ctx.db.select({ id: reports.id, number: reports.number }).from(reports).where(eq(reports.id, r.mergedIntoId)) : []
  return {
    ...toSummary(r, now),
    course: r.course,
    description: r.description,
    attributes: r.attributes,
    locationSource: r.locationSource as ReportDetail['locationSource'],
    photos,
    timeline,
    actions: [] as ReportDetail['actions'],
    canDispute: false,
    canRate: false,
    rating: r.ratedAt && r.rating ? { score: r.rating, comment: r.ratingComment, at: r.ratedAt.toISOString() } : null,
    mergedInto: into ?? null,
    meToo: false,
    noticeDueAt: iso(r.noticeDueAt),
    publicNoticeEndsAt: iso(r.publicNoticeEndsAt),
    finishedAt: iso(r.finishedAt),
  } satisfies ReportDetail
}

export async function citizenDetail(ctx: Ctx, id: string): Promise<ReportDetail> {
  // The timeline is read alongside the ownership check (pipelined) and shown only once that passes.
  const [r, history] = await pipeline([loadOwn(ctx, id), timelineOf(ctx, id, { internal: false })])
  return ownDetail(ctx, r, history)
}

/** The reporter's view of their report: the shared detail with what they may do next. */
async function ownDetail(ctx: Ctx, r: ReportJoined, history: Pick<ReportHistory, 'timeline' | 'photos'>): Promise<ReportDetail> {
  const detail = await detailCore(ctx, r, history)
  const now = ctx.now()
  const dispute = canDispute(r, now)
  const rate = canRate(r.outcome, r.state, r.ratedAt)
  const actions = machineFor(r.course)
    .actionsFor(r.state, 'citizen')
    .filter((a) => (a === 'dispute' ? dispute : a === 'rate' ? rate : true))
  // A report merged into someone else's counts its reporter as a "me too" there.
  const meToo = !!r.mergedIntoId && (await supportedBy(ctx, [r.mergedIntoId], r.citizenId as string)).has(r.mergedIntoId)
  return { ...detail, actions, canDispute: actions.includes('dispute'), canRate: actions.includes('rate'), meToo }
}

export async function listMine(ctx: Ctx, q: { limit: number; cursor?: string; stateType?: 'open' | 'closed' | 'fixed' }) {
  const me = requireCitizen(ctx.actor)
  const after = q.cursor ? decodeCursor(q.cursor) : null
  if (q.cursor && !after) throw badRequest('Invalid cursor', [{ path: 'query.cursor', message: 'Malformed cursor' }])
  const rows = await selectSummaries(ctx.db)
    .where(
      and(
        eq(reports.citizenId, me.id),
        q.stateType ? eq(reports.stateType, q.stateType) : undefined,
        after ? or(lt(reports.createdAt, after.at), and(eq(reports.createdAt, after.at), lt(reports.id, after.id))) : undefined,
      ),
    )
    .orderBy(desc(reports.createdAt), desc(reports.id))
    .limit(q.limit + 1)
  const page = rows.slice(0, q.limit)
  const last = page[page.length - 1]
  const now = ctx.now()
  return { items: page.map((r) => toSummary(r, now)), nextCursor: rows.length > q.limit && last ? encodeCursor(last.createdAt, last.id) : null }
}

/** The citizen's own actions (withdraw, dispute, rate), through the same machine as the staff's. */
export async function citizenAct(ctx: Ctx, id: string, input: TransitionInput): Promise<ReportDetail> {
  if (!CITIZEN_ONLY_ACTIONS.includes(input.action)) throw badRequest('Not a citizen action')
  const r = await loadOwn(ctx, id)
  const kind = await getKind(ctx, r.kind)
  await ctx.db.transaction(async (tx) => {
    await applyTransition(withDb(ctx, tx), r, kind, input)
  })
  return citizenDetail(ctx, id)
}

/**
 * Open reports of a kind in a box (lat/lng index), optionally of one plate, nearest first by a
 * flat-earth distance (exact enough at a few hundred metres to rank; `lngScale` is the squared
 * cosine of the latitude): read on every report form, prepared.
 */
const nearbyStatement = (withPlate: boolean) =>
  prepared((db) =>
    db
      .select({
        id: reports.id,
        number: reports.number,
        kind: reports.kind,
        course: reports.course,
        state: reports.state,
        stateType: reports.stateType,
        lat: reports.lat,
        lng: reports.lng,
        address: reports.address,
        roadName: reports.roadName,
        plate: reports.plate,
        meTooCount: reports.meTooCount,
        createdAt: reports.createdAt,
      })
      .from(reports)
      .where(
        and(
          eq(reports.kind, sql.placeholder('kind')),
          eq(reports.stateType, 'open'),
          gte(reports.lat, sql.placeholder('minLat')),
          lte(reports.lat, sql.placeholder('maxLat')),
          gte(reports.lng, sql.placeholder('minLng')),
          lte(reports.lng, sql.placeholder('maxLng')),
          withPlate ? eq(reports.plate, sql.placeholder('plate')) : undefined,
        ),
      )
      .orderBy(
        sql`(${reports.lat} - ${sql.placeholder('lat')}) * (${reports.lat} - ${sql.placeholder('lat')}) + (${reports.lng} - ${sql.placeholder('lng')}) * (${reports.lng} - ${sql.placeholder('lng')}) * ${sql.placeholder('lngScale')}`,
      )
      .limit(sql.placeholder('limit'))
      .prepare(withPlate ? 'reports_nearby_plate' : 'reports_nearby'),
  )
const nearbyOpen = nearbyStatement(false)
const nearbyOfPlate = nearbyStatement(true)

/** Plate look-ups (which open case concerns this car, and roughly where) per citizen and hour. */
export const PLATE_LOOKUP_LIMIT = { max: 30, windowMs: 3_600_000 }

/**
 * Open reports of the same kind near a point: a public view. Zombie cars are shown, filtered by
 * distance and measured from their ~250 m cell only, so repeated queries cannot narrow the spot
 * down; asking by plate (which case concerns this car) needs a signed-in citizen and is rate-limited.
 */
export async function nearby(ctx: Ctx, q: { kind: string; lat: number; lng: number; plate?: string }): Promise<NearbyReport[]> {
  const kind = await getKind(ctx, q.kind, 'query.kind')
  // Normalised by the query schema (normalisePlate), as filed plates are: 川A·12345 finds 川A12345.
  const plate = kind.course === 'zombie' ? q.plate : undefined
  if (plate) {
    if (ctx.actor.kind === 'anonymous') throw unauthorized('Sign in to look up a plate')
    if (ctx.actor.kind !== 'citizen') throw forbidden('Plate look-ups are for citizens filing a report')
    await hit(ctx.db, { bucket: `report-nearby-plate:${ctx.actor.id}`, ...PLATE_LOOKUP_LIMIT }, ctx.now())
  }
  const radius = plate ? Math.max(kind.nearbyRadiusM, kind.zombie?.mergeRadiusM ?? 0) : kind.nearbyRadiusM
  // A coarsened point lies up to half a cell's diagonal from the real one: search that much wider.
  const box = boxAround(q, kind.course === 'zombie' ? radius + COARSE_SLACK_M : radius)
  // The nearest candidates: twice the answer's 20 leaves room for the exact distance to reorder
  // near-ties; zombie cars are measured from their cell, not from where the query ranks them, so more.
  const near = {
    kind: kind.code,
    ...box,
    lat: q.lat,
    lng: q.lng,
    lngScale: Math.cos((q.lat * Math.PI) / 180) ** 2,
    limit: kind.course === 'zombie' ? 200 : NEARBY_ANSWER * 2,
  }
  const rows = await (plate ? nearbyOfPlate(ctx.db).execute({ ...near, plate }) : nearbyOpen(ctx.db).execute(near))
  return rows
    .map((r) => {
      const loc = publicLocation(r.course, r.state, r)
      const d = haversineM(q, loc)
      return { r, loc, d, within: d <= (loc.coarsened ? radius + COARSE_SLACK_M : radius) }
    })
    .filter((x) => x.within)
    .sort((a, b) => a.d - b.d || a.r.createdAt.getTime() - b.r.createdAt.getTime())
    .slice(0, NEARBY_ANSWER)
    .map(({ r, loc, d }) => ({
      id: r.id,
      number: r.number,
      kind: r.kind,
      state: r.state,
      stateType: r.stateType,
      lat: loc.lat,
      lng: loc.lng,
      address: r.course === 'zombie' ? (r.roadName ?? '') : r.address,
      // Rounded, and for zombie cars measured from the cell: nothing finer than the cell is revealed.
      distanceM: Math.max(10, Math.round(d / 10) * 10),
      meTooCount: r.meTooCount,
      samePlate: !!plate && r.plate === plate,
      createdAt: r.createdAt.toISOString(),
    }))
}

/** How many nearby reports a form is shown, nearest first. */
const NEARBY_ANSWER = 20

/** Half the diagonal of the 250 m cell zombie cars are shown in. */
const COARSE_SLACK_M = 180

/** "我也遇到": counts the citizen once; for a zombie car it is also a sighting (toward verification). */
export async function meToo(ctx: Ctx, id: string): Promise<{ meTooCount: number; meToo: boolean }> {
  const me = requireCitizen(ctx.actor)
  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const [r] = await t.db.select().from(reports).where(eq(reports.id, id))
    if (!r) throw notFound('Report')
    if (r.citizenId === me.id) throw conflict('own_report', 'This is your own report')
    if (r.stateType !== 'open') throw conflict('report_not_open', 'This report is no longer open')
    const added = await t.db.insert(reportSupporters).values({ reportId: id, citizenId: me.id, createdAt: t.now() }).onConflictDoNothing().returning()
    if (!added.length) return { meTooCount: r.meTooCount, meToo: true }
    const [u] = await t.db
      .update(reports)
      .set({ meTooCount: sql`${reports.meTooCount} + 1`, updatedAt: t.now() })
      .where(eq(reports.id, id))
      .returning()
    if (r.course === 'zombie') await t.db.insert(reportSightings).values({ reportId: id, at: t.now(), by: 'citizen', actorId: me.id })
    await addEvent(t, id, { action: 'me_too' })
    await audit(t, { entityType: 'report', entityId: id, action: 'report.me_too', unitId: r.unitId })
    const row = u as ReportRow
    t.emit({ type: 'report.updated', audience: { unitIds: [row.unitId] }, data: liveData(row, { action: 'me_too', meTooCount: row.meTooCount }) })
    return { meTooCount: row.meTooCount, meToo: true }
  })
}

export async function supportedBy(ctx: Ctx, reportIds: string[], citizenId: string): Promise<Set<string>> {
  if (!reportIds.length) return new Set()
  const rows = await ctx.db
    .select({ id: reportSupporters.reportId })
    .from(reportSupporters)
    .where(and(inArray(reportSupporters.reportId, reportIds), eq(reportSupporters.citizenId, citizenId)))
  return new Set(rows.map((r) => r.id))
}

export type { ReportSummary }
