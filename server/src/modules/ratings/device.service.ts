import { createHash, randomBytes } from 'node:crypto'
import type { EvaluatorDevice, EvaluatorDeviceIssued, EvaluatorRatingCreate, EvaluatorState } from '@tp/shared/ratings/schemas'
import { and, desc, eq, isNull } from 'drizzle-orm'
import { inUnitScope } from '../../platform/access'
import { audit } from '../../platform/audit'
import { type Ctx, requireStaff } from '../../platform/context'
import { AppError, conflict, notFound, unprocessable } from '../../platform/errors'
import { hit } from '../../platform/rate-limit'
import { offices, serviceWindows } from '../bookings/bookings.tables'
import { latestCompletedAtWindow } from '../bookings/queue.service'
import { staff } from '../identity/identity.tables'
import { inScope, iso, loadRatingConfig } from './common'
import { recordRating, tagOptions } from './rating.service'
import { ratingDevices, ratings } from './ratings.tables'

export const EVALUATOR_TOKEN_HEADER = 'x-evaluator-token'
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')
const TOUCH_EVERY_MS = 60_000

type DeviceRow = typeof ratingDevices.$inferSelect

async function windowInScope(ctx: Ctx, windowId: string) {
  const [row] = await ctx.db
    .select({ w: serviceWindows, officeName: offices.name, unitId: offices.unitId })
    .from(serviceWindows)
    .innerJoin(offices, eq(offices.id, serviceWindows.officeId))
    .where(eq(serviceWindows.id, windowId))
  if (!row || !inUnitScope(ctx.actor, row.unitId)) throw notFound('Window')
  return row
}

function toDevice(d: DeviceRow, w: { number: number; officeName: string }, createdBy: string | null): EvaluatorDevice {
  return {
    id: d.id,
    windowId: d.windowId,
    windowNumber: w.number,
    officeName: w.officeName,
    label: d.label,
    createdAt: d.createdAt.toISOString(),
    createdBy,
    lastSeenAt: iso(d.lastSeenAt),
    revokedAt: iso(d.revokedAt),
  }
}

/**
 * Binds a tablet to a window: a random token, shown once (the setup link carries it in the URL
 * fragment, which never reaches the server's logs); only its hash is stored.
 */
export async function issueDevice(ctx: Ctx, input: { windowId: string; label: string }): Promise<EvaluatorDeviceIssued> {
  const actor = requireStaff(ctx.actor)
  const w = await windowInScope(ctx, input.windowId)
  const token = randomBytes(24).toString('base64url')
  const [row] = await ctx.db
    .insert(ratingDevices)
    .values({ windowId: w.w.id, label: input.label, tokenHash: hashToken(token), createdBy: actor.id, createdAt: ctx.now() })
    .returning()
  const d = row as DeviceRow
  await audit(ctx, {
    entityType: 'rating_device',
    entityId: d.id,
    action: 'rating_device.issue',
    after: { window: w.w.number, office: w.officeName, label: d.label },
    unitId: w.unitId,
  })
  return { ...toDevice(d, { number: w.w.number, officeName: w.officeName }, actor.name), token, setupPath: `/console/evaluator/${w.w.id}#token=${token}` }
}

export async function listDevices(ctx: Ctx, windowId?: string): Promise<EvaluatorDevice[]> {
  const rows = await ctx.db
    .select({ d: ratingDevices, number: serviceWindows.number, officeName: offices.name, createdBy: staff.name })
    .from(ratingDevices)
    .innerJoin(serviceWindows, eq(serviceWindows.id, ratingDevices.windowId))
    .innerJoin(offices, eq(offices.id, serviceWindows.officeId))
    .leftJoin(staff, eq(staff.id, ratingDevices.createdBy))
    .where(and(inScope(ctx, offices.unitId), windowId ? eq(ratingDevices.windowId, windowId) : undefined))
    .orderBy(desc(ratingDevices.createdAt))
    .limit(200)
  return rows.map((r) => toDevice(r.d, { number: r.number, officeName: r.officeName }, r.createdBy))
}

export async function revokeDevice(ctx: Ctx, id: string): Promise<EvaluatorDevice> {
  const [d] = await ctx.db.select().from(ratingDevices).where(eq(ratingDevices.id, id))
  if (!d) throw notFound('Device')
  const w = await windowInScope(ctx, d.windowId)
  const [row] = await ctx.db
    .update(ratingDevices)
    .set({ revokedAt: ctx.now() })
    .where(and(eq(ratingDevices.id, id), isNull(ratingDevices.revokedAt)))
    .returning()
  if (!row) throw conflict('already_revoked', 'This evaluator was already unbound')
  await audit(ctx, { entityType: 'rating_device', entityId: id, action: 'rating_device.revoke', before: { label: d.label }, unitId: w.unitId })
  return toDevice(row, { number: w.w.number, officeName: w.officeName }, null)
}

