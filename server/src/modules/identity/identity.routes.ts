import { z } from '@hono/zod-openapi'
import { Me, maskPhone, OtpRequest, OtpRequested, OtpVerify, PasswordChange, StaffLogin, Unit } from '@tp/shared'
import { eq } from 'drizzle-orm'
import { ANY_STAFF, PUBLIC, SIGNED_IN } from '../../platform/access'
import { audit } from '../../platform/audit'
import { createRouter, jsonBody, jsonContent, route } from '../../platform/openapi'
import { citizens, staff, units } from './identity.tables'
import { requestOtp, verifyOtp } from './otp.service'
import { clearSessionCookie, createSession, csrfTokenOf, revokeSession, setSessionCookie } from './sessions'
import { changePassword, staffLogin } from './staff.service'
import { getUnit } from './units'

const tags = ['Identity']
const Ok = z.object({ ok: z.literal(true) })

export const identityRoutes = createRouter()
  .openapi(
    route({
      method: 'post',
      path: '/api/auth/otp',
      tags,
      access: PUBLIC,
      summary: 'Send a one-time sign-in code by SMS',
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
      request: { body: jsonBody(OtpVerify) },
      responses: { 200: jsonContent(Me) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const { phone, code } = c.req.valid('json')
      const { citizenId } = await verifyOtp(ctx, phone, code)
      const s = await createSession(ctx.db, { type: 'citizen', id: citizenId }, ctx.deps.config.citizenSessionMs, ctx.now())
      setSessionCookie(c, ctx.deps, s)
      const [row] = await ctx.db.select({ name: citizens.name }).from(citizens).where(eq(citizens.id, citizenId))
      return c.json({ kind: 'citizen' as const, id: citizenId, phoneMasked: maskPhone(phone), name: row?.name ?? null, csrfToken: s.csrfToken }, 200)
    },
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/auth/staff/login',
      tags,
      access: PUBLIC,
      summary: 'Staff sign-in',
      request: { body: jsonBody(StaffLogin) },
      responses: { 200: jsonContent(Me) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const { username, password } = c.req.valid('json')
      const user = await staffLogin(ctx, username, password)
      const s = await createSession(ctx.db, { type: 'staff', id: user.id }, ctx.deps.config.staffIdleMs, ctx.now())
      setSessionCookie(c, ctx.deps, s)
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
        await revokeSession(ctx.db, actor.sessionId, ctx.now())
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
      const [row] = await ctx.db.select().from(citizens).where(eq(citizens.id, id))
      return c.json(
        {
          kind: 'citizen' as const,
          id,
          phoneMasked: maskPhone(row?.phone),
          name: row?.name ?? null,
          csrfToken: actor.kind === 'citizen' ? await csrfTokenOf(ctx.db, actor.sessionId) : '',
        },
        200,
      )
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
      path: '/api/console/units',
      tags,
      access: ANY_STAFF,
      summary: 'Units in my scope',
      responses: { 200: jsonContent(z.object({ items: z.array(Unit) })) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const scope = ctx.actor.kind === 'staff' ? ctx.actor.unitScope : []
      const rows = await ctx.db.select().from(units)
      const items = rows.filter((u) => scope.includes(u.id)).map(({ id, parentId, name, kind }) => ({ id, parentId, name, kind }))
      return c.json({ items }, 200)
    },
  )

function staffMe(user: typeof staff.$inferSelect, unit: typeof units.$inferSelect, csrfToken: string) {
  return {
    kind: 'staff' as const,
    id: user.id,
    username: user.username,
    name: user.name,
    role: user.role,
    unit: { id: unit.id, parentId: unit.parentId, name: unit.name, kind: unit.kind },
    csrfToken,
  }
}
