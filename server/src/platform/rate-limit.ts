import { sql } from 'drizzle-orm'
import type { Db } from './db'
import { tooManyRequests } from './errors'
import { rateLimits } from './platform.tables'

export interface Limit {
  /** e.g. `otp:ip:1.2.3.4` */
  bucket: string
  max: number
  windowMs: number
}

/**
 * Counts a hit in a fixed window stored in the database, so the limit holds across server
 * processes; throws 429 with Retry-After once `max` is exceeded.
 */
export async function hit(db: Db, limit: Limit, now: Date): Promise<void> {
  const start = new Date(Math.floor(now.getTime() / limit.windowMs) * limit.windowMs)
  const [row] = await db
    .insert(rateLimits)
    .values({ bucket: limit.bucket, windowStart: start, count: 1 })
    .onConflictDoUpdate({ target: [rateLimits.bucket, rateLimits.windowStart], set: { count: sql`${rateLimits.count} + 1` } })
    .returning({ count: rateLimits.count })
  if ((row?.count ?? 0) > limit.max) {
    throw tooManyRequests((start.getTime() + limit.windowMs - now.getTime()) / 1000)
  }
}

export async function hitAll(db: Db, limits: readonly Limit[], now: Date): Promise<void> {
  for (const l of limits) await hit(db, l, now)
}

export async function pruneRateLimits(db: Db, now: Date): Promise<void> {
  await db.delete(rateLimits).where(sql`${rateLimits.windowStart} < ${new Date(now.getTime() - 86_400_000)}`)
}
