import { createHash, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { jsSdkSignature } from '@tp/server/modules/identity/wechat-jssdk.service'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { newClient } from '../support/client'

const APPID = 'wx00aa11bb22cc33dd'
const SECRET = 'jssdk-secret-0123456789'
const PUBLIC_URL = 'http://portal.test'

/**
 * A stand-in for the WeChat API's /cgi-bin/token and /cgi-bin/ticket/getticket, answering the way
 * WeChat does (HTTP 200, errors as errcode/errmsg, JSON labelled text/plain). Issuing a new
 * access_token invalidates the previous one, as on WeChat.
 */
class FakeWechatApi {
  server!: Server
  base = ''
  token = ''
  ticket = ''
  tokenCalls = 0
  ticketCalls = 0
  down = false

  async start() {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      const q = url.searchParams
      const json = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.end(JSON.stringify(body))
      }
      if (this.down) {
        res.writeHead(502)
        return res.end()
      }
      if (url.pathname === '/cgi-bin/token') {
        this.tokenCalls++
        if (q.get('grant_type') !== 'client_credential') return json({ errcode: 40002, errmsg: 'invalid grant_type' })
        if (q.get('appid') !== APPID || q.get('secret') !== SECRET) return json({ errcode: 40125, errmsg: 'invalid appsecret' })
        this.token = randomBytes(16).toString('hex')
        return json({ access_token: this.token, expires_in: 7200 })
      }
      if (url.pathname === '/cgi-bin/ticket/getticket') {
        this.ticketCalls++
        if (q.get('type') !== 'jsapi') return json({ errcode: 40097, errmsg: 'invalid args' })
        if (!this.token || q.get('access_token') !== this.token) return json({ errcode: 40001, errmsg: 'invalid credential, access_token is invalid' })
        this.ticket = `ticket-${randomBytes(12).toString('hex')}`
        // Shorter-lived than the token here, so a ticket can be renewed with a cached token.
        return json({ errcode: 0, errmsg: 'ok', ticket: this.ticket, expires_in: 3600 })
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

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex')
const jsConfig = (t: TestApp, url: string) => newClient(t).get(`/api/wechat/js-config?url=${encodeURIComponent(url)}`)

describe('WeChat JS-SDK config', () => {
  const wechat = new FakeWechatApi()
  let t: TestApp
  let off: TestApp
  beforeAll(async () => {
    await wechat.start()
    t = await createTestApp({
      now: new Date('2025-03-10T02:00:00Z'),
      env: { WECHAT_APPID: APPID, WECHAT_SECRET: SECRET, WECHAT_API_BASE: wechat.base, PUBLIC_URL },
    })
    off = await createTestApp()
  })
  afterAll(async () => {
    await Promise.all([t.close(), off.close(), wechat.stop()])
  })

  it('signs as WeChat documents (its published example)', () => {
    const ticket = 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg'
    expect(jsSdkSignature(ticket, 'Wm3WZYTPz0wzccnW', 1414587457, 'http://mp.weixin.qq.com?params=value')).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed')
  })

  it('is 404 in the error shape when WeChat is not configured', async () => {
    const res = await jsConfig(off, 'http://localhost/reports/new')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('not_found')
  })

  it('returns appId, timestamp, nonce and the signature of the page URL without its fragment', async () => {
    const res = await jsConfig(t, `${PUBLIC_URL}/reports/new?from=home#top`)
    expect(res.status).toBe(200)
    const { appId, timestamp, nonceStr, signature } = res.body
    expect(appId).toBe(APPID)
    expect(timestamp).toBe(Date.parse('2025-03-10T02:00:00Z') / 1000)
    expect(nonceStr).toMatch(/^[0-9a-f]{16,32}$/)
    expect(signature).toBe(sha1(`jsapi_ticket=${wechat.ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${PUBLIC_URL}/reports/new?from=home`))
    expect([wechat.tokenCalls, wechat.ticketCalls]).toEqual([1, 1])
  })

  it('reuses the token and ticket until shortly before they expire, also under concurrent requests', async () => {
    const many = await Promise.all(Array.from({ length: 8 }, () => jsConfig(t, `${PUBLIC_URL}/me`)))
    expect(many.map((r) => r.status)).toEqual(many.map(() => 200))
    expect(new Set(many.map((r) => r.body.nonceStr)).size).toBe(8)
    expect([wechat.tokenCalls, wechat.ticketCalls]).toEqual([1, 1])
    t.now.value = new Date(t.now.value.getTime() + 7200_000 - 4 * 60_000)
    await Promise.all([jsConfig(t, `${PUBLIC_URL}/me`), jsConfig(t, `${PUBLIC_URL}/me`)])
    expect([wechat.tokenCalls, wechat.ticketCalls]).toEqual([2, 2])
  })

  it('fetches a new access_token when WeChat says the cached one is no longer valid', async () => {
    // The ticket is due for renewal while the token is still cached, but another process renewed
    // the token: ours is refused.
    t.now.value = new Date(t.now.value.getTime() + 3600_000 - 4 * 60_000)
    wechat.token = 'renewed-elsewhere'
    const res = await jsConfig(t, `${PUBLIC_URL}/me`)
    expect(res.status).toBe(200)
    expect(res.body.signature).toBe(sha1(`jsapi_ticket=${wechat.ticket}&noncestr=${res.body.nonceStr}&timestamp=${res.body.timestamp}&url=${PUBLIC_URL}/me`))
    expect([wechat.tokenCalls, wechat.ticketCalls]).toEqual([3, 4])
  })

  it('answers 503 while WeChat is down, caching nothing, and recovers', async () => {
    t.now.value = new Date(t.now.value.getTime() + 7200_000)
    wechat.down = true
    const res = await jsConfig(t, `${PUBLIC_URL}/me`)
    expect(res.status).toBe(503)
    expect(res.body.error.code).toBe('wechat_unavailable')
    expect(res.headers.get('retry-after')).toBe('30')
    wechat.down = false
    expect((await jsConfig(t, `${PUBLIC_URL}/me`)).status).toBe(200)
  })

  it('signs only pages of the portal', async () => {
    const foreign = await jsConfig(t, 'https://evil.example/phish')
    expect(foreign.status).toBe(422)
    expect(foreign.body.error.code).toBe('url_not_allowed')
    for (const url of ['javascript:alert(1)', 'not a url', `${PUBLIC_URL}/${'x'.repeat(1000)}`]) {
      const res = await jsConfig(t, url)
      expect(res.status, url).toBe(400)
      expect(res.body.error.details[0].path).toBe('query.url')
    }
  })
})
