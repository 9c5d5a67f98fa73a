import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../platform/db'
import { units } from './identity.tables'

const TTL_MS = 30_000
const cache = new Map<string, { at: number; ids: string[] }>()

/** The unit and all units below it (cached briefly: the tree changes rarely). */
export async function unitScope(db: Db, unitId: string, now = Date.now()): Promise<string[]> {
  const hit = cache.get(unitId)
  if (hit && now - hit.at < TTL_MS) return hit.ids
  const rows = await db.select({ id: units.id }).from(units).where(sql`${unitId} = any(${units.path})`)
  const ids = rows.map((r) => r.id)
  cache.set(unitId, { at: now, ids })
  return ids
}

export function invalidateUnitScopes(): void {
  cache.clear()
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
  invalidateUnitScopes()
  return row as typeof units.$inferSelect
}
