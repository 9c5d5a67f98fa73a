import type { GridPatch } from '@tp/shared/reports/index'
import { areaM2, bboxOf, type GridGeometry, type GridImport, type Grid as GridView, type LatLng, type Place, pointInGeometry } from '@tp/shared/reports/index'
import { and, asc, eq, gte, inArray, isNull, lte, sql } from 'drizzle-orm'
import type { z } from 'zod'
import { audit } from '../../platform/audit'
import { type Ctx, requireStaff } from '../../platform/context'
import { AppError, conflict, notFound } from '../../platform/errors'
import { staff, units } from '../identity/identity.tables'
import { grids, reportSettings, reports } from './reports.tables'

export interface Route {
  gridId: string | null
  unitId: string
  officerId: string | null
  gridName: string | null
}

/** The unit whose queue takes reports outside every grid: the configured one, else the root unit. */
export async function defaultUnitId(ctx: Ctx): Promise<string> {
  const [setting] = await ctx.db.select().from(reportSettings).where(eq(reportSettings.key, 'default_unit_id'))
  if (typeof setting?.value === 'string') return setting.value
  const [root] = await ctx.db.select({ id: units.id }).from(units).where(isNull(units.parentId)).orderBy(asc(units.createdAt)).limit(1)
  if (!root) throw new AppError(503, 'not_configured', 'No unit is configured to receive reports')
  return root.id
}

/** A report goes to the grid containing its point (the smallest, where grids overlap), else the default queue. */
export async function routePoint(ctx: Ctx, p: LatLng): Promise<Route> {
  const candidates = await ctx.db
    .select()
    .from(grids)
    .where(and(eq(grids.active, true), lte(grids.minLat, p.lat), gte(grids.maxLat, p.lat), lte(grids.minLng, p.lng), gte(grids.maxLng, p.lng)))
  const hit = candidates.filter((g) => pointInGeometry(p, g.geometry)).sort((a, b) => a.areaM2 - b.areaM2)[0]
  if (hit) return { gridId: hit.id, unitId: hit.unitId, officerId: hit.officerId, gridName: hit.name }
  return { gridId: null, unitId: await defaultUnitId(ctx), officerId: null, gridName: null }
}

export async function listGrids(ctx: Ctx): Promise<GridView[]> {
  const actor = requireStaff(ctx.actor)
  const rows = await ctx.db
    .select({ g: grids, unitName: units.name, officerName: staff.name })
    .from(grids)
    .leftJoin(units, eq(units.id, grids.unitId))
    .leftJoin(staff, eq(staff.id, grids.officerId))
    .where(inArray(grids.unitId, [...actor.unitScope]))
    .orderBy(asc(grids.code))
  const counts = await ctx.db
    .select({ gridId: reports.gridId, n: sql<number>`count(*)::int` })
    .from(reports)
    .where(and(eq(reports.stateType, 'open'), inArray(reports.unitId, [...actor.unitScope])))
    .groupBy(reports.gridId)
  const byGrid = new Map(counts.map((c) => [c.gridId, c.n]))
  return rows.map(({ g, unitName, officerName }) => ({
    id: g.id,
    code: g.code,
    name: g.name,
    unitId: g.unitId,
    unitName: unitName ?? '',
    officerId: g.officerId,
    officerName,
    assistants: g.assistants,
    roads: g.roads,
    geometry: g.geometry,
    active: g.active,
    version: g.version,
    openReports: byGrid.get(g.id) ?? 0,
  }))
}

function geometryColumns(geometry: GridGeometry) {
  const box = bboxOf(geometry)
  return { geometry, ...box, areaM2: areaM2(geometry) }
}

async function officerIdByUsername(ctx: Ctx, username: string | undefined, path: string): Promise<string | null> {
  if (!username) return null
  const [row] = await ctx.db.select({ id: staff.id, active: staff.active }).from(staff).where(eq(staff.username, username.toLowerCase()))
  if (!row?.active) throw new AppError(400, 'validation_failed', 'Unknown officer', [{ path, message: `No active staff member "${username}"` }])
  return row.id
}

