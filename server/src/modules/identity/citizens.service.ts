import { type CitizenDetail, type CitizenListItem, isValidPlate, maskIdCard, maskName, maskPhone, normalisePhone, normalisePlate, PHONE_RE } from '@tp/shared'
import { asc, eq, inArray, sql } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import { type Ctx, requireStaff } from '../../platform/context'
import { badRequest, notFound } from '../../platform/errors'
import { citizens, vehicles } from './identity.tables'
import { featureModules, toVehicle } from './profile.service'
import { coversWholeOrganisation } from './units'

/**
 * Staff find a citizen by an exact mobile or plate number (no browsing everyone). The list is
 * masked; the full record is behind the audited detail view.
 */
export async function searchCitizens(ctx: Ctx, q: string): Promise<CitizenListItem[]> {
  requireStaff(ctx.actor)
  const phone = normalisePhone(q)
  const plate = normalisePlate(q)
  let ids: string[]
  if (PHONE_RE.test(phone)) {
    ids = (await ctx.db.select({ id: citizens.id }).from(citizens).where(eq(citizens.phone, phone))).map((r) => r.id)
  } else if (isValidPlate(plate)) {
    ids = (await ctx.db.selectDistinct({ id: vehicles.citizenId }).from(vehicles).where(eq(vehicles.plate, plate))).map((r) => r.id)
  } else {
    throw badRequest('Search by a full mobile number or plate number', [{ path: 'query.q', message: 'Enter a full mobile or plate number' }])
  }
  if (ids.length === 0) return []
  const rows = await ctx.db
    .select({
      c: citizens,
      // Qualified by hand: drizzle leaves columns unqualified here, which the subquery would capture.
      vehicleCount: sql<number>`(select count(*)::int from vehicles v where v.citizen_id = citizens.id)`,
    })
    .from(citizens)
    .where(inArray(citizens.id, ids))
    .orderBy(asc(citizens.createdAt))
    .limit(50)
  return rows.map(({ c, vehicleCount }) => ({
    id: c.id,
    phoneMasked: maskPhone(c.phone),
    nameMasked: maskName(c.name),
    idNumberMasked: maskIdCard(c.idNumber),
    vehicleCount,
    deleted: !!c.deletedAt,
    createdAt: c.createdAt.toISOString(),
  }))
}

/**
 * May this staff member see the citizen's personal data? Staff whose scope is the whole
 * organisation may; anyone else only when a feature says the citizen has a case in their scope.
 */
async function citizenInScope(ctx: Ctx, citizenId: string): Promise<boolean> {
  const actor = requireStaff(ctx.actor)
  if (await coversWholeOrganisation(ctx)) return true
  for (const m of await featureModules()) {
    if (m.citizenInScope && (await m.citizenInScope(ctx, citizenId, actor.unitScope))) return true
  }
  return false
}

/** The "show" action: the unmasked record, written to the audit log before it is returned. */
export async function citizenDetail(ctx: Ctx, citizenId: string): Promise<CitizenDetail> {
  const [row] = await ctx.db.select().from(citizens).where(eq(citizens.id, citizenId))
  if (!row || !(await citizenInScope(ctx, citizenId))) throw notFound('Citizen')
  const list = await ctx.db.select().from(vehicles).where(eq(vehicles.citizenId, citizenId)).orderBy(asc(vehicles.createdAt))
  await audit(ctx, {
    entityType: 'citizen',
    entityId: citizenId,
    action: 'citizen.view_personal_data',
    after: { fields: ['phone', 'name', 'idNumber', 'vehicles'] },
  })
  return {
    id: row.id,
    phone: row.phone,
    name: row.name,
    idNumber: row.idNumber,
    vehicles: list.map(toVehicle),
    deleted: !!row.deletedAt,
    createdAt: row.createdAt.toISOString(),
  }
}
