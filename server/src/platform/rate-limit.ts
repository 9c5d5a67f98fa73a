import { sql } from 'drizzle-orm'
import type { Db } from './db'
import { tooManyRequests } from './errors'
import { rateLimits } from './platform.tables'
import { preparedShapes } from './prepared'

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
  await hitAll(db, [limit], now)
}

/** Counts a hit on every limit in one statement (one round trip); throws 429 for the first one exceeded. */
export async function hitAll(db: Db, limits: readonly Limit[], now: Date): Promise<void> {
  if (limits.length === 0) return
  const startOf = (l: Limit) => new Date(Math.floor(now.getTime() / l.windowMs) * l.windowMs)
  const rows = await counting(db, limits.length).execute(
    Object.fromEntries(
      limits.flatMap((l, i) => [
        [`bucket${i}`, l.bucket],
        [`window${i}`, startOf(l)],
      ]),
    ),
  )
  for (const l of limits) {
    if ((rows.find((r) => r.bucket === l.bucket)?.count ?? 0) > l.max) throw tooManyRequests((startOf(l).getTime() + l.windowMs - now.getTime()) / 1000)
  }
}

/** Every limited submission counts its hits first: prepared per number of limits (window starts are Dates: an insert maps placeholders through its columns). */
const counting = preparedShapes(
  (n: number) => String(n),
  (db, n: number, key) =>
    db
      .insert(rateLimits)
      .values(Array.from({ length: n }, (_, i) => ({ bucket: sql.placeholder(`bucket${i}`), windowStart: sql.placeholder(`window${i}`), count: 1 })))
      .onConflictDoUpdate({ target: [rateLimits.bucket, rateLimits.windowStart], set: { count: sql`${rateLimits.count} + 1` } })
      .returning({ bucket: rateLimits.bucket, count: rateLimits.count })
      .prepare(`rate_limit_hit_${key}`),
)

export async function pruneRateLimits(db: Db, now: Date): Promise<void> {
  await db.delete(rateLimits).where(sql`${rateLimits.windowStart} < ${new Date(now.getTime() - 86_400_000)}`)
}

// -------------------------------------------------------------------------------------------------
// Per-route limits on submissions, checked before the body is parsed and outside any transaction:
// every attempt counts (also refused and failed ones), and nothing holds the counter row locked.

const HOUR = 3_600_000

export interface RouteLimit {
  /** Bucket prefix, e.g. `report-submit` → `report-submit:ip:1.2.3.4`, `report-submit:citizen:<id>`. */
  name: string
  /** Per client address; generous, since many phones share a carrier's NAT address. */
  perIp?: { max: number; windowMs: number }
  /** Per signed-in citizen or staff member. */
  perAccount?: { max: number; windowMs: number }
}

/**
 * The submission limits, one place to tune them. Sign-in and one-time codes are limited in the
 * identity services (per address, per number, five wrong passwords lock the account).
 */
export const RATE_LIMITS = {
  /** Filing road reports (the report service also caps accepted reports at 30 an hour per citizen). */
  reportSubmit: { name: 'report-submit', perAccount: { max: 60, windowMs: HOUR }, perIp: { max: 300, windowMs: HOUR } },
  /** Filing appeals (multipart with evidence: refused before it is parsed). */
  appealFile: { name: 'appeal-file', perAccount: { max: 20, windowMs: HOUR }, perIp: { max: 200, windowMs: HOUR } },
  /** Booking an appointment. */
  bookingCreate: { name: 'booking-create', perAccount: { max: 30, windowMs: HOUR }, perIp: { max: 600, windowMs: HOUR } },
  /** Uploading a report photo, before the image is decoded. */
  photoUpload: { name: 'photo-upload', perIp: { max: 600, windowMs: HOUR } },
} as const satisfies Record<string, RouteLimit>

/** The limits a route declares (`route({ rateLimit })`), for the handler chain. */
export function routeLimits(limit: RouteLimit, ip: string, actor: { kind: string; id?: string }): Limit[] {
  const out: Limit[] = []
  if (limit.perAccount && (actor.kind === 'citizen' || actor.kind === 'staff') && actor.id)
    out.push({ bucket: `${limit.name}:${actor.kind}:${actor.id}`, ...limit.perAccount })
  if (limit.perIp && ip) out.push({ bucket: `${limit.name}:ip:${ip}`, ...limit.perIp })
  return out
}
