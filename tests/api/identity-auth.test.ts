import { createFirstAdmin } from '@tp/server/modules/identity/bootstrap'
import { sessions, staff } from '@tp/server/modules/identity/identity.tables'
import { auditLog } from '@tp/server/platform/platform.tables'
import { and, desc, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { Client, citizen, newClient, staffUser } from '../support/client'

// A fixed clock, moved by hand: OTP expiry, lock-out and idle expiry are all about time.
const START = new Date('2026-03-02T02:00:00.000Z')
let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ seed: true, now: START })
}, 300_000)
afterAll(() => t?.close())

const advance = (ms: number) => {
  t.now.value = new Date(t.now.value.getTime() + ms)
}
const MIN = 60_000

async function auditRows(action: string, entityId?: string) {
  return t.deps.database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), entityId ? eq(auditLog.entityId, entityId) : undefined))
    .orderBy(desc(auditLog.id))
}

let ipSeq = 1
const freshIp = () => `172.16.${Math.floor(ipSeq / 250)}.${ipSeq++ % 250}`

describe('one-time codes', () => {
  it('answers a registered and an unregistered number identically (no account enumeration)', async () => {
    const a = await new Client(t, freshIp()).post('/api/auth/otp', { phone: '13800138000' })
    const b = await new Client(t, freshIp()).post('/api/auth/otp', { phone: '13311112222' })
    expect(a.status).toBe(200)
    expect(b.status).toBe(200)
    const shape = (body: Record<string, unknown>) => Object.keys(body).sort()
    expect(shape(a.body)).toEqual(shape(b.body))
    expect({ ...a.body, devCode: 'x' }).toEqual({ ...b.body, devCode: 'x' })
    // Wrong codes answer the same for both as well.
    const wa = await new Client(t, freshIp()).post('/api/auth/otp/verify', { phone: '13800138000', code: '000000' })
    const wb = await new Client(t, freshIp()).post('/api/auth/otp/verify', { phone: '13311112222', code: '000000' })
    expect([wa.status, wa.body.error.code]).toEqual([wb.status, wb.body.error.code])
  })

  it('allows one code per number per 60 s, with 429 and Retry-After', async () => {
    const c = new Client(t, freshIp())
    const phone = '13311110001'
    expect((await c.post('/api/auth/otp', { phone })).status).toBe(200)
    advance(20_000)
    const again = await c.post('/api/auth/otp', { phone })
    expect(again.status).toBe(429)
    expect(again.headers.get('retry-after')).toBe('40')
    expect(again.body.error.code).toBe('rate_limited')
    advance(41_000)
    expect((await c.post('/api/auth/otp', { phone })).status).toBe(200)
  })

  it('sends only one code when the same number asks twice at once', async () => {
    const phone = '13311110009'
    const [a, b] = await Promise.all([new Client(t, freshIp()).post('/api/auth/otp', { phone }), new Client(t, freshIp()).post('/api/auth/otp', { phone })])
    expect([a.status, b.status].sort()).toEqual([200, 429])
  })

  it('expires a code after 5 minutes', async () => {
    const c = new Client(t, freshIp())
    const phone = '13311110002'
    const { body } = await c.post('/api/auth/otp', { phone })
    advance(5 * MIN + 1000)
    const res = await c.post('/api/auth/otp/verify', { phone, code: body.devCode })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('otp_invalid')
  })

  it('accepts a code just before it expires, and only once', async () => {
    const c = new Client(t, freshIp())
    const phone = '13311110003'
    const { body } = await c.post('/api/auth/otp', { phone })
    advance(5 * MIN - 1000)
    const ok = await c.post('/api/auth/otp/verify', { phone, code: body.devCode })
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({ kind: 'citizen', phoneMasked: '133****0003' })
    const replay = await new Client(t, freshIp()).post('/api/auth/otp/verify', { phone, code: body.devCode })
    expect(replay.status).toBe(400)
  })

  it('burns the code after 5 wrong tries: even the right code then fails', async () => {
    const c = new Client(t, freshIp())
    const phone = '13311110004'
    const { body } = await c.post('/api/auth/otp', { phone })
    const wrong = body.devCode === '111111' ? '222222' : '111111'
    for (let i = 0; i < 5; i++) expect((await c.post('/api/auth/otp/verify', { phone, code: wrong })).status).toBe(400)
    const right = await c.post('/api/auth/otp/verify', { phone, code: body.devCode })
    expect(right.status).toBe(400)
    expect(right.body.error.code).toBe('otp_invalid')
  })

  it('counts parallel wrong guesses: at most 5 are ever checked', async () => {
    const phone = '13311110005'
    const { body } = await new Client(t, freshIp()).post('/api/auth/otp', { phone })
    const guesses = Array.from({ length: 12 }, (_, i) => String((Number(body.devCode) + 1 + i) % 1_000_000).padStart(6, '0'))
    const results = await Promise.all(guesses.map((code) => new Client(t, freshIp()).post('/api/auth/otp/verify', { phone, code })))
    expect(results.every((r) => r.status === 400)).toBe(true)
    expect((await new Client(t, freshIp()).post('/api/auth/otp/verify', { phone, code: body.devCode })).status).toBe(400)
  })

  it('caps codes per number per hour with 429 and Retry-After', async () => {
    const phone = '13311110006'
    for (let i = 0; i < 5; i++) {
      expect((await new Client(t, freshIp()).post('/api/auth/otp', { phone })).status).toBe(200)
      advance(61_000)
    }
    const sixth = await new Client(t, freshIp()).post('/api/auth/otp', { phone })
    expect(sixth.status).toBe(429)
    const retry = Number(sixth.headers.get('retry-after'))
    expect(retry).toBeGreaterThan(0)
    expect(retry).toBeLessThanOrEqual(3600)
    advance(retry * 1000)
    expect((await new Client(t, freshIp()).post('/api/auth/otp', { phone })).status).toBe(200)
  })

  it('caps codes per IP address per hour with 429 and Retry-After', async () => {
    const c = new Client(t, freshIp())
    for (let i = 0; i < 20; i++) expect((await c.post('/api/auth/otp', { phone: `1352000${String(i).padStart(4, '0')}` })).status).toBe(200)
    const over = await c.post('/api/auth/otp', { phone: '13520009999' })
    expect(over.status).toBe(429)
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0)
    // Another address is unaffected.
    expect((await new Client(t, freshIp()).post('/api/auth/otp', { phone: '13520009999' })).status).toBe(200)
  })

  it('behind a trusted proxy, counts the per-IP cap by the client address the proxy reports', { timeout: 180_000 }, async () => {
    const p = await createTestApp({ env: { TRUST_PROXY: 'true' } })
    try {
      const c = new Client(p, '10.1.1.1') // the proxy's own address: the same for everyone
      const from = (client: string) => ({ 'x-forwarded-for': `203.0.113.77, ${client}` })
      for (let i = 0; i < 20; i++)
        expect((await c.post('/api/auth/otp', { phone: `1353000${String(i).padStart(4, '0')}` }, from('198.51.100.1'))).status).toBe(200)
      expect((await c.post('/api/auth/otp', { phone: '13530009999' }, from('198.51.100.1'))).status).toBe(429)
      expect((await c.post('/api/auth/otp', { phone: '13530009999' }, from('198.51.100.2'))).status).toBe(200)
    } finally {
      await p.close()
    }
  })

  it('never returns the code outside development mode', { timeout: 180_000 }, async () => {
    for (const NODE_ENV of ['production', 'test']) {
      const p = await createTestApp({ env: { NODE_ENV } })
      try {
        const res = await new Client(p, freshIp()).post('/api/auth/otp', { phone: '13800138000' })
        expect(res.status).toBe(200)
        expect(res.body).not.toHaveProperty('devCode')
        expect(JSON.stringify(res.body)).not.toMatch(/\d{6}/)
      } finally {
        await p.close()
      }
    }
  })

  it('writes sign-up and sign-in audit rows', async () => {
    const phone = '13311110007'
    const first = await citizen(t, phone)
    advance(61_000)
    await newClient(t).signInCitizen(phone)
    const me = await first.get('/api/me')
    expect((await auditRows('auth.sign_up', me.body.id)).length).toBe(1)
    expect((await auditRows('auth.sign_in', me.body.id)).length).toBe(1)
  })
})

