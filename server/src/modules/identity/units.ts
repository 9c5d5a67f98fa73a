import { canPlaceUnit, type UnitAdmin, type UnitCreate, type UnitUpdate } from '@tp/shared'
import { asc, eq, inArray, sql } from 'drizzle-orm'
import { inUnitScope } from '../../platform/access'
import { audit } from '../../platform/audit'
import { type AppDeps, type Ctx, requireStaff, withDb } from '../../platform/context'
import type { Db } from '../../platform/db'
import { conflict, notFound, unprocessable } from '../../platform/errors'
import { staff, units } from './identity.tables'

/** The bus event that tells every process the unit tree changed (no audience: no client receives it). */
export const UNITS_CHANGED = 'units.changed'

/** Re-read after this long even without an event: the bound on staleness should a process miss one. */
const TTL_MS = 30_000

/**
 * Each unit's subtree, per process and app (the tree changes rarely). A lookup that began before an
 * invalidation is not stored (`generation`), so a read racing an edit cannot put the old tree back.
 */
class UnitScopes {
  private readonly entries = new Map<string, { at: number; ids: string[] }>()
  private generation = 0

  async get(db: Db, unitId: string): Promise<string[]> {
    const now = performance.now()
    const hit = this.entries.get(unitId)
    if (hit && now - hit.at < TTL_MS) return hit.ids
    const generation = this.generation
    const rows = await db.select({ id: units.id }).from(units).where(sql`${unitId} = any(${units.path})`)
    const ids = rows.map((r) => r.id)
    if (generation === this.generation) this.entries.set(unitId, { at: now, ids })
    return ids
  }

  clear(): void {
    this.generation++
    this.entries.clear()
  }
}

const scopes = new WeakMap<AppDeps, UnitScopes>()

/** The process's cache for this app, subscribed to unit-tree changes from every process on the bus. */
function unitScopes(deps: AppDeps): UnitScopes {
  let cache = scopes.get(deps)
  if (!cache) {
    const created = new UnitScopes()
    deps.bus.subscribe((e) => {
      if (e.type === UNITS_CHANGED) created.clear()
    })
    scopes.set(deps, created)
    cache = created
  }
  return cache
}

/** The unit and all units below it. */
export function unitScope(deps: AppDeps, unitId: string): Promise<string[]> {
  return unitScopes(deps).get(deps.database.db, unitId)
}

/**
 * The unit tree changed (a unit added, moved or deleted; call once the change is committed): forget
 * the cached subtrees on this process at once, and on every process through the bus.
 */
function unitsChanged(ctx: Ctx): void {
  unitScopes(ctx.deps).clear()
  ctx.emit({ type: UNITS_CHANGED, audience: {}, data: {} })
}

export async function getUnit(db: Db, id: string) {
  const [row] = await db.select().from(units).where(eq(units.id, id))
  return row
}

/** Inserts a unit under `parentId`, computing its path. */
export async function createUnit(db: Db, input: { name: string; kind: (typeof units.$inferInsert)['kind']; parentId: string | null }) {
  const parent = input.parentId ? await getUnit(db, input.parentId) : undefined
  const id = crypto.randomUUID()
  const [row] = await db
    .insert(units)
    .values({ id, name: input.name, kind: input.kind, parentId: input.parentId, path: [...(parent?.path ?? []), id] })
    .returning()
  return row as typeof units.$inferSelect
}

/**
 * Does the staff member's scope cover the whole organisation (every unit)? Only then do they see
 * what belongs to no unit: citizens without a case in their scope, citizen sign-ins in the audit log.
 */
export async function coversWholeOrganisation(ctx: Ctx): Promise<boolean> {
  if (ctx.actor.kind !== 'staff') return false
  const [all] = await ctx.db.select({ n: sql<number>`count(*)::int` }).from(units)
  return (all?.n ?? 0) > 0 && ctx.actor.unitScope.length >= (all?.n ?? 0)
}

type UnitRow = typeof units.$inferSelect
const publicUnit = ({ id, parentId, name, kind }: UnitRow) => ({ id, parentId, name, kind })

/** Units in the caller's scope, in tree order, with their staff and child counts. */
export async function listUnitsAdmin(ctx: Ctx): Promise<UnitAdmin[]> {
  const actor = requireStaff(ctx.actor)
  const scope = [...actor.unitScope]
  if (scope.length === 0) return []
  const rows = await ctx.db
    .select({
      u: units,
      // Written out in full: drizzle leaves columns unqualified here, which a subquery would capture.
      staffCount: sql<number>`(select count(*)::int from staff s where s.unit_id = units.id)`,
      childCount: sql<number>`(select count(*)::int from units c where c.parent_id = units.id)`,
    })
    .from(units)
    .where(inArray(units.id, scope))
    .orderBy(asc(units.path))
  return rows.map((r) => ({ ...publicUnit(r.u), path: r.u.path, staffCount: r.staffCount, childCount: r.childCount }))
}

