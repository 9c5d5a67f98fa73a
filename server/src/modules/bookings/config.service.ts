import { sortByDistance } from '@tp/shared/bookings/rules'
import type {
  BookingPolicy,
  CapacityOverride,
  DayOverride,
  Office,
  OfficeAdmin,
  OfficeCreate,
  OfficeUpdate,
  Position,
  Service,
  ServiceCreate,
  ServiceUpdate,
  ServiceWindow,
  WindowCreate,
  WindowUpdate,
} from '@tp/shared/bookings/schemas'
import { and, asc, eq, gte, inArray, isNull, sql } from 'drizzle-orm'
import type { z } from 'zod'
import { inUnitScope } from '../../platform/access'
import { audit } from '../../platform/audit'
import { type Ctx, withDb } from '../../platform/context'
import type { Db } from '../../platform/db'
import { conflict, notFound, unprocessable } from '../../platform/errors'
import { units } from '../identity/identity.tables'
import {
  bookingPolicy,
  capacityOverrides,
  officeDayOverrides,
  officeServices,
  offices,
  services,
  serviceWindows,
  slots,
  windowServices,
} from './bookings.tables'
import { constraintOf, loadOfficeInScope, loadPolicy, type OfficeRow, pgCode, today } from './common'
import { listWindows } from './queue.service'
import { syncOffice, syncSlots } from './slots.service'

type ServiceRow = typeof services.$inferSelect

// ---------------------------------------------------------------------------------------------
// Services catalogue

function toService(s: ServiceRow): Service {
  return {
    id: s.id,
    code: s.code,
    name: s.name,
    prefix: s.prefix,
    durationMinutes: s.durationMinutes,
    materials: s.materials,
    vehicleNeeded: s.vehicleNeeded,
    description: s.description,
    active: s.active,
    sortOrder: s.sortOrder,
  }
}

export async function listServices(db: Db, opts: { activeOnly: boolean }): Promise<Service[]> {
  const rows = await db
    .select()
    .from(services)
    .where(opts.activeOnly ? eq(services.active, true) : undefined)
    .orderBy(asc(services.sortOrder), asc(services.name))
  return rows.map(toService)
}

export async function createService(ctx: Ctx, input: z.infer<typeof ServiceCreate>): Promise<Service> {
  try {
    const [row] = await ctx.db
      .insert(services)
      .values({ ...input, description: input.description ?? '' })
      .returning()
    const s = row as ServiceRow
    await audit(ctx, { entityType: 'service', entityId: s.id, action: 'service.create', after: toService(s) })
    return toService(s)
  } catch (err) {
    if (pgCode(err) === '23505') throw conflict('code_taken', 'A service with this code exists')
    throw err
  }
}

export async function updateService(ctx: Ctx, id: string, input: z.infer<typeof ServiceUpdate>): Promise<Service> {
  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const [before] = await tx.select().from(services).where(eq(services.id, id)).for('update')
    if (!before) throw notFound('Service')
    const [row] = await tx
      .update(services)
      .set({ ...input, updatedAt: ctx.now() })
      .where(eq(services.id, id))
      .returning()
    await audit(t, { entityType: 'service', entityId: id, action: 'service.update', before: toService(before), after: toService(row as ServiceRow) })
    // Duration or availability changes every offering office's slots.
    const offering = await tx.select({ officeId: officeServices.officeId }).from(officeServices).where(eq(officeServices.serviceId, id))
    for (const o of offering) await syncOffice(t, o.officeId)
    return toService(row as ServiceRow)
  })
}

// ---------------------------------------------------------------------------------------------
// Offices

async function serviceIdsOf(db: Db, officeIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  if (officeIds.length === 0) return out
  const rows = await db
    .select({ officeId: officeServices.officeId, serviceId: officeServices.serviceId })
    .from(officeServices)
    .innerJoin(services, eq(services.id, officeServices.serviceId))
    .where(and(inArray(officeServices.officeId, officeIds), eq(services.active, true)))
    .orderBy(asc(services.sortOrder))
  for (const r of rows) out.set(r.officeId, [...(out.get(r.officeId) ?? []), r.serviceId])
  return out
}

const positionOf = (o: OfficeRow): Position | null => (o.lat !== null && o.lng !== null ? { lat: o.lat, lng: o.lng } : null)

