import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { citizens } from '@tp/server/modules/identity/identity.tables'
import { auditLog } from '@tp/server/platform/platform.tables'
import { and, desc, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { Client } from '../support/client'

const APPID = 'wx1234567890abcdef'
const SECRET = 'test-secret-0123456789'
const PUBLIC_URL = 'http://portal.test'

/**
 * A stand-in for WeChat that speaks its OAuth protocol: the authorize page redirects back with a
 * one-time `code` for the "current WeChat user", and /sns/oauth2/access_token exchanges it for
 * that user's openid, answering errors the way WeChat does (HTTP 200 with errcode/errmsg).
 */
class FakeWechat {
  server!: Server
  base = ''
  /** The openid of whoever is "using WeChat" in the next authorize call. */
  user = 'oUser000000000000000001'
  snapshot = false
  codes = new Map<string, string>()
  exchanges: URLSearchParams[] = []

  async start() {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      const q = url.searchParams
      const json = (body: unknown) => {
        // WeChat labels this JSON as text/plain.
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.end(JSON.stringify(body))
      }
      if (url.pathname === '/connect/oauth2/authorize') {
        if (q.get('appid') !== APPID) return json({ errcode: 10003, errmsg: 'redirect_uri 参数错误 / appid invalid' })
        if (q.get('response_type') !== 'code' || q.get('scope') !== 'snsapi_base') return json({ errcode: 10005, errmsg: 'scope 参数错误' })
        const code = randomBytes(16).toString('hex')
        this.codes.set(code, this.user)
        const back = new URL(q.get('redirect_uri') ?? '')
        back.searchParams.set('code', code)
        back.searchParams.set('state', q.get('state') ?? '')
        res.writeHead(302, { location: back.toString() })
        return res.end()
      }
      if (url.pathname === '/sns/oauth2/access_token') {
        this.exchanges.push(q)
        if (q.get('appid') !== APPID || q.get('secret') !== SECRET) return json({ errcode: 40125, errmsg: 'invalid appsecret' })
        if (q.get('grant_type') !== 'authorization_code') return json({ errcode: 40002, errmsg: 'invalid grant_type' })
        const openid = this.codes.get(q.get('code') ?? '')
        if (!openid) return json({ errcode: 40029, errmsg: 'invalid code' })
        this.codes.delete(q.get('code') ?? '') // single use
        return json({
          access_token: randomBytes(20).toString('hex'),
          expires_in: 7200,
          refresh_token: randomBytes(20).toString('hex'),
          openid,
          scope: 'snsapi_base',
          ...(this.snapshot ? { is_snapshotuser: 1 } : {}),
        })
      }
      res.writeHead(404)
      res.end()
    })
    // PGlite blocks the event loop for seconds while a test app is built: with Node's 5 s default,
    // an idle keep-alive socket could be closed just as the next request reuses it (ECONNRESET).
    this.server.keepAliveTimeout = 120_000
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok))
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  stop() {
    return new Promise<void>((ok) => this.server.close(() => ok()))
  }
}

/** A browser: keeps every cookie the portal sets (the Client keeps only the session). */
class Browser {
  jar = new Map<string, string>()
  constructor(
    readonly t: TestApp,
    readonly ip = `10.77.0.${Math.floor(Math.random() * 200) + 1}`,
  ) {}