describe('staff sign-in and lock-out', () => {
  it('signs staff in with their role and unit, and rejects a wrong password with 401', async () => {
    const c = await staffUser(t, 'legal')
    const me = await c.get('/api/me')
    expect(me.body).toMatchObject({ kind: 'staff', username: 'legal', role: 'legal_officer', mustChangePassword: false })
    const bad = await newClient(t).post('/api/auth/staff/login', { username: 'legal', password: 'wrong-password' })
    expect(bad.status).toBe(401)
    const unknown = await newClient(t).post('/api/auth/staff/login', { username: 'nobody', password: 'wrong-password' })
    expect([unknown.status, unknown.body.error.message]).toEqual([401, bad.body.error.message])
  })

  it('locks the account for 15 minutes after 5 failures, with 429 and Retry-After, then unlocks', async () => {
    const c = newClient(t)
    const login = (password: string) => c.post('/api/auth/staff/login', { username: 'window2', password })
    for (let i = 0; i < 4; i++) expect((await login('wrong-password')).status).toBe(401)
    const fifth = await login('wrong-password')
    expect(fifth.status).toBe(429)
    expect(fifth.body.error.code).toBe('account_locked')
    expect(fifth.headers.get('retry-after')).toBe('900')
    // The right password does not help while locked.
    advance(10 * MIN)
    const locked = await login('demo12345')
    expect(locked.status).toBe(429)
    expect(locked.headers.get('retry-after')).toBe('300')
    advance(5 * MIN + 1000)
    expect((await login('demo12345')).status).toBe(200)
    const [row] = await t.deps.database.db.select().from(staff).where(eq(staff.username, 'window2'))
    expect(row).toMatchObject({ failedLogins: 0, lockedUntil: null })
    expect((await auditRows('auth.locked_out', row?.id)).length).toBe(1)
    expect((await auditRows('auth.sign_in_failed', row?.id)).length).toBe(4)
  })

  it('cannot be raced past 5 failures with parallel guesses', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => newClient(t).post('/api/auth/staff/login', { username: 'legal2', password: 'wrong-password' })),
    )
    expect(results.filter((r) => r.status === 401).length).toBeLessThanOrEqual(4)
    expect(results.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(6)
    expect((await newClient(t).post('/api/auth/staff/login', { username: 'legal2', password: 'demo12345' })).status).toBe(429)
    advance(15 * MIN + 1000)
  })

  it('a successful sign-in resets the failure count', async () => {
    const c = newClient(t)
    for (let i = 0; i < 4; i++) expect((await c.post('/api/auth/staff/login', { username: 'officer2', password: 'nope-nope' })).status).toBe(401)
    expect((await c.post('/api/auth/staff/login', { username: 'officer2', password: 'demo12345' })).status).toBe(200)
    expect((await newClient(t).post('/api/auth/staff/login', { username: 'officer2', password: 'nope-nope' })).status).toBe(401)
  })

  it('changes a password: the old one stops working, a weak one is refused', async () => {
    const c = await staffUser(t, 'officer')
    const weak = await c.post('/api/auth/staff/password', { currentPassword: 'demo12345', newPassword: 'short' })
    expect(weak.status).toBe(400)
    const wrong = await c.post('/api/auth/staff/password', { currentPassword: 'not-it-1', newPassword: 'Better-pass-2026' })
    expect(wrong.status).toBe(400)
    expect(wrong.body.error.code).toBe('wrong_password')
    expect((await c.post('/api/auth/staff/password', { currentPassword: 'demo12345', newPassword: 'Better-pass-2026' })).status).toBe(200)
    expect((await newClient(t).post('/api/auth/staff/login', { username: 'officer', password: 'demo12345' })).status).toBe(401)
    expect((await newClient(t).post('/api/auth/staff/login', { username: 'officer', password: 'Better-pass-2026' })).status).toBe(200)
    expect((await auditRows('auth.password_changed')).length).toBeGreaterThanOrEqual(1)
  })
})

