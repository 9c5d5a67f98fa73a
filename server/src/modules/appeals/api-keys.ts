import { createHash, randomBytes } from 'node:crypto'
import { and, desc, eq, isNull } from 'drizzle-orm'
import type { MiddlewareHandler } from 'hono'
import { audit } from '../../platform/audit'
import { type AppEnv, type Ctx, requireStaff, SYSTEM, withDb } from '../../platform/context'
import { AppError, notFound } from '../../platform/errors'
import { apiKeys } from './appeals.tables'

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex')
const KEY_RE = /^tpk_[A-Za-z0-9_-]{20,80}$/

export interface ApiKeyInfo {
  id: string
  name: string
}

/** The key a request authenticated with (set by `apiKeyAuth`). */
const byRequest = new WeakMap<Request, ApiKeyInfo>()
export const apiKeyOf = (req: Request): ApiKeyInfo | undefined => byRequest.get(req)

/**
 * For machine routes: `Authorization: Bearer tpk_…` or `X-Api-Key: tpk_…` makes the actor the
 * system (routes declare `access: { apiKey: true }` to accept it). A wrong or revoked key is a 401,
 * never a silent fallback to the session.
 */
export function apiKeyAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('x-api-key') ?? c.req.header('authorization')?.replace(/^Bearer\s+/i, '')
    if (header === undefined) return next()
    const ctx = c.get('ctx')
    if (!KEY_RE.test(header)) throw new AppError(401, 'invalid_api_key', 'The API key is not valid')
    const [row] = await ctx.deps.database.db
      .update(apiKeys)
      .set({ lastUsedAt: ctx.now() })
      .where(and(eq(apiKeys.keyHash, hashKey(header)), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id, name: apiKeys.name })
    if (!row) throw new AppError(401, 'invalid_api_key', 'The API key is not valid or has been revoked')
    byRequest.set(c.req.raw, row)
    c.set('actor', SYSTEM)
    c.set('ctx', { ...ctx, actor: SYSTEM })
    await next()
  }
}

const view = (r: typeof apiKeys.$inferSelect) => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  createdAt: r.createdAt.toISOString(),
  lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
  revokedAt: r.revokedAt?.toISOString() ?? null,
})

export async function listApiKeys(ctx: Ctx) {
  const rows = await ctx.db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt))
  return rows.map(view)
}

/** Creates a key; the secret is returned this once and only its hash is kept. */
export async function createApiKey(ctx: Ctx, name: string) {
  const actor = requireStaff(ctx.actor)
  const key = `tpk_${randomBytes(24).toString('base64url')}`
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({ name, prefix: key.slice(0, 10), keyHash: hashKey(key), createdBy: actor.id, createdAt: ctx.now() })
      .returning()
    await audit(withDb(ctx, tx), { entityType: 'api_key', entityId: row!.id, action: 'api_key.created', after: { name, prefix: row!.prefix } })
    return { ...view(row!), key }
  })
}

export async function revokeApiKey(ctx: Ctx, id: string) {
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: ctx.now() })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning()
    if (!row) throw notFound('API key')
    await audit(withDb(ctx, tx), { entityType: 'api_key', entityId: id, action: 'api_key.revoked', before: { name: row.name, prefix: row.prefix } })
    return view(row)
  })
}