/**
 * The device behind a token, bound to this window. No token or a revoked one: 401
 * `evaluator_unbound`; a token of another window: 403 `evaluator_wrong_window`.
 */
async function deviceFor(ctx: Ctx, token: string | undefined, windowId: string): Promise<DeviceRow> {
  if (!token || token.length > 100) throw new AppError(401, 'evaluator_unbound', 'This evaluator is not bound to a window; ask staff to set it up')
  const [d] = await ctx.db
    .select()
    .from(ratingDevices)
    .where(and(eq(ratingDevices.tokenHash, hashToken(token)), isNull(ratingDevices.revokedAt)))
  if (!d) throw new AppError(401, 'evaluator_unbound', 'This evaluator is not bound to a window; ask staff to set it up')
  if (d.windowId !== windowId) throw new AppError(403, 'evaluator_wrong_window', 'This evaluator is bound to another window')
  const now = ctx.now()
  if (!d.lastSeenAt || now.getTime() - d.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await ctx.db.update(ratingDevices).set({ lastSeenAt: now }).where(eq(ratingDevices.id, d.id))
  }
  return d
}

/** The ticket the window completed last, if it is recent enough and not rated yet. */
async function rateableAt(ctx: Ctx, windowId: string, minutes: number) {
  const t = await latestCompletedAtWindow(ctx.db, windowId)
  if (!t) return null
  if (ctx.now().getTime() - t.completedAt.getTime() > minutes * 60_000) return null
  const [r] = await ctx.db.select({ id: ratings.id }).from(ratings).where(eq(ratings.ticketId, t.id))
  return r ? null : t
}

/** What the tablet shows: the window, who serves there, and the service just completed (or idle). */
export async function evaluatorState(ctx: Ctx, windowId: string, token: string | undefined): Promise<EvaluatorState> {
  await deviceFor(ctx, token, windowId)
  const config = await loadRatingConfig(ctx.db)
  const [row] = await ctx.db
    .select({ w: serviceWindows, officeName: offices.name, staffName: staff.name })
    .from(serviceWindows)
    .innerJoin(offices, eq(offices.id, serviceWindows.officeId))
    .leftJoin(staff, eq(staff.id, serviceWindows.staffId))
    .where(eq(serviceWindows.id, windowId))
  if (!row) throw notFound('Window')
  const t = await rateableAt(ctx, windowId, config.evaluatorMinutes)
  return {
    window: { id: row.w.id, number: row.w.number, label: row.w.label, officeName: row.officeName },
    staff: row.w.staffId && row.staffName ? { id: row.w.staffId, name: row.staffName } : null,
    ticket: t ? { id: t.id, number: t.number, serviceName: t.serviceName, staffName: t.servedByName, completedAt: t.completedAt.toISOString() } : null,
    tags: tagOptions(config),
    idleSeconds: config.idleSeconds,
    serverTime: ctx.now().toISOString(),
  }
}

/**
 * A rating at the window: only with the window's device token, only for the ticket that window
 * completed last (the one the tablet shows), within the configured minutes, once.
 */
export async function rateAtEvaluator(
  ctx: Ctx,
  windowId: string,
  token: string | undefined,
  input: EvaluatorRatingCreate,
): Promise<{ ok: true; bad: boolean }> {
  const device = await deviceFor(ctx, token, windowId)
  await hit(ctx.db, { bucket: `evaluator:${device.id}`, max: 30, windowMs: 60_000 }, ctx.now())
  const config = await loadRatingConfig(ctx.db)
  const latest = await latestCompletedAtWindow(ctx.db, windowId)
  if (!latest || latest.id !== input.ticketId) throw conflict('not_current_ticket', 'This evaluator can only rate the service this window completed last')
  if (ctx.now().getTime() - latest.completedAt.getTime() > config.evaluatorMinutes * 60_000)
    throw unprocessable('rating_expired', 'The evaluator accepts a rating only shortly after the service')
  const { rating } = await recordRating(
    { ...ctx },
    latest,
    { level: input.level, tags: input.tags, comment: input.comment, contactPhone: input.contactPhone },
    'evaluator',
    device.id,
  )
  return { ok: true, bad: rating.bad }
}
