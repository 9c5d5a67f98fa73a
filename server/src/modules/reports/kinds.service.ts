import { DEFAULT_KINDS, type KindConfig } from '@tp/shared/reports/index'
import { asc, eq, sql } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import type { Ctx } from '../../platform/context'
import { AppError, notFound } from '../../platform/errors'
import { prepared } from '../../platform/prepared'
import { reportKinds } from './reports.tables'

/** All kinds, ordered; the defaults when the table is empty (a database not seeded yet). */
export async function listKinds(ctx: Ctx, opts: { activeOnly?: boolean } = {}): Promise<KindConfig[]> {
  const rows = await allKinds(ctx.db).execute()
  const kinds = rows.length ? rows.map((r) => r.config) : [...DEFAULT_KINDS]
  return kinds.filter((k) => !opts.activeOnly || k.active).sort((a, b) => a.order - b.order)
}

// Read by every "my cases", report submit, nearby query and action: prepared (see platform/prepared.ts).
const allKinds = prepared((db) => db.select().from(reportKinds).orderBy(asc(reportKinds.code)).prepare('report_kinds'))
const kindByCode = prepared((db) =>
  db
    .select()
    .from(reportKinds)
    .where(eq(reportKinds.code, sql.placeholder('code')))
    .prepare('report_kind_by_code'),
)

/** A kind by its code; an unknown one is a 400 naming where the code came from (`at`). */
export async function getKind(ctx: Ctx, code: string, at: 'body.kind' | 'query.kind' = 'body.kind'): Promise<KindConfig> {
  const [row] = await kindByCode(ctx.db).execute({ code })
  const kind = row?.config ?? (await listKinds(ctx)).find((k) => k.code === code)
  if (!kind) throw new AppError(400, 'unknown_kind', `Unknown report kind: ${code}`, [{ path: at, message: 'Unknown kind' }])
  return kind
}

/** Admin edits a kind's configuration (the code and course are fixed once reports exist). */
export async function updateKind(ctx: Ctx, code: string, config: KindConfig): Promise<KindConfig> {
  if (config.code !== code) throw new AppError(400, 'validation_failed', 'The code cannot change', [{ path: 'body.code', message: 'Must match the URL' }])
  if (config.course === 'zombie' && !config.zombie)
    throw new AppError(400, 'validation_failed', 'A zombie-car kind needs its periods', [{ path: 'body.zombie', message: 'Required for the zombie course' }])
  if (config.minPhotos > config.maxPhotos)
    throw new AppError(400, 'validation_failed', 'minPhotos exceeds maxPhotos', [{ path: 'body.minPhotos', message: 'Must not exceed maxPhotos' }])
  const [before] = await ctx.db.select().from(reportKinds).where(eq(reportKinds.code, code))
  if (!before) throw notFound('Report kind')
  if (before.config.course !== config.course) throw new AppError(409, 'course_fixed', 'The course of a kind cannot change')
  await ctx.db.update(reportKinds).set({ config, updatedAt: ctx.now() }).where(eq(reportKinds.code, code))
  await audit(ctx, { entityType: 'report_kind', entityId: code, action: 'report_kind.update', before: before.config, after: config })
  return config
}

export async function seedKinds(ctx: Ctx): Promise<void> {
  for (const k of DEFAULT_KINDS) await ctx.db.insert(reportKinds).values({ code: k.code, config: k }).onConflictDoNothing()
}
