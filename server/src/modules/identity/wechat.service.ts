import { randomBytes, timingSafeEqual } from 'node:crypto'
import { and, eq, gt, isNull, lt, notExists } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { Config } from '../../config'
import { audit } from '../../platform/audit'
import { type AppEnv, type Ctx, requireCitizen, withDb } from '../../platform/context'
import { notFound } from '../../platform/errors'
import { citizens, wechatPending } from './identity.tables'
import { hashToken, startSession } from './sessions'

/**
 * WeChat 网页授权 with scope snsapi_base: the browser is sent to open.weixin.qq.com, comes back
 * to our callback with a `code`, and the server exchanges it at api.weixin.qq.com for the user's
 * openid (no consent screen, no profile data). The openid is bound to a phone account: the first
 * time, the citizen signs in with their phone number and the openid is attached to that account;
 * afterwards the openid alone signs them in. Off unless WECHAT_APPID and WECHAT_SECRET are set.
 */

export const STATE_COOKIE = 'tp_wx_state'
export const BIND_COOKIE = 'tp_wx_bind'
const STATE_TTL_S = 600
const PENDING_TTL_MS = 10 * 60_000
const CALLBACK_PATH = '/api/auth/wechat/callback'

export type WechatConfig = NonNullable<Config['wechat']>

export function wechatConfig(ctx: Ctx): WechatConfig {
  const cfg = ctx.deps.config.wechat
  if (!cfg) throw notFound('WeChat sign-in')
  return cfg
}

/** Only same-site paths may be returned to (no open redirect). */
export function safeReturnPath(p: string | undefined): string {
  return p && /^\/(?![/\\])[\x21-\x7e]*$/.test(p) ? p : '/'
}

function redirectUri(c: Context<AppEnv>, ctx: Ctx): string {
  const origin = ctx.deps.config.publicUrl ?? new URL(c.req.url).origin
  return `${origin}${CALLBACK_PATH}`
}

/** Builds the authorize URL (parameters in the order WeChat documents) and sets the state cookie. */
export function startWechatSignIn(c: Context<AppEnv>, ctx: Ctx, returnTo: string | undefined): string {
  const cfg = wechatConfig(ctx)
  const state = randomBytes(16).toString('hex')
  const back = safeReturnPath(returnTo)
  setCookie(c, STATE_COOKIE, `${state}.${Buffer.from(back).toString('base64url')}`, {
    httpOnly: true,
    secure: ctx.deps.config.production,
    sameSite: 'Lax',
    path: '/api/auth/wechat',
    maxAge: STATE_TTL_S,
  })
  const q = [
    `appid=${encodeURIComponent(cfg.appId)}`,
    `redirect_uri=${encodeURIComponent(redirectUri(c, ctx))}`,
    'response_type=code',
    'scope=snsapi_base',
    `state=${state}`,
  ].join('&')
  return `${cfg.oauthBase}/connect/oauth2/authorize?${q}#wechat_redirect`
}

interface TokenAnswer {
  openid?: string
  access_token?: string
  scope?: string
  is_snapshotuser?: number
  errcode?: number
  errmsg?: string
}

export class WechatError extends Error {
  constructor(readonly reason: string) {
    super(`WeChat API call failed: ${reason}`)
  }
}

/**
 * GET on the WeChat API (5 s timeout). Its answer is JSON, sometimes labelled text/plain; errors
 * come as HTTP 200 with `errcode`, which the caller checks.
 */
export async function wechatGet<T extends { errcode?: number }>(url: string): Promise<T> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) })
    if (!res.ok) throw new WechatError(`http_${res.status}`)
    return JSON.parse(await res.text()) as T
  } catch (err) {
    if (err instanceof WechatError) throw err
    throw new WechatError('unreachable')
  }
}

/** GET /sns/oauth2/access_token: code → openid. */
export async function exchangeCode(cfg: WechatConfig, code: string): Promise<string> {
  const body = await wechatGet<TokenAnswer>(
    `${cfg.apiBase}/sns/oauth2/access_token?appid=${encodeURIComponent(cfg.appId)}&secret=${encodeURIComponent(cfg.secret)}&code=${encodeURIComponent(code)}&grant_type=authorization_code`,
  )
  if (body.errcode) throw new WechatError(`errcode_${body.errcode}`)
  // In "snapshot" mode (快照页) WeChat hands out a virtual openid that must not be bound.
  if (body.is_snapshotuser === 1) throw new WechatError('snapshot_user')
  if (!body.openid || !/^[\w-]{6,64}$/.test(body.openid)) throw new WechatError('no_openid')
  return body.openid
}

function readState(c: Context<AppEnv>): { state: string; returnTo: string } | null {
  const raw = getCookie(c, STATE_COOKIE)
  const [state, back] = raw?.split('.') ?? []
  if (!state || back === undefined) return null
  return { state, returnTo: safeReturnPath(Buffer.from(back, 'base64url').toString()) }
}

