import { PgTransaction } from 'drizzle-orm/pg-core'
import { type Ctx, withDb } from './context'

/**
 * Runs `work` in a transaction: the caller's when `ctx.db` already is one (a request with an
 * Idempotency-Key runs its handler inside the key's transaction), else a new one. No savepoint in
 * between, so a failure aborts the whole transaction: callers must let it propagate.
 */
export function inTransaction<T>(ctx: Ctx, work: (t: Ctx) => Promise<T>): Promise<T> {
  if (ctx.db instanceof PgTransaction) return work(ctx)
  return ctx.db.transaction((tx) => work(withDb(ctx, tx)))
}

/**
 * Awaits statements started side by side (service calls, or query builders started with
 * `.execute()`). Inside a transaction they are pipelined on its one connection: one round trip
 * instead of one each. The order in which they reach the database is not defined, so pass only
 * statements that do not depend on each other (nor on a lock another of them takes). Fails with the
 * first failure in argument order: in a transaction the statements after a failed one fail only
 * because it aborted.
 */
export async function pipeline<const T extends readonly unknown[]>(work: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(work)
  const failed = settled.find((s) => s.status === 'rejected')
  if (failed) throw failed.reason
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> }
}