function toOffice(o: OfficeRow, serviceIds: string[], distanceMeters: number | null = null): Office {
  return {
    id: o.id,
    name: o.name,
    kind: o.kind,
    address: o.address,
    position: positionOf(o),
    phone: o.phone,
    directions: o.directions,
    hours: o.hours,
    slotMinutes: o.slotMinutes,
    serviceIds,
    distanceMeters,
  }
}

const toOfficeAdmin = (o: OfficeRow, serviceIds: string[]): OfficeAdmin => ({
  ...toOffice(o, serviceIds),
  unitId: o.unitId,
  active: o.active,
  version: o.version,
})

/** Offices that take bookings (offering `serviceId` if given), nearest first when the position is known. */
export async function listPublicOffices(ctx: Ctx, q: { serviceId?: string; lat?: number; lng?: number }): Promise<Office[]> {
  const rows = await ctx.db
    .select()
    .from(offices)
    .where(
      and(
        eq(offices.active, true),
        q.serviceId
          ? inArray(offices.id, ctx.db.select({ id: officeServices.officeId }).from(officeServices).where(eq(officeServices.serviceId, q.serviceId)))
          : undefined,
      ),
    )
  const ids = await serviceIdsOf(
    ctx.db,
    rows.map((r) => r.id),
  )
  const from = q.lat !== undefined && q.lng !== undefined ? { lat: q.lat, lng: q.lng } : null
  return sortByDistance(
    rows.map((r) => ({ row: r, name: r.name, position: positionOf(r) })),
    from,
  ).map((x) => toOffice(x.row, ids.get(x.row.id) ?? [], x.distanceMeters))
}

export async function getPublicOffice(ctx: Ctx, id: string): Promise<Office> {
  const [row] = await ctx.db
    .select()
    .from(offices)
    .where(and(eq(offices.id, id), eq(offices.active, true)))
  if (!row) throw notFound('Office')
  return toOffice(row, (await serviceIdsOf(ctx.db, [id])).get(id) ?? [])
}

export async function listConsoleOffices(ctx: Ctx): Promise<OfficeAdmin[]> {
  if (ctx.actor.kind !== 'staff') return []
  const rows = await ctx.db
    .select()
    .from(offices)
    .where(inArray(offices.unitId, [...ctx.actor.unitScope]))
    .orderBy(asc(offices.name))
  const ids = await serviceIdsOf(
    ctx.db,
    rows.map((r) => r.id),
  )
  return rows.map((r) => toOfficeAdmin(r, ids.get(r.id) ?? []))
}

export async function getConsoleOffice(ctx: Ctx, id: string): Promise<OfficeAdmin> {
  const o = await loadOfficeInScope(ctx, id)
  return toOfficeAdmin(o, (await serviceIdsOf(ctx.db, [id])).get(id) ?? [])
}

async function assertUnitInScope(ctx: Ctx, unitId: string) {
  const [u] = await ctx.db.select({ id: units.id }).from(units).where(eq(units.id, unitId))
  if (!u || !inUnitScope(ctx.actor, unitId))
    throw unprocessable('unit_out_of_scope', 'Choose a unit within your scope', [{ path: 'body.unitId', message: 'Not in your scope' }])
}

export async function createOffice(ctx: Ctx, input: z.infer<typeof OfficeCreate>): Promise<OfficeAdmin> {
  await assertUnitInScope(ctx, input.unitId)
  const [row] = await ctx.db
    .insert(offices)
    .values({
      unitId: input.unitId,
      name: input.name,
      kind: input.kind,
      address: input.address,
      lat: input.position?.lat ?? null,
      lng: input.position?.lng ?? null,
      phone: input.phone ?? null,
      directions: input.directions ?? '',
      hours: input.hours,
      slotMinutes: input.slotMinutes ?? 30,
      active: input.active ?? true,
    })
    .returning()
  const o = row as OfficeRow
  await audit(ctx, { entityType: 'office', entityId: o.id, action: 'office.create', after: { name: o.name, kind: o.kind }, unitId: o.unitId })
  return toOfficeAdmin(o, [])
}

