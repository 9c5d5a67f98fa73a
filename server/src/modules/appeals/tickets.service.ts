import { type AppealTypeConfig, typesFor } from '@tp/shared/appeals/config'
import type { FileRef, StaffTicketView, TicketView } from '@tp/shared/appeals/schemas'
import { and, desc, eq, ilike, inArray, isNull, or, type SQL, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Ctx } from '../../platform/context'
import { requireCitizen, requireStaff } from '../../platform/context'
import { keysetSort } from '../../platform/cursor'
import { notFound } from '../../platform/errors'
import { files } from '../../platform/platform.tables'
import { hit } from '../../platform/rate-limit'
import { units, vehicles } from '../identity/identity.tables'
import { appealIsOpen, appeals, ticketImports, tickets } from './appeals.tables'
import { appealTypes } from './types.service'

export type TicketRow = typeof tickets.$inferSelect
type OpenAppeal = { id: string; number: string; state: (typeof appeals.$inferSelect)['state'] } | null

export function fileRef(f: typeof files.$inferSelect): FileRef {
  return {
    id: f.id,
    name: f.name,
    contentType: f.contentType,
    size: f.size,
    url: `/api/appeals/files/${f.id}`,
    thumbUrl: f.thumbKey ? `/api/appeals/files/${f.id}?thumb=1` : null,
  }
}

/** The unit where the violation happened (the issuing unit unless the record names another). */
export const occurredUnit = (t: Pick<TicketRow, 'unitId' | 'occurredUnitId'>) => t.occurredUnitId ?? t.unitId

/** `types`: the appeal types as configured now (types.service `appealTypes`); a ticket offers the active ones that fit it. */
export function ticketView(t: TicketRow, unitName: string, openAppeal: OpenAppeal, types: readonly AppealTypeConfig[]): TicketView {
  return {
    id: t.id,
    decisionNo: t.decisionNo,
    plate: t.plate,
    occurredAt: t.occurredAt.toISOString(),
    place: t.place,
    violationCode: t.violationCode,
    violationDesc: t.violationDesc,
    fineYuan: t.fineYuan,
    points: t.points,
    unitId: t.unitId,
    unitName,
    occurredUnitId: occurredUnit(t),
    recordedBy: t.recordedBy,
    status: t.status,
    correctedFineYuan: t.correctedFineYuan,
    correctedPoints: t.correctedPoints,
    openAppeal,
    appealTypes: t.status === 'effective' ? typesFor(t.recordedBy, types).map((x) => x.key) : [],
  }
}

export async function staffTicketView(ctx: Ctx, t: TicketRow, unitName: string, openAppeal: OpenAppeal): Promise<StaffTicketView> {
  const [evidence, types] = await Promise.all([
    ctx.db
      .select()
      .from(files)
      .where(and(eq(files.entityType, 'ticket'), eq(files.entityId, t.id)))
      .orderBy(files.createdAt),
    appealTypes(ctx),
  ])
  return {
    ...ticketView(t, unitName, openAppeal, types),
    vinLast6: t.vinLast6,
    officerName: t.officerName,
    officerNo: t.officerNo,
    evidenceRef: t.evidenceRef,
    evidence: evidence.map(fileRef),
    source: t.source,
    importedAt: t.createdAt.toISOString(),
  }
}

async function withOpenAppeals(ctx: Ctx, rows: { t: TicketRow; unitName: string }[]): Promise<TicketView[]> {
  const ids = rows.map((r) => r.t.id)
  const [open, types] = await Promise.all([
    ids.length
      ? ctx.db
          .select({ ticketId: appeals.ticketId, id: appeals.id, number: appeals.number, state: appeals.state })
          .from(appeals)
          .where(and(inArray(appeals.ticketId, ids), appealIsOpen))
      : [],
    appealTypes(ctx),
  ])
  const byTicket = new Map(open.map((o) => [o.ticketId, { id: o.id, number: o.number, state: o.state }]))
  return rows.map((r) => ticketView(r.t, r.unitName, byTicket.get(r.t.id) ?? null, types))
}

export interface BoundVehicle {
  plate: string
  vinLast6: string
}

export async function citizenVehicles(ctx: Ctx, citizenId: string): Promise<BoundVehicle[]> {
  return ctx.db.select({ plate: vehicles.plate, vinLast6: vehicles.vinLast6 }).from(vehicles).where(eq(vehicles.citizenId, citizenId))
}

/**
 * A ticket belongs to a bound vehicle when the plate matches and the ticket carries no VIN suffix
 * or the bound one (a reissued plate on another vehicle does not show the old owner's tickets).
 */
export function ofBoundVehicle(t: Pick<TicketRow, 'plate' | 'vinLast6'>, bound: readonly BoundVehicle[]): boolean {
  return bound.some((v) => v.plate === t.plate && (!t.vinLast6 || t.vinLast6 === v.vinLast6))
}

/** Tickets of the vehicles bound to my account (plate, and the VIN's last six when the ticket has it). */
export async function myTickets(ctx: Ctx): Promise<TicketView[]> {
  const me = requireCitizen(ctx.actor)
  const bound = await citizenVehicles(ctx, me.id)
  if (!bound.length) return []
  const rows = await ctx.db
    .select({ t: tickets, unitName: units.name })
    .from(tickets)
    .innerJoin(units, eq(units.id, tickets.unitId))
    .where(or(...bound.map((v) => and(eq(tickets.plate, v.plate), or(isNull(tickets.vinLast6), eq(tickets.vinLast6, v.vinLast6))))))
    .orderBy(desc(tickets.occurredAt))
    .limit(200)
  return withOpenAppeals(ctx, rows)
}

