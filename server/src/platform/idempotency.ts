import { createHash } from 'node:crypto'
import { and, eq, lt, sql } from 'drizzle-orm'
import type { Context, HonoRequest, MiddlewareHandler } from 'hono'
import { type Actor, type AppEnv, withDb } from './context'
import type { Db } from './db'
import { AppError, badRequest } from './errors'
import { idempotencyKeys } from './platform.tables'
import { prepared } from './prepared'

const KEY_RE = /^[\x21-\x7e]{1,200}$/

function scopeOf(actor: Actor, method: string, path: string): string {
  const who = actor.kind === 'citizen' || actor.kind === 'staff' ? `${actor.kind}:${actor.id}` : actor.kind
  return `${who} ${method} ${path}`
}

/**
 * A cheap read that refuses a request before any transaction begins (a full slot: most attempts
 * at a popular one). It answers the refusal, or nothing to go on. Under a key, the refusal stands
 * only when nothing is stored there: the retry of a request that succeeded still replays.
 */
export type EarlyRefusal = (c: Context<AppEnv>) => Promise<AppError | undefined>

class Rollback extends Error {}
class AlreadyStored extends Error {}

/**
 * `Idempotency-Key` for creating POSTs. The key row, the handler's writes and the stored response
 * commit in one transaction: a crash leaves nothing (the retry runs afresh), a concurrent duplicate
 * waits on the key's primary key and then replays, and a failed request (4xx/5xx) stores nothing.
 * Handlers must use `ctx.db` (the transaction) for every query.
 */
export function idempotent(refuseEarly?: EarlyRefusal): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key')
    if (key === undefined) {
      const refusal = await refuseEarly?.(c)
      if (refusal) throw refusal
      return next()
    }
    if (!KEY_RE.test(key)) throw badRequest('Invalid Idempotency-Key', [{ path: 'header.idempotency-key', message: '1–200 printable ASCII characters' }])
    const ctx = c.get('ctx')
    const scope = scopeOf(ctx.actor, c.req.method, c.req.path)
    const hash = await requestHash(c.req)
    const db = ctx.deps.database.db

    const answer = (row: Awaited<ReturnType<typeof find>> & {}) => {
      if (row.requestHash !== hash) throw new AppError(422, 'idempotency_key_reused', 'This Idempotency-Key was used with a different request')
      return c.body(row.body, row.status as 200, { 'content-type': row.contentType, 'idempotent-replayed': 'true' })
    }
    const replay = async () => {
      const row = await find(db, scope, key)
      if (!row) throw new AppError(409, 'idempotency_in_progress', 'A request with this Idempotency-Key is still being processed')
      return answer(row)
    }

    // A duplicate still running is not seen here (its key is not committed); it read the same
    // committed state, so it is refused alike unless a place frees in between.
    const refusal = await refuseEarly?.(c)
    if (refusal) {
      const row = await find(db, scope, key)
      if (!row) throw refusal
      return answer(row)
    }

    // No look-up first: the insert finds a stored key (nothing inserted: replay) or waits for a
    // duplicate still running, and saves the first request a round trip.
    try {
      await db.transaction(async (tx) => {
        const inserted = await keyClaim(tx).execute({ scope, key, requestHash: hash })
        if (inserted.length === 0) throw new AlreadyStored()
        c.set('ctx', withDb(ctx, tx))
        await next()
        if (c.error || c.res.status >= 400) throw new Rollback()
        // Read once and answered anew (cheaper than a clone, which copies the body stream).
        const body = await c.res.text()
        c.res = new Response(body, c.res)
        await answerStore(tx).execute({ scope, key, status: c.res.status, body, contentType: c.res.headers.get('content-type') ?? 'application/json' })
      })
    } catch (err) {
      if (err instanceof Rollback) return
      if (err instanceof AlreadyStored) return replay()
      throw err
    } finally {
      c.set('ctx', ctx)
    }
  }
}

/**
 * What makes two requests "the same". Multipart bodies are compared by their parsed fields and the
 * sha256 of each file (name, type, bytes), because a client that rebuilds its FormData on retry
 * sends a new random boundary; fields are ordered by name (repeated names keep their order).
 * Other bodies are compared byte for byte together with their content type.
 */
async function requestHash(req: HonoRequest): Promise<string> {
  const type = req.header('content-type') ?? ''
  const hash = createHash('sha256')
  if (!/^\s*multipart\/form-data/i.test(type)) {
    const bytes = new Uint8Array(await req.arrayBuffer())
    keepParsedJson(req, type, bytes)
    return hash.update(type).update(bytes).digest('hex')
  }
  const form = await req.formData().catch(() => {
    throw badRequest('Malformed multipart body', [{ path: 'body', message: 'Not valid multipart/form-data' }])
  })
  const fields = await Promise.all(
    [...form.entries()].map(
      async ([name, value]): Promise<[string, unknown]> =>
        typeof value === 'string'
          ? [name, value]
          : [
              name,
              {
                file: value.name,
                type: value.type,
                sha256: createHash('sha256')
                  .update(new Uint8Array(await value.arrayBuffer()))
                  .digest('hex'),
              },
            ],
    ),
  )
  fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return hash.update('multipart/form-data\n').update(JSON.stringify(fields)).digest('hex')
}

/**
 * The body was read as bytes here; the route's validator reads it again as JSON, which would make
 * the framework build a Response around the bytes to parse them. Valid JSON is handed over parsed;
 * anything else is left for the validator to refuse as it would anyway.
 */
function keepParsedJson(req: HonoRequest, type: string, bytes: Uint8Array) {
  if (!/^\s*application\/([\w.-]+\+)?json\s*(;|$)/i.test(type)) return
  try {
    req.bodyCache.json = Promise.resolve(JSON.parse(new TextDecoder().decode(bytes)))
  } catch {
    // Malformed: the validator's own read answers 400.
  }
}

async function find(db: Db, scope: string, key: string) {
  const [row] = await storedKey(db).execute({ scope, key })
  return row
}

// Every keyed POST claims its key and stores its answer; replays and early refusals read it: prepared.
const keyClaim = prepared((db) =>
  db
    .insert(idempotencyKeys)
    .values({ scope: sql.placeholder('scope'), key: sql.placeholder('key'), requestHash: sql.placeholder('requestHash'), status: 0, body: '', contentType: '' })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key })
    .prepare('idempotency_claim'),
)
const answerStore = prepared((db) =>
  db
    .update(idempotencyKeys)
    .set({ status: sql`${sql.placeholder('status')}`, body: sql`${sql.placeholder('body')}`, contentType: sql`${sql.placeholder('contentType')}` })
    .where(and(eq(idempotencyKeys.scope, sql.placeholder('scope')), eq(idempotencyKeys.key, sql.placeholder('key'))))
    .prepare('idempotency_answer'),
)
const storedKey = prepared((db) =>
  db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, sql.placeholder('scope')), eq(idempotencyKeys.key, sql.placeholder('key'))))
    .prepare('idempotency_key'),
)

/** Keys are kept for a day. */
export async function pruneIdempotencyKeys(db: Db, now: Date): Promise<void> {
  await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, new Date(now.getTime() - 86_400_000)))
}
