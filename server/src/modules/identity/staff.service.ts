import { randomInt } from 'node:crypto'
import { and, eq, gt, isNull, lte, or, sql } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import type { Ctx } from '../../platform/context'
import { AppError, unauthorized } from '../../platform/errors'
import { hitAll } from '../../platform/rate-limit'
import { staff } from './identity.tables'
import { sessionsChanged } from './session-cache'

export const LOCKOUT = { maxFailures: 5, lockMs: 15 * 60_000 } as const

// argon2id with OWASP's minimum parameters (19 MiB, 2 passes): slow for an attacker, ~30 ms here.
const ARGON = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const
// Loaded at first use: a process that never signs staff in does not load the native module.
export const hashPassword = async (password: string) => (await import('@node-rs/argon2')).hash(password, ARGON)
const verifyPassword = async (stored: string, password: string) => (await import('@node-rs/argon2')).verify(stored, password).catch(() => false)

// Verified against when the username is unknown, so timing does not reveal which usernames exist.
let dummyHash: Promise<string> | null = null

type StaffRow = typeof staff.$inferSelect

/** The actor of a sign-in attempt, for the audit row (there is no session yet). */
export function actorOf(user: StaffRow): Ctx['actor'] {
  return { kind: 'staff', role: user.role, id: user.id, sessionId: '', name: user.name, unitId: user.unitId, unitScope: [] }
}

const lockedError = (lockedUntil: Date, now: Date) => {
  const seconds = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000))
  return new AppError(
    429,
    'account_locked',
    `Too many failed sign-ins; try again in ${Math.ceil(seconds / 60)} minutes`,
    undefined,
    { retryAfterSeconds: seconds },
    { 'Retry-After': String(seconds) },
  )
}

/**
 * Username + password. Five failures in a row lock the account for 15 minutes (429 with
 * Retry-After, also for the right password while locked). The failure count is incremented in
 * one UPDATE, so parallel guesses cannot slip past the limit.
 */
export async function staffLogin(ctx: Ctx, username: string, password: string): Promise<StaffRow> {
  const now = ctx.now()
  await hitAll(ctx.db, [{ bucket: `login:ip:${ctx.ip}`, max: 50, windowMs: 3_600_000 }], now)
  const [user] = await ctx.db.select().from(staff).where(eq(staff.username, username.toLowerCase()))
  if (!user?.active) {
    dummyHash ??= hashPassword('not-a-real-password')
    await verifyPassword(await dummyHash, password)
    throw unauthorized('Wrong username or password')
  }
  const asUser = { ...ctx, actor: actorOf(user) }
  if (user.lockedUntil && user.lockedUntil > now) throw lockedError(user.lockedUntil, now)
  if (!(await verifyPassword(user.passwordHash, password))) {
    const reached = sql`${staff.failedLogins} + 1 >= ${LOCKOUT.maxFailures}`
    const lockUntil = new Date(now.getTime() + LOCKOUT.lockMs)
    const [row] = await ctx.db
      .update(staff)
      .set({
        failedLogins: sql`case when ${reached} then 0 else ${staff.failedLogins} + 1 end`,
        lockedUntil: sql`case when ${reached} then ${lockUntil.toISOString()}::timestamptz else null end`,
      })
      .where(and(eq(staff.id, user.id), or(isNull(staff.lockedUntil), lte(staff.lockedUntil, now))))
      .returning({ lockedUntil: staff.lockedUntil, failedLogins: staff.failedLogins })
    if (row?.lockedUntil) {
      await audit(asUser, { entityType: 'staff', entityId: user.id, action: 'auth.locked_out', after: { lockedUntil: row.lockedUntil.toISOString() } })
      throw lockedError(row.lockedUntil, now)
    }
    if (!row) throw lockedError(lockUntil, now) // locked by a parallel attempt meanwhile
    await audit(asUser, { entityType: 'staff', entityId: user.id, action: 'auth.sign_in_failed', after: { failures: row.failedLogins } })
    throw unauthorized('Wrong username or password')
  }
  // The right password only counts while the account is not locked (a parallel lock wins).
  const [ok] = await ctx.db
    .update(staff)
    .set({ failedLogins: 0, lockedUntil: null })
    .where(and(eq(staff.id, user.id), or(isNull(staff.lockedUntil), lte(staff.lockedUntil, now))))
    .returning({ id: staff.id })
  if (!ok) {
    const [again] = await ctx.db.select({ lockedUntil: staff.lockedUntil }).from(staff).where(eq(staff.id, user.id))
    throw lockedError(again?.lockedUntil ?? now, now)
  }
  await audit(asUser, { entityType: 'staff', entityId: user.id, action: 'auth.sign_in', after: { method: 'password' } })
  return user
}

export async function changePassword(ctx: Ctx, staffId: string, current: string, next: string) {
  const [user] = await ctx.db.select().from(staff).where(eq(staff.id, staffId))
  if (!user || !(await verifyPassword(user.passwordHash, current)))
    throw new AppError(400, 'wrong_password', 'The current password is wrong', [{ path: 'body.currentPassword', message: 'Wrong password' }])
  if (current === next)
    throw new AppError(400, 'same_password', 'Choose a password different from the current one', [{ path: 'body.newPassword', message: 'Same as before' }])
  await ctx.db
    .update(staff)
    .set({ passwordHash: await hashPassword(next), mustChangePassword: false })
    .where(eq(staff.id, staffId))
  // Lifts "must change the password" from the staff member's sessions at once.
  sessionsChanged(ctx, { subjectType: 'staff', subjectId: staffId })
  await audit(ctx, { entityType: 'staff', entityId: staffId, action: 'auth.password_changed' })
}

const PW_LETTERS = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ'
const PW_DIGITS = '23456789'

/** A 12-character one-time password with letters and digits (no look-alikes such as l/1, O/0). */
export function temporaryPassword(): string {
  const all = PW_LETTERS + PW_DIGITS
  const chars = Array.from({ length: 12 }, (_, i) => {
    const set = i === 3 || i === 8 ? PW_DIGITS : i === 0 ? PW_LETTERS : all
    return set[randomInt(set.length)] as string
  })
  return chars.join('')
}

/** Accounts currently locked, for the console (a reset also unlocks). */
export function isLocked(row: Pick<StaffRow, 'lockedUntil'>, now: Date): boolean {
  return !!row.lockedUntil && row.lockedUntil > now
}

export const lockedNow = (now: Date) => gt(staff.lockedUntil, now)
