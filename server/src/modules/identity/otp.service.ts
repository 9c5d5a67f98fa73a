import { createHash, randomInt, timingSafeEqual } from 'node:crypto'
import { DEFAULT_PREFERENCES } from '@tp/shared'
import { and, eq, gt, lt, lte, sql } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import { type Ctx, withDb } from '../../platform/context'
import { AppError, tooManyRequests } from '../../platform/errors'
import { hitAll } from '../../platform/rate-limit'
import { citizens, otpCodes } from './identity.tables'

export const OTP_RULES = {
  resendAfterMs: 60_000,
  ttlMs: 5 * 60_000,
  maxAttempts: 5,
  perNumberPerHour: 5,
  perIpPerHour: 20,
  verifyPerIpPerHour: 60,
} as const

const HOUR = 3_600_000
const hashCode = (phone: string, code: string) => createHash('sha256').update(`${phone}:${code}`).digest('hex')

/**
 * Sends a code. The answer is the same whether or not the number has an account, so it cannot be
 * used to learn who is registered. The 60-second rule is one conditional upsert (two concurrent
 * requests cannot both send), the hourly caps are counted in the same transaction, and a failed
 * delivery rolls everything back.
 */
export async function requestOtp(ctx: Ctx, phone: string) {
  const now = ctx.now()
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
  await ctx.db.transaction(async (tx) => {
    const values = { codeHash: hashCode(phone, code), attempts: 0, sentAt: now, expiresAt: new Date(now.getTime() + OTP_RULES.ttlMs) }
    const written = await tx
      .insert(otpCodes)
      .values({ phone, ...values })
      .onConflictDoUpdate({ target: otpCodes.phone, set: values, setWhere: lte(otpCodes.sentAt, new Date(now.getTime() - OTP_RULES.resendAfterMs)) })
      .returning({ phone: otpCodes.phone })
    if (written.length === 0) {
      const [existing] = await tx.select({ sentAt: otpCodes.sentAt }).from(otpCodes).where(eq(otpCodes.phone, phone))
      const waitMs = existing ? existing.sentAt.getTime() + OTP_RULES.resendAfterMs - now.getTime() : OTP_RULES.resendAfterMs
      throw tooManyRequests(waitMs / 1000, 'Please wait before requesting another code')
    }
    await hitAll(
      tx,
      [
        { bucket: `otp:ip:${ctx.ip}`, max: OTP_RULES.perIpPerHour, windowMs: HOUR },
        { bucket: `otp:phone:${phone}`, max: OTP_RULES.perNumberPerHour, windowMs: HOUR },
      ],
      now,
    )
    await ctx.deps.sms.sendCode(phone, code)
  })
  return {
    sent: true as const,
    retryAfterSeconds: OTP_RULES.resendAfterMs / 1000,
    expiresInSeconds: OTP_RULES.ttlMs / 1000,
    ...(ctx.deps.config.development && ctx.deps.sms.name === 'dev' ? { devCode: code } : {}),
  }
}

const invalidCode = () =>
  new AppError(400, 'otp_invalid', 'The code is wrong or has expired; request a new one', [{ path: 'body.code', message: 'Wrong or expired code' }])

/**
 * Checks a code; on success finds or creates the citizen account. Each try first claims one of
 * the five attempts in a single UPDATE, so parallel guesses cannot exceed the limit; the fifth
 * wrong try deletes the code; a right code is consumed by a DELETE that only one request can win.
 */
export async function verifyOtp(ctx: Ctx, phone: string, code: string): Promise<{ citizenId: string; created: boolean }> {
  const now = ctx.now()
  await hitAll(ctx.db, [{ bucket: `otp-verify:ip:${ctx.ip}`, max: OTP_RULES.verifyPerIpPerHour, windowMs: HOUR }], now)
  const [claimed] = await ctx.db
    .update(otpCodes)
    .set({ attempts: sql`${otpCodes.attempts} + 1` })
    .where(and(eq(otpCodes.phone, phone), gt(otpCodes.expiresAt, now), lt(otpCodes.attempts, OTP_RULES.maxAttempts)))
    .returning({ codeHash: otpCodes.codeHash, attempts: otpCodes.attempts })
  if (!claimed) throw invalidCode()
  const expected = hashCode(phone, code)
  if (!timingSafeEqual(Buffer.from(claimed.codeHash), Buffer.from(expected))) {
    if (claimed.attempts >= OTP_RULES.maxAttempts) await ctx.db.delete(otpCodes).where(eq(otpCodes.phone, phone))
    throw invalidCode()
  }
  const consumed = await ctx.db
    .delete(otpCodes)
    .where(and(eq(otpCodes.phone, phone), eq(otpCodes.codeHash, expected)))
    .returning({ phone: otpCodes.phone })
  if (consumed.length === 0) throw invalidCode()
  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const [created] = await tx
      .insert(citizens)
      .values({ phone, preferences: DEFAULT_PREFERENCES })
      .onConflictDoNothing({ target: citizens.phone })
      .returning({ id: citizens.id })
    const citizenId = created?.id ?? (await tx.select({ id: citizens.id }).from(citizens).where(eq(citizens.phone, phone)))[0]?.id
    if (!citizenId) throw invalidCode()
    await audit(
      { ...t, actor: { kind: 'citizen', role: 'citizen', id: citizenId, sessionId: '' } },
      { entityType: 'citizen', entityId: citizenId, action: created ? 'auth.sign_up' : 'auth.sign_in', after: { method: 'otp' } },
    )
    return { citizenId, created: !!created }
  })
}

export async function pruneOtpCodes(ctx: Ctx): Promise<void> {
  await ctx.db.delete(otpCodes).where(lt(otpCodes.expiresAt, ctx.now()))
}
