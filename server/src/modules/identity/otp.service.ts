import { createHash, randomInt, timingSafeEqual } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import type { Ctx } from '../../platform/context'
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
 * used to learn who is registered.
 */
export async function requestOtp(ctx: Ctx, phone: string) {
  const now = ctx.now()
  const [existing] = await ctx.db.select().from(otpCodes).where(eq(otpCodes.phone, phone))
  if (existing && now.getTime() - existing.sentAt.getTime() < OTP_RULES.resendAfterMs) {
    throw tooManyRequests((existing.sentAt.getTime() + OTP_RULES.resendAfterMs - now.getTime()) / 1000, 'Please wait before requesting another code')
  }
  await hitAll(
    ctx.db,
    [
      { bucket: `otp:ip:${ctx.ip}`, max: OTP_RULES.perIpPerHour, windowMs: HOUR },
      { bucket: `otp:phone:${phone}`, max: OTP_RULES.perNumberPerHour, windowMs: HOUR },
    ],
    now,
  )
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
  const values = { codeHash: hashCode(phone, code), attempts: 0, sentAt: now, expiresAt: new Date(now.getTime() + OTP_RULES.ttlMs) }
  await ctx.db
    .insert(otpCodes)
    .values({ phone, ...values })
    .onConflictDoUpdate({ target: otpCodes.phone, set: values })
  await ctx.deps.sms.sendCode(phone, code)
  return {
    sent: true as const,
    retryAfterSeconds: OTP_RULES.resendAfterMs / 1000,
    expiresInSeconds: OTP_RULES.ttlMs / 1000,
    ...(ctx.deps.config.development && ctx.deps.sms.name === 'dev' ? { devCode: code } : {}),
  }
}

/** Checks a code; on success finds or creates the citizen account. Five wrong tries burn the code. */
export async function verifyOtp(ctx: Ctx, phone: string, code: string): Promise<{ citizenId: string }> {
  const now = ctx.now()
  await hitAll(ctx.db, [{ bucket: `otp-verify:ip:${ctx.ip}`, max: OTP_RULES.verifyPerIpPerHour, windowMs: HOUR }], now)
  const invalid = () =>
    new AppError(400, 'otp_invalid', 'The code is wrong or has expired; request a new one', [{ path: 'body.code', message: 'Wrong or expired code' }])
  const [row] = await ctx.db.select().from(otpCodes).where(eq(otpCodes.phone, phone))
  if (!row || row.expiresAt <= now || row.attempts >= OTP_RULES.maxAttempts) throw invalid()
  const a = Buffer.from(row.codeHash)
  const b = Buffer.from(hashCode(phone, code))
  if (!timingSafeEqual(a, b)) {
    const [upd] = await ctx.db
      .update(otpCodes)
      .set({ attempts: sql`${otpCodes.attempts} + 1` })
      .where(eq(otpCodes.phone, phone))
      .returning({ attempts: otpCodes.attempts })
    if ((upd?.attempts ?? OTP_RULES.maxAttempts) >= OTP_RULES.maxAttempts) await ctx.db.delete(otpCodes).where(eq(otpCodes.phone, phone))
    throw invalid()
  }
  await ctx.db.delete(otpCodes).where(eq(otpCodes.phone, phone))
  const [created] = await ctx.db
    .insert(citizens)
    .values({ phone, preferences: { notifyInApp: true, notifySms: true, locale: 'zh-CN' } })
    .onConflictDoNothing({ target: citizens.phone })
    .returning({ id: citizens.id })
  const citizenId = created?.id ?? (await ctx.db.select({ id: citizens.id }).from(citizens).where(eq(citizens.phone, phone)))[0]?.id
  if (!citizenId) throw invalid()
  await audit(
    { ...ctx, actor: { kind: 'citizen', role: 'citizen', id: citizenId, sessionId: '' } },
    { entityType: 'citizen', entityId: citizenId, action: created ? 'auth.sign_up' : 'auth.sign_in' },
  )
  return { citizenId }
}