/** Imports a GeoJSON FeatureCollection of grids: upsert by code; with `replace`, grids not in the file are deactivated. */
export async function importGrids(ctx: Ctx, input: GridImport) {
  const actor = requireStaff(ctx.actor)
  const unitRows = await ctx.db.select({ id: units.id, name: units.name }).from(units)
  const codes = new Set<string>()
  let created = 0
  let updated = 0
  for (const [i, f] of input.features.entries()) {
    const p = f.properties
    const path = `body.features.${i}.properties`
    if (codes.has(p.code))
      throw new AppError(400, 'validation_failed', 'Duplicate grid code', [{ path: `${path}.code`, message: `Code ${p.code} appears twice` }])
    codes.add(p.code)
    const unitId = p.unitId ?? (p.unitName ? unitRows.find((u) => u.name === p.unitName)?.id : actor.unitId)
    if (!unitId || !actor.unitScope.includes(unitId))
      throw new AppError(400, 'validation_failed', 'Unknown unit or outside your scope', [{ path: `${path}.unitId`, message: 'Not a unit in your scope' }])
    const officerId = await officerIdByUsername(ctx, p.officer, `${path}.officer`)
    const values = { code: p.code, name: p.name, unitId, officerId, assistants: p.assistants, roads: p.roads, active: true, ...geometryColumns(f.geometry) }
    const [existing] = await ctx.db.select({ id: grids.id, unitId: grids.unitId }).from(grids).where(eq(grids.code, p.code))
    if (existing && !actor.unitScope.includes(existing.unitId))
      throw new AppError(400, 'validation_failed', 'Grid belongs to another unit', [{ path: `${path}.code`, message: 'Code used outside your scope' }])
    if (existing) {
      await ctx.db
        .update(grids)
        .set({ ...values, version: sql`${grids.version} + 1`, updatedAt: ctx.now() })
        .where(eq(grids.id, existing.id))
      updated++
    } else {
      await ctx.db.insert(grids).values(values)
      created++
    }
  }
  let deactivated = 0
  if (input.replace) {
    const others = await ctx.db
      .select({ id: grids.id, code: grids.code })
      .from(grids)
      .where(and(eq(grids.active, true), inArray(grids.unitId, [...actor.unitScope])))
    const gone = others.filter((g) => !codes.has(g.code)).map((g) => g.id)
    if (gone.length) {
      await ctx.db
        .update(grids)
        .set({ active: false, version: sql`${grids.version} + 1`, updatedAt: ctx.now() })
        .where(inArray(grids.id, gone))
      deactivated = gone.length
    }
  }
  await audit(ctx, { entityType: 'report_grid', action: 'report_grid.import', after: { created, updated, deactivated, codes: [...codes] } })
  return { created, updated, deactivated }
}

export async function patchGrid(ctx: Ctx, id: string, patch: z.infer<typeof GridPatch>) {
  const actor = requireStaff(ctx.actor)
  const [g] = await ctx.db.select().from(grids).where(eq(grids.id, id))
  if (!g || !actor.unitScope.includes(g.unitId)) throw notFound('Grid')
  if (patch.officerId) {
    const [o] = await ctx.db.select().from(staff).where(eq(staff.id, patch.officerId))
    if (!o?.active || !actor.unitScope.includes(o.unitId))
      throw new AppError(400, 'validation_failed', 'Unknown officer', [{ path: 'body.officerId', message: 'Not an active officer in your scope' }])
  }
  const { version, ...changes } = patch
  const [row] = await ctx.db
    .update(grids)
    .set({ ...changes, version: sql`${grids.version} + 1`, updatedAt: ctx.now() })
    .where(and(eq(grids.id, id), eq(grids.version, version)))
    .returning()
  if (!row) throw conflict('version_conflict', 'The grid was changed by someone else; reload and try again')
  await audit(ctx, {
    entityType: 'report_grid',
    entityId: id,
    action: 'report_grid.update',
    before: { ...g, geometry: undefined },
    after: changes,
    unitId: g.unitId,
  })
  return row
}

/** Roads and landmarks of the active grids, for the location picker's search. */
export async function searchPlaces(ctx: Ctx, q: string | undefined, limit = 30): Promise<Place[]> {
  const rows = await ctx.db.select({ name: grids.name, roads: grids.roads }).from(grids).where(eq(grids.active, true)).orderBy(asc(grids.code))
  const needle = q?.trim().toLowerCase()
  const out: Place[] = []
  const seen = new Set<string>()
  for (const g of rows) {
    for (const r of g.roads) {
      if (needle && !r.name.toLowerCase().includes(needle)) continue
      if (seen.has(r.name)) continue
      seen.add(r.name)
      out.push({ name: r.name, kind: r.kind ?? 'road', lat: r.lat, lng: r.lng, gridName: g.name })
    }
  }
  return out.slice(0, limit)
}

/** All grids of the scope as a FeatureCollection (what the import accepts). */
export async function exportGrids(ctx: Ctx) {
  const list = await listGrids(ctx)
  const usernames = await ctx.db.select({ id: staff.id, username: staff.username }).from(staff)
  const byId = new Map(usernames.map((u) => [u.id, u.username]))
  return {
    type: 'FeatureCollection' as const,
    features: list.map((g) => ({
      type: 'Feature' as const,
      properties: {
        code: g.code,
        name: g.name,
        unitId: g.unitId,
        unitName: g.unitName,
        officer: g.officerId ? byId.get(g.officerId) : undefined,
        assistants: g.assistants,
        roads: g.roads,
        active: g.active,
      },
      geometry: g.geometry,
    })),
  }
}