export async function updateOffice(ctx: Ctx, id: string, input: z.infer<typeof OfficeUpdate>): Promise<OfficeAdmin> {
  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const before = await loadOfficeInScope(t, id)
    if (input.unitId) await assertUnitInScope(t, input.unitId)
    const { version, position, ...rest } = input
    const [row] = await tx
      .update(offices)
      .set({
        ...rest,
        ...(position !== undefined ? { lat: position?.lat ?? null, lng: position?.lng ?? null } : {}),
        version: sql`${offices.version} + 1`,
        updatedAt: ctx.now(),
      })
      .where(and(eq(offices.id, id), eq(offices.version, version)))
      .returning()
    if (!row) throw conflict('version_conflict', 'Someone else changed this office; reload and try again', { version: before.version })
    await audit(t, {
      entityType: 'office',
      entityId: id,
      action: 'office.update',
      before: { ...before, createdAt: undefined, updatedAt: undefined },
      after: { ...row, createdAt: undefined, updatedAt: undefined },
      unitId: row.unitId,
    })
    await syncOffice(t, id)
    return toOfficeAdmin(row, (await serviceIdsOf(tx, [id])).get(id) ?? [])
  })
}

export async function setOfficeServices(ctx: Ctx, id: string, serviceIds: string[]): Promise<OfficeAdmin> {
  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const o = await loadOfficeInScope(t, id)
    const unique = [...new Set(serviceIds)]
    if (unique.length) {
      const found = await tx.select({ id: services.id }).from(services).where(inArray(services.id, unique))
      if (found.length !== unique.length)
        throw unprocessable('unknown_service', 'Unknown service', [{ path: 'body.serviceIds', message: 'Unknown service id' }])
    }
    const before = (await serviceIdsOf(tx, [id])).get(id) ?? []
    await tx.delete(officeServices).where(eq(officeServices.officeId, id))
    if (unique.length) await tx.insert(officeServices).values(unique.map((serviceId) => ({ officeId: id, serviceId })))
    await audit(t, { entityType: 'office', entityId: id, action: 'office.services', before, after: unique, unitId: o.unitId })
    await syncOffice(t, id)
    return toOfficeAdmin(o, (await serviceIdsOf(tx, [id])).get(id) ?? [])
  })
}

// ---------------------------------------------------------------------------------------------
// Per-date overrides

export async function listDayOverrides(ctx: Ctx, officeId: string): Promise<DayOverride[]> {
  await loadOfficeInScope(ctx, officeId)
  const rows = await ctx.db
    .select()
    .from(officeDayOverrides)
    .where(and(eq(officeDayOverrides.officeId, officeId), gte(officeDayOverrides.date, today(ctx))))
    .orderBy(asc(officeDayOverrides.date))
  return rows.map((r) => ({ date: r.date, closed: r.closed, hours: r.hours, reason: r.reason }))
}

export async function putDayOverride(
  ctx: Ctx,
  officeId: string,
  input: { date: string; closed: boolean; hours?: DayOverride['hours']; reason: string },
): Promise<DayOverride> {
  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const o = await loadOfficeInScope(t, officeId)
    const values = { officeId, date: input.date, closed: input.closed, hours: input.closed ? null : (input.hours ?? null), reason: input.reason }
    await tx
      .insert(officeDayOverrides)
      .values({ ...values, createdBy: ctx.actor.kind === 'staff' ? ctx.actor.id : null })
      .onConflictDoUpdate({
        target: [officeDayOverrides.officeId, officeDayOverrides.date],
        set: { closed: values.closed, hours: values.hours, reason: values.reason },
      })
    await audit(t, {
      entityType: 'office',
      entityId: officeId,
      action: input.closed ? 'office.closure' : 'office.special_hours',
      after: values,
      unitId: o.unitId,
    })
    await syncSlots(tx, officeId, [input.date])
    return { date: values.date, closed: values.closed, hours: values.hours, reason: values.reason }
  })
}

export async function deleteDayOverride(ctx: Ctx, officeId: string, date: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const o = await loadOfficeInScope(t, officeId)
    const gone = await tx
      .delete(officeDayOverrides)
      .where(and(eq(officeDayOverrides.officeId, officeId), eq(officeDayOverrides.date, date)))
      .returning()
    if (gone.length === 0) throw notFound('Day override')
    await audit(t, { entityType: 'office', entityId: officeId, action: 'office.day_override_removed', before: gone[0], unitId: o.unitId })
    await syncSlots(tx, officeId, [date])
  })
}