/**
 * A ticket by decision number and plate (or one of my bound plates when no plate is given). A
 * mismatch answers exactly like an unknown number, and lookups are rate-limited, so numbers
 * cannot be probed.
 */
export async function findTicketForCitizen(ctx: Ctx, decisionNo: string, plate: string | undefined): Promise<{ t: TicketRow; unitName: string }> {
  const me = requireCitizen(ctx.actor)
  await hit(ctx.db, { bucket: `ticket-lookup:${me.id}`, max: 120, windowMs: 3_600_000 }, ctx.now())
  const [row] = await ctx.db
    .select({ t: tickets, unitName: units.name })
    .from(tickets)
    .innerJoin(units, eq(units.id, tickets.unitId))
    .where(eq(tickets.decisionNo, decisionNo))
  if (!row) throw notFound('Ticket')
  // A plate typed in (from the paper ticket) must match; else one of my bound vehicles must.
  const allowed = plate ? row.t.plate === plate : ofBoundVehicle(row.t, await citizenVehicles(ctx, me.id))
  if (!allowed) throw notFound('Ticket')
  return row
}

export async function lookupTicket(ctx: Ctx, decisionNo: string, plate: string | undefined): Promise<TicketView> {
  const row = await findTicketForCitizen(ctx, decisionNo, plate)
  const [view] = await withOpenAppeals(ctx, [row])
  return view!
}

export interface TicketListQuery {
  /** Keyset position from a previous answer (opaque); none: the newest first. */
  cursor?: string
  pageSize: number
  q?: string
  status?: TicketRow['status']
  unitId?: string
}

/** Newest violation first; the id breaks ties. */
const REGISTRY_SORT = keysetSort('occurred', [
  { expr: tickets.occurredAt, type: 'timestamptz', desc: true },
  { expr: tickets.id, type: 'uuid', desc: true },
])

/** The registry for staff, in their unit scope, newest violation first, a page at a time by keyset. */
const occurredUnits = alias(units, 'occurred_units')

export async function listTickets(ctx: Ctx, q: TicketListQuery) {
  const pos = REGISTRY_SORT.decode(q.cursor)
  const actor = requireStaff(ctx.actor)
  const where: SQL[] = [inArray(tickets.unitId, [...actor.unitScope])]
  if (q.status) where.push(eq(tickets.status, q.status))
  if (q.unitId) where.push(eq(tickets.unitId, q.unitId))
  if (q.q) {
    const term = q.q.toUpperCase()
    where.push(or(eq(tickets.decisionNo, term), ilike(tickets.plate, `%${term.replace(/[%_\\]/g, '')}%`)) as SQL)
  }
  const cond = and(...where)
  const [counted, fetched] = await Promise.all([
    REGISTRY_SORT.total(ctx.db, ctx.db.select({ one: sql`1` }).from(tickets).where(cond).$dynamic()),
    ctx.db
      .select({ t: tickets, unitName: units.name, occurredUnitName: occurredUnits.name, keys: REGISTRY_SORT.keys })
      .from(tickets)
      .innerJoin(units, eq(units.id, tickets.unitId))
      .leftJoin(occurredUnits, eq(occurredUnits.id, tickets.occurredUnitId))
      .where(and(cond, REGISTRY_SORT.where(pos)))
      .orderBy(...REGISTRY_SORT.orderBy(pos))
      .limit(q.pageSize + 1),
  ])
  const { rows, nextCursor, prevCursor } = REGISTRY_SORT.page(fetched, q.pageSize, pos, (r) => r.keys)
  const items = await withOpenAppeals(ctx, rows)
  return {
    items: items.map((v, i) => {
      const r = rows[i]!
      return {
        ...v,
        officerName: r.t.officerName,
        officerNo: r.t.officerNo,
        source: r.t.source,
        vinLast6: r.t.vinLast6,
        occurredUnitName: r.t.occurredUnitId && r.t.occurredUnitId !== r.t.unitId ? r.occurredUnitName : null,
      }
    }),
    ...counted,
    nextCursor,
    prevCursor,
  }
}

export async function listImports(ctx: Ctx) {
  const rows = await ctx.db.select().from(ticketImports).orderBy(desc(ticketImports.createdAt)).limit(50)
  return rows.map((r) => ({
    id: r.id,
    source: r.source,
    fileName: r.fileName,
    actorType: r.actorType,
    total: r.total,
    created: r.created,
    unchanged: r.unchanged,
    createdAt: r.createdAt.toISOString(),
  }))
}

/** Unit name lookup for a few ids. */
export async function unitNames(ctx: Ctx, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map()
  const rows = await ctx.db
    .select({ id: units.id, name: units.name })
    .from(units)
    .where(inArray(units.id, [...new Set(ids)]))
  return new Map(rows.map((r) => [r.id, r.name]))
}

export const ticketStatusCount = (ctx: Ctx) => ctx.db.select({ status: tickets.status, n: sql<number>`count(*)::int` }).from(tickets).groupBy(tickets.status)
