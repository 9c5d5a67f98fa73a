import {
  type CitizenProfile,
  DEFAULT_PREFERENCES,
  MAX_VEHICLES,
  maskIdCard,
  maskName,
  maskPersonalData,
  maskPhone,
  type ProfileUpdate,
  type Vehicle,
  type VehicleCreate,
} from '@tp/shared'
import { and, asc, desc, eq, or, sql } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import { type Ctx, requireCitizen, withDb } from '../../platform/context'
import { conflict, notFound, unprocessable } from '../../platform/errors'
import type { Module } from '../../platform/module'
import { auditLog, notifications } from '../../platform/platform.tables'
import { citizens, otpCodes, sessions, vehicles, wechatPending } from './identity.tables'
import { revokeAllSessions } from './sessions'

type VehicleRow = typeof vehicles.$inferSelect
type CitizenRow = typeof citizens.$inferSelect

export const toVehicle = (v: VehicleRow): Vehicle => ({ id: v.id, plate: v.plate, vinLast6: v.vinLast6, createdAt: v.createdAt.toISOString() })

/**
 * The other features, loaded when first needed: modules/index.ts imports this module, so a static
 * import back would be circular.
 */
export async function featureModules(): Promise<Module[]> {
  const { modules } = await import('../index')
  return modules
}

async function loadCitizen(ctx: Ctx, id: string, forUpdate = false): Promise<CitizenRow> {
  const q = ctx.db.select().from(citizens).where(eq(citizens.id, id))
  const [row] = forUpdate ? await q.for('update') : await q
  if (!row || row.deletedAt) throw notFound('Account')
  return row
}

async function vehiclesOf(ctx: Ctx, citizenId: string): Promise<Vehicle[]> {
  const rows = await ctx.db.select().from(vehicles).where(eq(vehicles.citizenId, citizenId)).orderBy(asc(vehicles.createdAt), asc(vehicles.id))
  return rows.map(toVehicle)
}

export async function getProfile(ctx: Ctx): Promise<CitizenProfile> {
  const { id } = requireCitizen(ctx.actor)
  const row = await loadCitizen(ctx, id)
  return {
    id,
    phoneMasked: maskPhone(row.phone),
    name: row.name,
    idNumberMasked: row.idNumber ? maskIdCard(row.idNumber) : null,
    preferences: { ...DEFAULT_PREFERENCES, ...row.preferences },
    wechatBound: !!row.wechatOpenId,
    vehicles: await vehiclesOf(ctx, id),
    createdAt: row.createdAt.toISOString(),
  }
}

/** Updates name, ID number and preferences; the audit row keeps only masked values of what changed. */
export async function updateProfile(ctx: Ctx, patch: ProfileUpdate): Promise<CitizenProfile> {
  const { id } = requireCitizen(ctx.actor)
  await ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const before = await loadCitizen(t, id, true)
    const set: Partial<CitizenRow> = {}
    const b: Record<string, unknown> = {}
    const a: Record<string, unknown> = {}
    if (patch.name !== undefined && patch.name !== before.name) {
      set.name = patch.name
      b.citizenName = maskName(before.name)
      a.citizenName = maskName(patch.name)
    }
    if (patch.idNumber !== undefined && patch.idNumber !== before.idNumber) {
      set.idNumber = patch.idNumber
      b.idNumber = maskIdCard(before.idNumber)
      a.idNumber = maskIdCard(patch.idNumber)
    }
    if (patch.preferences) {
      set.preferences = patch.preferences
      b.preferences = before.preferences
      a.preferences = patch.preferences
    }
    if (Object.keys(set).length === 0) return
    await tx.update(citizens).set(set).where(eq(citizens.id, id))
    await audit(t, { entityType: 'citizen', entityId: id, action: 'citizen.profile_updated', before: b, after: a })
  })
  return getProfile(ctx)
}

export async function listVehicles(ctx: Ctx): Promise<Vehicle[]> {
  const { id } = requireCitizen(ctx.actor)
  return vehiclesOf(ctx, id)
}

/** Adds a vehicle; the citizen row is locked while counting, so the limit holds under concurrency. */
export async function addVehicle(ctx: Ctx, input: VehicleCreate): Promise<Vehicle> {
  const { id } = requireCitizen(ctx.actor)
  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    await loadCitizen(t, id, true)
    const [n] = await tx.select({ n: sql<number>`count(*)::int` }).from(vehicles).where(eq(vehicles.citizenId, id))
    if ((n?.n ?? 0) >= MAX_VEHICLES) throw unprocessable('too_many_vehicles', `At most ${MAX_VEHICLES} vehicles per account`)
    const [row] = await tx
      .insert(vehicles)
      .values({ citizenId: id, plate: input.plate, vinLast6: input.vinLast6, createdAt: ctx.now() })
      .onConflictDoNothing()
      .returning()
    if (!row) throw conflict('vehicle_exists', 'This vehicle is already in your list')
    await audit(t, { entityType: 'vehicle', entityId: row.id, action: 'vehicle.added', after: { plate: row.plate } })
    return toVehicle(row)
  })
}

