import { z } from '@hono/zod-openapi'
import { AuthProviders, Me, maskPhone, OtpRequest, OtpRequested, OtpVerify, PasswordChange, StaffLogin } from '@tp/shared'
import { eq } from 'drizzle-orm'
import type { Context } from 'hono'
import { ANY_STAFF, PUBLIC, SIGNED_IN } from '../../platform/access'
import { audit } from '../../platform/audit'
import type { AppEnv } from '../../platform/context'
import { createRouter, jsonBody, jsonContent, route } from '../../platform/openapi'
import { citizens, staff, type units } from './identity.tables'
import { requestOtp, verifyOtp } from './otp.service'
import { clearSessionCookie, csrfTokenOf, revokeSession, startSession } from './sessions'
import { changePassword, staffLogin } from './staff.service'
import { getUnit } from './units'
import { bindPendingWechat, finishWechatSignIn, startWechatSignIn } from './wechat.service'

const tags = ['Identity']
const Ok = z.object({ ok: z.literal(true) })
const redirect = { description: 'Redirect (Location header)' }

function staffMe(user: typeof staff.$inferSelect, unit: typeof units.$inferSelect, csrfToken: string) {
  return {
    kind: 'staff' as const,
    id: user.id,
    username: user.username,
    name: user.name,
    role: user.role,
    unit: { id: unit.id, parentId: unit.parentId, name: unit.name, kind: unit.kind },
    onDuty: user.onDuty,
    mustChangePassword: user.mustChangePassword,
    csrfToken,
  }
}

async function citizenMe(c: Context<AppEnv>, citizenId: string, csrfToken: string) {
  const [row] = await c.get('ctx').db.select({ phone: citizens.phone, name: citizens.name }).from(citizens).where(eq(citizens.id, citizenId))
  return { kind: 'citizen' as const, id: citizenId, phoneMasked: maskPhone(row?.phone), name: row?.name ?? null, csrfToken }
}

export const authRoutes = createRouter()
  .openapi(
    route({
      method: 'post',
      path: '/api/auth/otp',
      tags,
      access: PUBLIC,
      summary: 'Send a one-time sign-in code by SMS',
      description:
        'One code per number per 60 s, valid 5 minutes, 5 wrong tries burn it; hourly caps per IP and per number. Every limit answers 429 with Retry-After. The answer never reveals whether the number has an account.',
      request: { body: jsonBody(OtpRequest) },
      responses: { 200: jsonContent(OtpRequested) },
    }),
    async (c) => c.json(await requestOtp(c.get('ctx'), c.req.valid('json').phone), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/auth/otp/verify',
      tags,
      access: PUBLIC,
      summary: 'Sign in (or sign up) with the code',
      description: 'Issues a new session (any session the browser presented is revoked). Binds a pending WeChat openid, if the sign-in started from WeChat.',
      request: { body: jsonBody(OtpVerify) },
      responses: { 200: jsonContent(Me) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const { phone, code } = c.req.valid('json')
      const { citizenId } = await verifyOtp(ctx, phone, code)
      const s = await startSession(c, ctx, { type: 'citizen', id: citizenId })
      await bindPendingWechat(c, ctx, citizenId)
      return c.json(await citizenMe(c, citizenId, s.csrfToken), 200)
    },
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/auth/staff/login',
      tags,
      access: PUBLIC,
      summary: 'Staff sign-in',
      description: 'argon2id; 5 failures in a row lock the account for 15 minutes (429 with Retry-After).',
      request: { body: jsonBody(StaffLogin) },
      responses: { 200: jsonContent(Me) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const { username, password } = c.req.valid('json')
      const user = await staffLogin(ctx, username, password)
      const s = await startSession(c, ctx, { type: 'staff', id: user.id })
      const unit = await getUnit(ctx.db, user.unitId)
      return c.json(staffMe(user, unit as typeof units.$inferSelect, s.csrfToken), 200)
    },
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/auth/logout',
      tags,
      access: SIGNED_IN,
      summary: 'Sign out (revokes the session)',
      responses: { 200: jsonContent(Ok) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const actor = ctx.actor
      if (actor.kind === 'citizen' || actor.kind === 'staff') {
        await revokeSession(ctx, actor.sessionId)
        await audit(ctx, { entityType: actor.kind, entityId: actor.id, action: 'auth.sign_out' })
      }
      clearSessionCookie(c)
      return c.json({ ok: true as const }, 200)
    },
  )
  .openapi(
    route({ method: 'get', path: '/api/me', tags, access: SIGNED_IN, summary: 'The signed-in user', responses: { 200: jsonContent(Me) } }),
    async (c) => {
      const ctx = c.get('ctx')
      const actor = ctx.actor
      if (actor.kind === 'staff') {
        const [user] = await ctx.db.select().from(staff).where(eq(staff.id, actor.id))
        const unit = await getUnit(ctx.db, actor.unitId)
        return c.json(staffMe(user as typeof staff.$inferSelect, unit as typeof units.$inferSelect, await csrfTokenOf(ctx.db, actor.sessionId)), 200)
      }
      const id = actor.kind === 'citizen' ? actor.id : ''
      return c.json(await citizenMe(c, id, actor.kind === 'citizen' ? await csrfTokenOf(ctx.db, actor.sessionId) : ''), 200)
    },
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/auth/staff/password',
      tags,
      access: ANY_STAFF,
      summary: 'Change my password',
      request: { body: jsonBody(PasswordChange) },
      responses: { 200: jsonContent(Ok) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const body = c.req.valid('json')
      await changePassword(ctx, ctx.actor.kind === 'staff' ? ctx.actor.id : '', body.currentPassword, body.newPassword)
      return c.json({ ok: true as const }, 200)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/auth/providers',
      tags,
      access: PUBLIC,
      summary: 'Optional sign-in methods offered here',
      responses: { 200: jsonContent(AuthProviders) },
    }),
    (c) => c.json({ wechat: !!c.get('ctx').deps.config.wechat }, 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/auth/wechat/authorize',
      tags,
      access: PUBLIC,
      summary: 'Start WeChat sign-in (网页授权, snsapi_base): redirects to open.weixin.qq.com',
      description: '404 when WeChat sign-in is not configured.',
      request: { query: z.object({ redirect: z.string().max(500).optional() }) },
      responses: { 302: redirect },
    }),
    (c) => c.redirect(startWechatSignIn(c, c.get('ctx'), c.req.valid('query').redirect), 302),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/auth/wechat/callback',
      tags,
      access: PUBLIC,
      summary: 'WeChat OAuth callback: exchanges the code for the openid and signs in, or asks for the phone number to bind it',
      request: { query: z.object({ code: z.string().max(512).optional(), state: z.string().max(128).optional() }) },
      responses: { 302: redirect },
    }),
    async (c) => c.redirect(await finishWechatSignIn(c, c.get('ctx'), c.req.valid('query')), 302),
  )