const sameString = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

/**
 * Binds `openId` to the citizen unless the citizen already has one or the openid is taken (one
 * conditional UPDATE). Returns whether it bound.
 */
async function bind(ctx: Ctx, citizenId: string, openId: string): Promise<boolean> {
  const other = alias(citizens, 'other')
  return ctx.db.transaction(async (tx) => {
    const done = await tx
      .update(citizens)
      .set({ wechatOpenId: openId })
      .where(
        and(
          eq(citizens.id, citizenId),
          isNull(citizens.wechatOpenId),
          isNull(citizens.deletedAt),
          notExists(tx.select({ one: other.id }).from(other).where(eq(other.wechatOpenId, openId))),
        ),
      )
      .returning({ id: citizens.id })
    if (done.length === 0) return false
    await audit(
      { ...withDb(ctx, tx), actor: { kind: 'citizen', role: 'citizen', id: citizenId, sessionId: '' } },
      {
        entityType: 'citizen',
        entityId: citizenId,
        action: 'auth.wechat_bound',
      },
    )
    return true
  })
}

/**
 * The OAuth callback. Returns where to send the browser: the page the sign-in started from, or the
 * phone sign-in page to bind a new openid, or the sign-in page with an error flag.
 */
export async function finishWechatSignIn(c: Context<AppEnv>, ctx: Ctx, q: { code?: string; state?: string }): Promise<string> {
  const cfg = wechatConfig(ctx)
  const saved = readState(c)
  deleteCookie(c, STATE_COOKIE, { path: '/api/auth/wechat' })
  if (!saved || !q.state || !sameString(saved.state, q.state)) return '/login?wechat=error&reason=state'
  // The user refused or WeChat gave no code.
  if (!q.code) return '/login?wechat=error&reason=denied'
  let openId: string
  try {
    openId = await exchangeCode(cfg, q.code)
  } catch (err) {
    const reason = err instanceof WechatError ? err.reason : 'failed'
    ctx.deps.log.warn({ reason, requestId: ctx.requestId }, 'wechat code exchange failed')
    return `/login?wechat=error&reason=${encodeURIComponent(reason)}`
  }
  const [known] = await ctx.db
    .select({ id: citizens.id })
    .from(citizens)
    .where(and(eq(citizens.wechatOpenId, openId), isNull(citizens.deletedAt)))
  if (known) {
    await startSession(c, ctx, { type: 'citizen', id: known.id })
    await audit(
      { ...ctx, actor: { kind: 'citizen', role: 'citizen', id: known.id, sessionId: '' } },
      {
        entityType: 'citizen',
        entityId: known.id,
        action: 'auth.sign_in',
        after: { method: 'wechat' },
      },
    )
    return saved.returnTo
  }
  if (ctx.actor.kind === 'citizen') {
    return (await bind(ctx, ctx.actor.id, openId)) ? saved.returnTo : '/me/profile?wechat=conflict'
  }
  const token = randomBytes(24).toString('base64url')
  await ctx.db.insert(wechatPending).values({ tokenHash: hashToken(token), openId, expiresAt: new Date(ctx.now().getTime() + PENDING_TTL_MS) })
  setCookie(c, BIND_COOKIE, token, { httpOnly: true, secure: ctx.deps.config.production, sameSite: 'Lax', path: '/', maxAge: PENDING_TTL_MS / 1000 })
  return `/login?wechat=bind&redirect=${encodeURIComponent(saved.returnTo)}`
}

/** After a phone sign-in: binds the openid waiting in this browser, if any. */
export async function bindPendingWechat(c: Context<AppEnv>, ctx: Ctx, citizenId: string): Promise<boolean> {
  const token = getCookie(c, BIND_COOKIE)
  if (!token) return false
  deleteCookie(c, BIND_COOKIE, { path: '/' })
  const [pending] = await ctx.db
    .delete(wechatPending)
    .where(and(eq(wechatPending.tokenHash, hashToken(token)), gt(wechatPending.expiresAt, ctx.now())))
    .returning({ openId: wechatPending.openId })
  if (!pending || !ctx.deps.config.wechat) return false
  return bind(ctx, citizenId, pending.openId)
}

export async function unbindWechat(ctx: Ctx): Promise<void> {
  const { id } = requireCitizen(ctx.actor)
  await ctx.db.transaction(async (tx) => {
    const done = await tx
      .update(citizens)
      .set({ wechatOpenId: null })
      .where(and(eq(citizens.id, id), isNull(citizens.deletedAt)))
      .returning({ id: citizens.id })
    if (done.length === 0) throw notFound('Account')
    await audit(withDb(ctx, tx), { entityType: 'citizen', entityId: id, action: 'auth.wechat_unbound' })
  })
}

export async function pruneWechatPending(ctx: Ctx): Promise<void> {
  await ctx.db.delete(wechatPending).where(lt(wechatPending.expiresAt, ctx.now()))
}