export async function listCapacityOverrides(ctx: Ctx, officeId: string): Promise<CapacityOverride[]> {
  await loadOfficeInScope(ctx, officeId)
  const rows = await ctx.db
    .select()
    .from(capacityOverrides)
    .where(and(eq(capacityOverrides.officeId, officeId), gte(capacityOverrides.date, today(ctx))))
    .orderBy(asc(capacityOverrides.date), asc(capacityOverrides.startTime))
  return rows.map((r) => ({ id: r.id, date: r.date, serviceId: r.serviceId, startTime: r.startTime, capacity: r.capacity, reason: r.reason }))
}

/** Sets (replaces) the capacity of a date — for a service or all, a starting time or all slots. */
export async function putCapacityOverride(
  ctx: Ctx,
  officeId: string,
  input: { date: string; serviceId?: string | null; startTime?: string | null; capacity: number; reason: string },
): Promise<CapacityOverride> {
  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const o = await loadOfficeInScope(t, officeId)
    const serviceId = input.serviceId ?? null
    const startTime = input.startTime ?? null
    if (serviceId) {
      const [s] = await tx.select({ id: services.id }).from(services).where(eq(services.id, serviceId))
      if (!s) throw unprocessable('unknown_service', 'Unknown service', [{ path: 'body.serviceId', message: 'Unknown service id' }])
    }
    await tx
      .delete(capacityOverrides)
      .where(
        and(
          eq(capacityOverrides.officeId, officeId),
          eq(capacityOverrides.date, input.date),
          serviceId ? eq(capacityOverrides.serviceId, serviceId) : isNull(capacityOverrides.serviceId),
          startTime ? eq(capacityOverrides.startTime, startTime) : isNull(capacityOverrides.startTime),
        ),
      )
    let row: typeof capacityOverrides.$inferSelect | undefined
    try {
      ;[row] = await tx
        .insert(capacityOverrides)
        .values({
          officeId,
          serviceId,
          date: input.date,
          startTime,
          capacity: input.capacity,
          reason: input.reason,
          createdBy: ctx.actor.kind === 'staff' ? ctx.actor.id : null,
        })
        .returning()
    } catch (err) {
      if (pgCode(err) === '23505') throw conflict('override_conflict', 'Someone else set this capacity at the same time; reload')
      throw err
    }
    const r = row as typeof capacityOverrides.$inferSelect
    await audit(t, { entityType: 'office', entityId: officeId, action: 'office.capacity_override', after: r, unitId: o.unitId })
    await syncSlots(tx, officeId, [input.date])
    return { id: r.id, date: r.date, serviceId: r.serviceId, startTime: r.startTime, capacity: r.capacity, reason: r.reason }
  })
}

export async function deleteCapacityOverride(ctx: Ctx, officeId: string, id: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const o = await loadOfficeInScope(t, officeId)
    const gone = await tx
      .delete(capacityOverrides)
      .where(and(eq(capacityOverrides.officeId, officeId), eq(capacityOverrides.id, id)))
      .returning()
    const g = gone[0]
    if (!g) throw notFound('Capacity override')
    await audit(t, { entityType: 'office', entityId: officeId, action: 'office.capacity_override_removed', before: g, unitId: o.unitId })
    await syncSlots(tx, officeId, [g.date])
  })
}

/** The materialised slots of a date, for the configuration page. */
export async function officeSlots(ctx: Ctx, officeId: string, date: string) {
  await loadOfficeInScope(ctx, officeId)
  await syncSlots(ctx.db, officeId, [date])
  const rows = await ctx.db
    .select()
    .from(slots)
    .where(and(eq(slots.officeId, officeId), eq(slots.date, date)))
    .orderBy(asc(slots.serviceId), asc(slots.startTime))
  return rows.map((r) => ({
    id: r.id,
    serviceId: r.serviceId,
    date: r.date,
    startTime: r.startTime,
    endTime: r.endTime,
    capacity: r.capacity,
    booked: r.booked,
  }))
}

// ---------------------------------------------------------------------------------------------
// Windows