async function loadInScope(ctx: Ctx, id: string): Promise<UnitRow> {
  const actor = requireStaff(ctx.actor)
  const unit = await getUnit(ctx.db, id)
  if (!unit || !inUnitScope(actor, unit.id)) throw notFound('Unit')
  return unit
}

const kindNotAllowed = () =>
  unprocessable('unit_kind_not_allowed', 'This kind of unit cannot be placed there (支队 → 大队 → 中队 / 警务站 / 车管所)', [
    { path: 'body.parentId', message: 'Not allowed under this parent' },
  ])

export async function createUnitAdmin(ctx: Ctx, input: UnitCreate) {
  const parent = await loadInScope(ctx, input.parentId)
  if (!canPlaceUnit(input.kind, parent.kind)) throw kindNotAllowed()
  const created = await ctx.db.transaction(async (tx) => {
    const row = await createUnit(tx, input)
    await audit(withDb(ctx, tx), { entityType: 'unit', entityId: row.id, action: 'unit.created', after: publicUnit(row), unitId: row.id })
    return publicUnit(row)
  })
  unitsChanged(ctx)
  return created
}

/**
 * Renames and/or moves a unit (with its whole subtree, paths rewritten in one UPDATE). A unit
 * cannot move under itself or its descendants, and the tree's kind rules hold.
 */
export async function updateUnitAdmin(ctx: Ctx, id: string, patch: UnitUpdate) {
  const actor = requireStaff(ctx.actor)
  const unit = await loadInScope(ctx, id)
  const moving = patch.parentId !== undefined && patch.parentId !== unit.parentId
  if (moving && unit.id === actor.unitId) throw conflict('cannot_move_own_unit', 'You cannot move your own unit')
  const parent = moving ? await loadInScope(ctx, patch.parentId as string) : null
  if (parent) {
    if (parent.path.includes(unit.id)) throw conflict('unit_cycle', 'A unit cannot be moved under itself or one of its sub-units')
    if (!canPlaceUnit(unit.kind, parent.kind)) throw kindNotAllowed()
  }
  const updated = await ctx.db.transaction(async (tx) => {
    if (patch.name !== undefined) await tx.update(units).set({ name: patch.name }).where(eq(units.id, id))
    if (parent) {
      await tx.update(units).set({ parentId: parent.id }).where(eq(units.id, id))
      // Every unit whose path runs through this one: new parent's path + the part from this unit down.
      await tx.execute(
        sql`update ${units} set path = ${sql.param(parent.path)}::text[] || path[array_position(path, ${id}::text):] where ${id}::text = any(path)`,
      )
    }
    const [after] = await tx.select().from(units).where(eq(units.id, id))
    if (!after) throw notFound('Unit')
    await audit(withDb(ctx, tx), { entityType: 'unit', entityId: id, action: 'unit.updated', before: publicUnit(unit), after: publicUnit(after), unitId: id })
    return publicUnit(after)
  })
  unitsChanged(ctx)
  return updated
}

function isForeignKeyViolation(err: unknown): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined, i = 0; e && i < 4; e = e.cause as typeof e, i++) {
    if (e.code === '23503') return true
  }
  return false
}

/** Deletes an empty unit: no sub-units, no staff, nothing else referring to it. */
export async function deleteUnitAdmin(ctx: Ctx, id: string): Promise<void> {
  const actor = requireStaff(ctx.actor)
  const unit = await loadInScope(ctx, id)
  if (unit.id === actor.unitId || unit.parentId === null) throw conflict('cannot_delete_own_unit', 'You cannot delete your own unit or the root unit')
  const [children] = await ctx.db.select({ n: sql<number>`count(*)::int` }).from(units).where(eq(units.parentId, id))
  if ((children?.n ?? 0) > 0) throw conflict('unit_has_children', 'Move or delete its sub-units first')
  const [members] = await ctx.db.select({ n: sql<number>`count(*)::int` }).from(staff).where(eq(staff.unitId, id))
  if ((members?.n ?? 0) > 0) throw conflict('unit_has_staff', 'Move its staff to another unit first')
  try {
    await ctx.db.transaction(async (tx) => {
      await audit(withDb(ctx, tx), { entityType: 'unit', entityId: id, action: 'unit.deleted', before: publicUnit(unit), unitId: unit.parentId })
      await tx.delete(units).where(eq(units.id, id))
    })
  } catch (err) {
    if (isForeignKeyViolation(err)) throw conflict('unit_in_use', 'This unit still has grids, offices or cases; it cannot be deleted')
    throw err
  }
  unitsChanged(ctx)
}