describe('sessions', () => {
  it('sets an httpOnly SameSite=Lax cookie, not Secure in development', async () => {
    const res = await newClient(t).post('/api/auth/staff/login', { username: 'head', password: 'demo12345' })
    const cookie = res.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^tp_sid=[\w-]{40,};/)
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Lax')
    expect(cookie).not.toContain('Secure')
  })

  it('sets a Secure cookie in production', { timeout: 180_000 }, async () => {
    const p = await createTestApp({ env: { NODE_ENV: 'production' } })
    try {
      await createFirstAdmin(p.deps, { username: 'chen', name: '陈管理', unitName: '某市公安局交通警察支队', password: 'Strong-pass-2026' })
      const res = await new Client(p, freshIp()).post('/api/auth/staff/login', { username: 'chen', password: 'Strong-pass-2026' })
      expect(res.status).toBe(200)
      expect(res.headers.get('set-cookie')).toContain('Secure')
    } finally {
      await p.close()
    }
  })

  it('refuses a state change without the CSRF token, or with a wrong one (403)', async () => {
    const c = await staffUser(t, 'head')
    // The same cookie, sent by a client that does not know the token.
    const raw = new Client(t, c.ip)
    raw.cookie = c.cookie
    const none = await raw.put('/api/console/me/duty', { onDuty: true })
    const empty = await raw.put('/api/console/me/duty', { onDuty: true }, { 'x-csrf-token': '' })
    const wrong = await raw.put('/api/console/me/duty', { onDuty: true }, { 'x-csrf-token': 'not-the-token' })
    const logout = await raw.post('/api/auth/logout')
    for (const r of [none, empty, wrong, logout]) {
      expect(r.status).toBe(403)
      expect(r.body.error.code).toBe('csrf_failed')
    }
    // Another session's token does not work either.
    const other = await staffUser(t, 'head')
    const crossed = await raw.put('/api/console/me/duty', { onDuty: true }, { 'x-csrf-token': other.csrf })
    expect(crossed.status).toBe(403)
    expect((await c.put('/api/console/me/duty', { onDuty: true })).status).toBe(200)
  })

  it('logout revokes the session on the server, not just the cookie', async () => {
    const c = await citizen(t, '13311110008')
    const cookie = c.cookie
    expect((await c.post('/api/auth/logout')).status).toBe(200)
    expect(c.cookie).toBe('')
    const replay = await new Client(t, c.ip).get('/api/me', { cookie })
    expect(replay.status).toBe(401)
    expect((await auditRows('auth.sign_out')).length).toBeGreaterThanOrEqual(1)
  })

  it('issues a new session token on every sign-in and revokes the one presented (no fixation)', async () => {
    const c = await staffUser(t, 'dispatcher')
    const first = c.cookie
    await c.signInStaff('dispatcher')
    const second = c.cookie
    expect(second).not.toBe(first)
    expect((await new Client(t, c.ip).get('/api/me', { cookie: first })).status).toBe(401)
    expect((await new Client(t, c.ip).get('/api/me', { cookie: second })).status).toBe(200)
    // A token planted in the browser before a citizen signs in is worthless afterwards.
    const planted = await citizen(t, '13311110010')
    const victim = new Client(t, planted.ip)
    victim.cookie = planted.cookie
    advance(61_000)
    await victim.signInCitizen('13311110011')
    expect(victim.cookie).not.toBe(planted.cookie)
    expect((await new Client(t, c.ip).get('/api/me', { cookie: planted.cookie })).status).toBe(401)
  })

  it('expires a staff session after 30 idle minutes, and keeps it alive while in use', async () => {
    const c = await staffUser(t, 'legal')
    advance(29 * MIN)
    expect((await c.get('/api/me')).status).toBe(200)
    advance(29 * MIN)
    expect((await c.get('/api/me')).status).toBe(200)
    advance(30 * MIN + 1000)
    const expired = await c.get('/api/me')
    expect(expired.status).toBe(401)
  })

  it('honours a configured idle timeout (STAFF_IDLE_MINUTES)', { timeout: 180_000 }, async () => {
    const p = await createTestApp({ seed: true, now: START, env: { STAFF_IDLE_MINUTES: '5' } })
    try {
      const c = await new Client(p, freshIp()).signInStaff('legal')
      p.now.value = new Date(START.getTime() + 4 * MIN)
      expect((await c.get('/api/me')).status).toBe(200)
      p.now.value = new Date(START.getTime() + 9 * MIN + 1000)
      expect((await c.get('/api/me')).status).toBe(401)
    } finally {
      await p.close()
    }
  })

  it('keeps a citizen session for days, not minutes', async () => {
    const c = await citizen(t, '13311110012')
    advance(3 * 60 * MIN)
    expect((await c.get('/api/me')).status).toBe(200)
  })

  it('ends the sessions of a deactivated staff member at once', async () => {
    const admin = await staffUser(t, 'admin')
    const w = await staffUser(t, 'window')
    const list = await admin.get('/api/console/staff?q=window')
    const id = list.body.items.find((s: { username: string }) => s.username === 'window').id
    expect((await admin.patch(`/api/console/staff/${id}`, { active: false })).status).toBe(200)
    expect((await w.get('/api/me')).status).toBe(401)
    const [open] = await t.deps.database.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.subjectId, id), eq(sessions.subjectType, 'staff')))
    expect(open?.revokedAt).not.toBeNull()
    expect((await admin.patch(`/api/console/staff/${id}`, { active: true })).status).toBe(200)
  })
})

describe('security headers', () => {
  it('sends CSP with frame-ancestors for the mini-program only, nosniff, a referrer policy', async () => {
    for (const path of ['/api/health', '/api/nope']) {
      const res = await newClient(t).get(path)
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("default-src 'self'")
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain("object-src 'none'")
      expect(csp).toContain("frame-ancestors 'self' https://servicewechat.com")
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin')
    }
  })

  it('puts no personal data in error messages', async () => {
    const res = await newClient(t).post('/api/auth/otp/verify', { phone: '13800138000', code: '12345' })
    expect(res.status).toBe(400)
    expect(JSON.stringify(res.body)).not.toContain('13800138000')
  })
})