async function assertOfferedServices(db: Db, officeId: string, serviceIds: string[]) {
  if (serviceIds.length === 0) return
  const rows = await db
    .select({ id: officeServices.serviceId })
    .from(officeServices)
    .where(and(eq(officeServices.officeId, officeId), inArray(officeServices.serviceId, serviceIds)))
  if (rows.length !== new Set(serviceIds).size) {
    throw unprocessable('service_not_offered', 'A window can only handle services its office offers', [
      { path: 'body.serviceIds', message: 'Not offered here' },
    ])
  }
}

export async function createWindow(ctx: Ctx, officeId: string, input: z.infer<typeof WindowCreate>): Promise<ServiceWindow> {
  const id = await ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const o = await loadOfficeInScope(t, officeId)
    await assertOfferedServices(tx, officeId, input.serviceIds)
    let row: typeof serviceWindows.$inferSelect | undefined
    try {
      ;[row] = await tx
        .insert(serviceWindows)
        .values({ officeId, number: input.number, label: input.label ?? '', active: input.active ?? true })
        .returning()
    } catch (err) {
      if (pgCode(err) === '23505') throw conflict('window_number_taken', `Window ${input.number} exists`)
      throw err
    }
    const w = row as typeof serviceWindows.$inferSelect
    const ids = [...new Set(input.serviceIds)]
    if (ids.length) await tx.insert(windowServices).values(ids.map((serviceId) => ({ windowId: w.id, serviceId })))
    await audit(t, { entityType: 'service_window', entityId: w.id, action: 'window.create', after: { number: w.number, serviceIds: ids }, unitId: o.unitId })
    await syncOffice(t, officeId)
    return w.id
  })
  return (await listWindows(ctx)).find((w) => w.id === id) as ServiceWindow
}

export async function updateWindow(ctx: Ctx, windowId: string, input: z.infer<typeof WindowUpdate>): Promise<ServiceWindow> {
  const officeId = await ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const [w] = await tx.select().from(serviceWindows).where(eq(serviceWindows.id, windowId)).for('update')
    if (!w) throw notFound('Window')
    const o = await loadOfficeInScope(t, w.officeId)
    const { serviceIds, ...rest } = input
    if (Object.keys(rest).length) {
      try {
        await tx
          .update(serviceWindows)
          .set({ ...rest, ...(rest.active === false ? { staffId: null, signedInAt: null } : {}) })
          .where(eq(serviceWindows.id, windowId))
      } catch (err) {
        if (pgCode(err) === '23505' && constraintOf(err) === 'service_windows_office_number_uq')
          throw conflict('window_number_taken', `Window ${input.number} exists`)
        throw err
      }
    }
    if (serviceIds) {
      await assertOfferedServices(tx, w.officeId, serviceIds)
      await tx.delete(windowServices).where(eq(windowServices.windowId, windowId))
      const ids = [...new Set(serviceIds)]
      if (ids.length) await tx.insert(windowServices).values(ids.map((serviceId) => ({ windowId, serviceId })))
    }
    await audit(t, {
      entityType: 'service_window',
      entityId: windowId,
      action: 'window.update',
      before: { number: w.number, active: w.active },
      after: input,
      unitId: o.unitId,
    })
    await syncOffice(t, w.officeId)
    return w.officeId
  })
  return (await listWindows(ctx, officeId)).find((w) => w.id === windowId) as ServiceWindow
}

// ---------------------------------------------------------------------------------------------
// Policy

export async function getPolicy(ctx: Ctx): Promise<BookingPolicy> {
  return loadPolicy(ctx.db)
}

export async function setPolicy(ctx: Ctx, policy: BookingPolicy): Promise<BookingPolicy> {
  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const before = await loadPolicy(tx)
    const by = ctx.actor.kind === 'staff' ? ctx.actor.id : null
    await tx
      .insert(bookingPolicy)
      .values({ id: 'default', policy, updatedBy: by, updatedAt: ctx.now() })
      .onConflictDoUpdate({ target: bookingPolicy.id, set: { policy, updatedBy: by, updatedAt: ctx.now() } })
    await audit(t, { entityType: 'booking_policy', entityId: 'default', action: 'booking_policy.update', before, after: policy })
    // A longer booking window needs more days of slots.
    if (policy.daysAhead > before.daysAhead) {
      const rows = await tx.select({ id: offices.id }).from(offices).where(eq(offices.active, true))
      for (const r of rows) await syncOffice(t, r.id)
    }
    return policy
  })
}