  async request(path: string, init: { method?: string; body?: unknown; csrf?: string } = {}) {
    const headers: Record<string, string> = { 'x-test-ip': this.ip }
    if (this.jar.size) headers.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ')
    if (init.body !== undefined) headers['content-type'] = 'application/json'
    if (init.csrf) headers['x-csrf-token'] = init.csrf
    const res = await this.t.app.request(path, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';')
      const [name, ...rest] = (pair ?? '').split('=')
      const value = rest.join('=')
      const expired = attrs.some((a) => /max-age=0/i.test(a) || /expires=Thu, 01 Jan 1970/i.test(a))
      if (!name) continue
      if (!value || expired) this.jar.delete(name.trim())
      else this.jar.set(name.trim(), value)
    }
    return res
  }

  /** Start at the portal, go through "WeChat", come back to the callback; returns the final Location. */
  async wechatSignIn(redirect = '/me'): Promise<string> {
    const start = await this.request(`/api/auth/wechat/authorize?redirect=${encodeURIComponent(redirect)}`)
    expect(start.status).toBe(302)
    const atWechat = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' })
    expect(atWechat.status).toBe(302)
    const back = new URL(atWechat.headers.get('location') ?? '')
    expect(back.origin).toBe(PUBLIC_URL)
    const done = await this.request(back.pathname + back.search)
    expect(done.status).toBe(302)
    return done.headers.get('location') ?? ''
  }

  async signInWithCode(phone: string) {
    const sent = await this.request('/api/auth/otp', { method: 'POST', body: { phone } })
    const code = ((await sent.json()) as { devCode: string }).devCode
    const res = await this.request('/api/auth/otp/verify', { method: 'POST', body: { phone, code } })
    expect(res.status).toBe(200)
    return (await res.json()) as { id: string; csrfToken: string }
  }

  async me() {
    const res = await this.request('/api/me')
    return res.status === 200 ? ((await res.json()) as { id: string; kind: string }) : null
  }
}

const wechat = new FakeWechat()
let t: TestApp
beforeAll(async () => {
  await wechat.start()
  t = await createTestApp({
    seed: true,
    env: { WECHAT_APPID: APPID, WECHAT_SECRET: SECRET, WECHAT_OAUTH_BASE: wechat.base, WECHAT_API_BASE: wechat.base, PUBLIC_URL },
  })
}, 300_000)
afterAll(async () => {
  await t?.close()
  await wechat.stop()
})

async function lastAudit(action: string, entityId: string) {
  const [row] = await t.deps.database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.entityId, entityId)))
    .orderBy(desc(auditLog.id))
    .limit(1)
  return row
}