export async function removeVehicle(ctx: Ctx, vehicleId: string): Promise<void> {
  const { id } = requireCitizen(ctx.actor)
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .delete(vehicles)
      .where(and(eq(vehicles.id, vehicleId), eq(vehicles.citizenId, id)))
      .returning()
    if (!row) throw notFound('Vehicle')
    await audit(withDb(ctx, tx), { entityType: 'vehicle', entityId: row.id, action: 'vehicle.removed', before: { plate: row.plate } })
  })
}

/**
 * Everything the portal holds about the signed-in citizen, as one JSON document (their own data,
 * so unmasked), including who looked at it: the audit trail about them (masked, staff by role).
 */
export async function exportData(ctx: Ctx) {
  const { id } = requireCitizen(ctx.actor)
  const row = await loadCitizen(ctx, id)
  const [vehicleList, sessionRows, inbox, trail, mods] = await Promise.all([
    vehiclesOf(ctx, id),
    ctx.db
      .select({ createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, expiresAt: sessions.expiresAt, revokedAt: sessions.revokedAt })
      .from(sessions)
      .where(and(eq(sessions.subjectType, 'citizen'), eq(sessions.subjectId, id)))
      .orderBy(desc(sessions.createdAt)),
    ctx.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.recipientType, 'citizen'), eq(notifications.recipientId, id)))
      .orderBy(desc(notifications.createdAt)),
    ctx.db
      .select({
        at: auditLog.at,
        actorType: auditLog.actorType,
        actorRole: auditLog.actorRole,
        action: auditLog.action,
        entityType: auditLog.entityType,
        entityId: auditLog.entityId,
      })
      .from(auditLog)
      .where(or(and(eq(auditLog.actorType, 'citizen'), eq(auditLog.actorId, id)), and(eq(auditLog.entityType, 'citizen'), eq(auditLog.entityId, id))))
      .orderBy(desc(auditLog.id))
      .limit(5000),
    featureModules(),
  ])
  const cases = (await Promise.all(mods.map((m) => m.myCases?.(ctx, id) ?? []))).flat()
  const features: Record<string, unknown> = {}
  for (const m of mods) if (m.exportCitizen) features[m.name] = await m.exportCitizen(ctx, id)
  const document = {
    format: 'traffic-portal-personal-data/1',
    exportedAt: ctx.now().toISOString(),
    account: {
      id,
      phone: row.phone,
      name: row.name,
      idNumber: row.idNumber,
      wechatBound: !!row.wechatOpenId,
      preferences: { ...DEFAULT_PREFERENCES, ...row.preferences },
      createdAt: row.createdAt.toISOString(),
    },
    vehicles: vehicleList,
    sessions: sessionRows.map((s) => ({
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: s.lastSeenAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      revokedAt: s.revokedAt?.toISOString() ?? null,
    })),
    notifications: inbox.map((n) => ({
      messageKey: n.messageKey,
      params: n.params,
      link: n.link,
      readAt: n.readAt?.toISOString() ?? null,
      createdAt: n.createdAt.toISOString(),
    })),
    cases,
    features,
    auditTrail: trail.map((r) => ({ ...r, at: r.at.toISOString() })),
  }
  await audit(ctx, { entityType: 'citizen', entityId: id, action: 'citizen.data_exported', after: { vehicles: vehicleList.length, cases: cases.length } })
  return document
}

/**
 * Deletes the account as the law requires: cases are kept (they are official records) but every
 * piece of personal data is removed — phone, name, ID number, WeChat openid, vehicles, inbox —
 * each feature scrubs what it copied, and every session ends. One transaction.
 */
export async function deleteAccount(ctx: Ctx): Promise<void> {
  const { id } = requireCitizen(ctx.actor)
  const mods = await featureModules()
  await ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const row = await loadCitizen(t, id, true)
    const [n] = await tx.select({ n: sql<number>`count(*)::int` }).from(vehicles).where(eq(vehicles.citizenId, id))
    await audit(t, {
      entityType: 'citizen',
      entityId: id,
      action: 'citizen.account_deleted',
      before: maskPersonalData({ phone: row.phone, citizenName: row.name, idNumber: row.idNumber, vehicles: n?.n ?? 0, wechatBound: !!row.wechatOpenId }),
    })
    for (const m of mods) await m.anonymiseCitizen?.(t, id)
    await tx.delete(vehicles).where(eq(vehicles.citizenId, id))
    await tx.delete(notifications).where(and(eq(notifications.recipientType, 'citizen'), eq(notifications.recipientId, id)))
    if (row.phone) await tx.delete(otpCodes).where(eq(otpCodes.phone, row.phone))
    if (row.wechatOpenId) await tx.delete(wechatPending).where(eq(wechatPending.openId, row.wechatOpenId))
    await tx
      .update(citizens)
      .set({ phone: null, name: null, idNumber: null, wechatOpenId: null, preferences: null, deletedAt: ctx.now() })
      .where(eq(citizens.id, id))
    await revokeAllSessions(t, 'citizen', id)
  })
}
