import { count } from 'drizzle-orm'
import { modules } from './modules'
import { seedIdentity } from './modules/identity/identity.seed'
import { units } from './modules/identity/identity.tables'
import { type AppDeps, systemCtx } from './platform/context'

/** Seeds demo data into an empty database, in one transaction. Returns false when data already exists. */
export async function seedDemo(deps: AppDeps): Promise<boolean> {
  const db = deps.database.db
  const [existing] = await db.select({ n: count() }).from(units)
  if ((existing?.n ?? 0) > 0) return false
  await db.transaction(async (tx) => {
    const ctx = systemCtx(deps, tx)
    const refs = await seedIdentity(ctx)
    for (const m of modules) await m.seed?.(ctx, refs)
  })
  return true
}