describe('WeChat sign-in (网页授权 snsapi_base)', () => {
  it('is off by default: not offered, and its routes answer 404', { timeout: 180_000 }, async () => {
    const plain = await createTestApp()
    try {
      const c = new Client(plain)
      expect((await c.get('/api/auth/providers')).body).toEqual({ wechat: false })
      expect((await c.get('/api/auth/wechat/authorize')).status).toBe(404)
      expect((await c.get('/api/auth/wechat/callback?code=x&state=y')).status).toBe(404)
    } finally {
      await plain.close()
    }
  })

  it("redirects to WeChat's authorize endpoint with the documented parameters", async () => {
    expect((await new Client(t).get('/api/auth/providers')).body).toEqual({ wechat: true })
    const b = new Browser(t)
    const res = await b.request('/api/auth/wechat/authorize?redirect=/reports')
    const location = res.headers.get('location') ?? ''
    expect(location).toMatch(
      new RegExp(
        `^${wechat.base.replace(/[.]/g, '\\.')}/connect/oauth2/authorize\\?appid=${APPID}&redirect_uri=${encodeURIComponent(`${PUBLIC_URL}/api/auth/wechat/callback`)}&response_type=code&scope=snsapi_base&state=[0-9a-f]{32}#wechat_redirect$`,
      ),
    )
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('tp_wx_state='))
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Lax')
  })

  it('binds a new openid to the phone account on the first sign-in, then signs in with WeChat alone', async () => {
    wechat.user = 'oFirstTimeUser0000000001'
    const phone = '13600000501'
    const first = new Browser(t)
    const location = await first.wechatSignIn('/me')
    expect(location).toBe('/login?wechat=bind&redirect=%2Fme')
    expect(await first.me()).toBeNull()
    const signedIn = await first.signInWithCode(phone)
    expect(first.jar.has('tp_wx_bind')).toBe(false)
    const [row] = await t.deps.database.db.select().from(citizens).where(eq(citizens.id, signedIn.id))
    expect(row?.wechatOpenId).toBe('oFirstTimeUser0000000001')
    expect(await lastAudit('auth.wechat_bound', signedIn.id)).toBeDefined()
    const profile = await first.request('/api/me/profile')
    expect(((await profile.json()) as { wechatBound: boolean }).wechatBound).toBe(true)

    // Another day, a fresh browser: WeChat alone signs them in.
    const later = new Browser(t)
    expect(await later.wechatSignIn('/appeals')).toBe('/appeals')
    expect((await later.me())?.id).toBe(signedIn.id)
    expect(await lastAudit('auth.sign_in', signedIn.id)).toMatchObject({ after: { method: 'wechat' } })
    // The secret went to WeChat's token endpoint only, with the documented grant type.
    expect(wechat.exchanges.at(-1)?.get('grant_type')).toBe('authorization_code')
  })

  it('binds directly when a signed-in citizen comes back from WeChat', async () => {
    wechat.user = 'oSignedInUser00000000002'
    const b = new Browser(t)
    const me = await b.signInWithCode('13600000502')
    expect(await b.wechatSignIn('/me/profile')).toBe('/me/profile')
    const [row] = await t.deps.database.db.select().from(citizens).where(eq(citizens.id, me.id))
    expect(row?.wechatOpenId).toBe('oSignedInUser00000000002')
  })

  it('never binds one openid to two accounts', async () => {
    wechat.user = 'oSignedInUser00000000002' // already bound above
    const b = new Browser(t)
    await b.signInWithCode('13600000503')
    // Known openid: signs in as its owner instead of binding to the current account.
    const location = await b.wechatSignIn('/me')
    expect(location).toBe('/me')
    const [owner] = await t.deps.database.db.select().from(citizens).where(eq(citizens.wechatOpenId, 'oSignedInUser00000000002'))
    expect((await b.me())?.id).toBe(owner?.id)
  })

  it('unbinds: the next WeChat sign-in asks for the phone number again', async () => {
    wechat.user = 'oUnbindUser0000000000003'
    const b = new Browser(t)
    const me = await b.signInWithCode('13600000504')
    await b.wechatSignIn('/me')
    const res = await b.request('/api/me/wechat', { method: 'DELETE', csrf: me.csrfToken })
    expect(res.status).toBe(200)
    expect(await lastAudit('auth.wechat_unbound', me.id)).toBeDefined()
    expect(await new Browser(t).wechatSignIn('/me')).toBe('/login?wechat=bind&redirect=%2Fme')
  })

  it('rejects a callback whose state does not match the browser (login CSRF)', async () => {
    const b = new Browser(t)
    await b.request('/api/auth/wechat/authorize')
    const forged = await b.request('/api/auth/wechat/callback?code=abc&state=00000000000000000000000000000000')
    expect(forged.headers.get('location')).toBe('/login?wechat=error&reason=state')
    const noCookie = await new Browser(t).request('/api/auth/wechat/callback?code=abc&state=abc')
    expect(noCookie.headers.get('location')).toBe('/login?wechat=error&reason=state')
    expect(await b.me()).toBeNull()
  })

  it('reports WeChat errors (an invalid or reused code) without signing in', async () => {
    const b = new Browser(t)
    const start = await b.request('/api/auth/wechat/authorize')
    const state = new URL((start.headers.get('location') ?? '').replace('#wechat_redirect', '')).searchParams.get('state')
    const res = await b.request(`/api/auth/wechat/callback?code=not-a-real-code&state=${state}`)
    expect(res.headers.get('location')).toBe('/login?wechat=error&reason=errcode_40029')
    expect(await b.me()).toBeNull()
  })

  it('refuses snapshot-mode users (virtual openids)', async () => {
    wechat.snapshot = true
    try {
      wechat.user = 'oSnapshotUser00000000004'
      expect(await new Browser(t).wechatSignIn('/me')).toBe('/login?wechat=error&reason=snapshot_user')
    } finally {
      wechat.snapshot = false
    }
  })

  it('only returns to paths on this site (no open redirect)', async () => {
    wechat.user = 'oSignedInUser00000000002'
    for (const evil of ['//evil.example.com/x', 'https://evil.example.com', '/\\evil.example.com']) {
      expect(await new Browser(t).wechatSignIn(evil)).toBe('/')
    }
  })

  it('reports an unreachable WeChat API as an error, not a crash', { timeout: 180_000 }, async () => {
    const down = await createTestApp({
      env: { WECHAT_APPID: APPID, WECHAT_SECRET: SECRET, WECHAT_OAUTH_BASE: wechat.base, WECHAT_API_BASE: 'http://127.0.0.1:9', PUBLIC_URL },
    })
    try {
      expect(await new Browser(down).wechatSignIn('/me')).toBe('/login?wechat=error&reason=unreachable')
    } finally {
      await down.close()
    }
  })
})
