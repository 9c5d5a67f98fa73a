import { hash, verify } from '@node-rs/argon2'
import { eq } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import type { Ctx } from '../../platform/context'
import { AppError, unauthorized } from '../../platform/errors'
import { hitAll } from '../../platform/rate-limit'
import { staff } from './identity.tables'

export const LOCKOUT = { maxFailures: 5, lockMs: 15 * 60_000 } as const

// argon2id with OWASP's minimum parameters (19 MiB, 2 passes): slow for an attacker, ~30 ms here.
const ARGON = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const
export const hashPassword = (password: string) => hash(password, ARGON)

// Verified against when the username is unknown, so timing does not reveal which usernames exist.
let dummyHash: Promise<string> | null = null

/** Username + password; 5 failures lock the account for 15 minutes. */
export async function staffLogin(ctx: Ctx, username: string, password: string) {
  const now = ctx.now()
  await hitAll(ctx.db, [{ bucket: `login:ip:${ctx.ip}`, max: 50, windowMs: 3_600_000 }], now)
  const [user] = await ctx.db.select().from(staff).where(eq(staff.username, username.toLowerCase()))
  if (!user?.active) {
    dummyHash ??= hashPassword('not-a-real-password')
    await verify(await dummyHash, password).catch(() => false)
    throw unauthorized('Wrong username or password')
  }
  const asUser = { ...ctx, actor: { kind: 'staff', role: user.role, id: user.id, sessionId: '', name: user.name, unitId: user.unitId, unitScope: [] } } as Ctx
  if (user.lockedUntil && user.lockedUntil > now) {
    const seconds = Math.ceil((user.lockedUntil.getTime() - now.getTime()) / 1000)
    throw new AppError(
      429,
      'account_locked',
      `Too many failed sign-ins; try again in ${Math.ceil(seconds / 60)} minutes`,
      undefined,
      { retryAfterSeconds: seconds },
      { 'Retry-After': String(seconds) },
    )
  }
  if (!(await verify(user.passwordHash, password).catch(() => false))) {
    const failures = user.failedLogins + 1
    const locked = failures >= LOCKOUT.maxFailures
    await ctx.db
      .update(staff)
      .set({ failedLogins: locked ? 0 : failures, lockedUntil: locked ? new Date(now.getTime() + LOCKOUT.lockMs) : null })
      .where(eq(staff.id, user.id))
    await audit(asUser, { entityType: 'staff', entityId: user.id, action: locked ? 'auth.locked_out' : 'auth.sign_in_failed' })
    throw unauthorized('Wrong username or password')
  }
  await ctx.db.update(staff).set({ failedLogins: 0, lockedUntil: null }).where(eq(staff.id, user.id))
  await audit(asUser, { entityType: 'staff', entityId: user.id, action: 'auth.sign_in' })
  return user
}

export async function changePassword(ctx: Ctx, staffId: string, current: string, next: string) {
  const [user] = await ctx.db.select().from(staff).where(eq(staff.id, staffId))
  if (!user || !(await verify(user.passwordHash, current).catch(() => false)))
    throw new AppError(400, 'wrong_password', 'The current password is wrong', [{ path: 'body.currentPassword', message: 'Wrong password' }])
  await ctx.db
    .update(staff)
    .set({ passwordHash: await hashPassword(next), mustChangePassword: false })
    .where(eq(staff.id, staffId))
  await audit(ctx, { entityType: 'staff', entityId: staffId, action: 'auth.password_changed' })
}
