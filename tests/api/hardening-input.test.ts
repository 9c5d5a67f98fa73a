import { citizens, vehicles } from '@tp/server/modules/identity/identity.tables'
import { reports } from '@tp/server/modules/reports/reports.tables'
import { notifications } from '@tp/server/platform/platform.tables'
import { count, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { Client } from '../support/client'
import { freshDatabase } from '../support/database'

/**
 * Hostile input, case by case (the fuzz suite covers every route at random; these pin down the
 * decisions): look-alike phone numbers and plates are normalised to one account / one plate or
 * refused, never stored as a second identity; SQL and script text is stored verbatim and harmless;
 * NUL characters, deep nesting and huge bodies are refused with 4xx; Open311 keeps its own error
 * shape when the database is away.
 */
let t: TestApp
let ipSeq = 1
const client = () => new Client(t, `192.0.2.${ipSeq++ % 250}`)

beforeAll(async () => {
  t = await createTestApp({ seed: true })
}, 120_000)
afterAll(() => t?.close())

const REPORT = {
  kind: 'congestion',
  lat: 30.6702,
  lng: 104.0601,
  locationSource: 'gps',
  address: '春熙路与总府路路口',
  description: '路口车辆排队很长，通行缓慢',
}

describe('look-alike phone numbers', () => {
  it('signs full-width digits, spaces, dashes and +86 into the same account as the plain number', async () => {
    const plain = await client().signInCitizen('13600020001')
    for (const variant of ['１３６００　０２０００１', '+86 136-0002-0001', '136 0002 0001']) {
      const c = await client().signInCitizen(variant)
      expect((await c.get('/api/me')).body.id).toBe((await plain.get('/api/me')).body.id)
    }
    const rows = await t.deps.database.db.select({ n: count() }).from(citizens).where(eq(citizens.phone, '13600020001'))
    expect(rows[0]?.n).toBe(1)
  })

  it('refuses zero-width characters, bidi marks, emoji and other scripts’ digits with 400', async () => {
    for (const phone of ['136\u200B00020002', '\u202E13600020002', '13600020002\u200D', '13600020002😀', '١٣٦٠٠٠٢٠٠٠٢', '1360002000２x']) {
      const res = await client().post('/api/auth/otp', { phone })
      expect(res.status, phone).toBe(400)
      expect(res.body.error.code).toBe('validation_failed')
    }
  })
})

describe('look-alike plates', () => {
  it('normalises full-width and lower-case plates to one vehicle, refuses hidden characters', async () => {
    const me = await client().signInCitizen('13600020003')
    const added = await me.post('/api/me/vehicles', { plate: '川ａ１２３４５', vinLast6: 'abc123' })
    expect(added.status, JSON.stringify(added.body)).toBe(201)
    // The same plate typed differently (a BOM counts as white space and is dropped): the same vehicle.
    for (const plate of ['川A12345', '川 A·12345', '川\uFEFFA12345'])
      expect((await me.post('/api/me/vehicles', { plate, vinLast6: 'ABC123' })).status, plate).toBe(409)
    for (const plate of ['川A\u200B12345', '\u202E川A12345', '川A12345\u0000', 'Ⅲ川A12345']) {
      const res = await me.post('/api/me/vehicles', { plate, vinLast6: 'ABC124' })
      expect(res.status, JSON.stringify(plate)).toBe(400)
    }
    const meId = (await me.get('/api/me')).body.id
    const stored = await t.deps.database.db.select({ plate: vehicles.plate }).from(vehicles).where(eq(vehicles.citizenId, meId))
    expect(stored.map((v) => v.plate)).toEqual(['川A12345'])
  })
})

describe('payloads stored as data', () => {
  it('stores SQL and script text verbatim and reads it back; the tables are intact', async () => {
    const me = await client().signInCitizen('13600020004')
    const payload = `'; drop table reports; -- <script>alert(1)</script> \u202E ${'😀'.repeat(3)}`
    const res = await me.post('/api/reports', { ...REPORT, description: payload, address: 'O\'Brien 路 " OR 1=1 --' })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const back = await me.get(`/api/reports/${res.body.id}`)
    expect(back.body.description).toBe(payload)
    expect(back.body.address).toBe('O\'Brien 路 " OR 1=1 --')
    const [n] = await t.deps.database.db.select({ n: count() }).from(reports)
    expect(n?.n).toBeGreaterThan(1)
  })

  it('answers 400, never 500, for NUL characters the database cannot store', async () => {
    const me = await client().signInCitizen('13600020005')
    const res = await me.post('/api/reports', { ...REPORT, description: '路口车辆排队很长\u0000通行缓慢' })
    expect(res.status).toBe(400)
    expect(typeof res.body.error.code).toBe('string')
  })

  it('refuses dates that do not exist (2026-02-30, month 13) with 400 naming the field, keeps leap days', async () => {
    const office = '00000000-0000-4000-8000-000000000001'
    for (const date of ['2026-02-30', '2026-13-01', '2026-00-10']) {
      const res = await client().get(`/api/slots?officeId=${office}&serviceId=${office}&date=${date}`)
      expect(res.status, date).toBe(400)
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'query.date' })])
    }
    expect((await client().get(`/api/slots?officeId=${office}&serviceId=${office}&date=2028-02-29`)).status).toBe(404)
  })

  it('refuses deep nesting, malformed JSON and wrong types with 400', async () => {
    const me = await client().signInCitizen('13600020006')
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
    expect((await me.post('/api/reports', deep)).status).toBe(400)
    expect((await me.post('/api/reports', `{"kind": "congestion",`)).status).toBe(400)
    expect((await me.post('/api/reports', { ...REPORT, lat: '30.67', photoIds: 'x' })).status).toBe(400)
    expect((await me.post('/api/reports', { ...REPORT, __proto__: { admin: true }, constructor: 1 })).status).toBe(400)
  })

  it('refuses a 30 MB body with 413 before reading it all', async () => {
    const me = await client().signInCitizen('13600020007')
    const res = await me.post('/api/reports', { ...REPORT, description: 'x'.repeat(30 * 1048576) })
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('payload_too_large')
  })
})

describe('small platform fixes found by fuzzing', () => {
  it('marks an empty list of notifications read (was a 500), and only the given ones', async () => {
    const me = await client().signInCitizen('13600020008')
    const meId = (await me.get('/api/me')).body.id
    await t.deps.database.db.insert(notifications).values([
      { recipientType: 'citizen', recipientId: meId, messageKey: 'x.one' },
      { recipientType: 'citizen', recipientId: meId, messageKey: 'x.two' },
    ])
    expect((await me.post('/api/notifications/read', { ids: [] })).body).toEqual({ updated: 0 })
    const inbox = (await me.get('/api/notifications')).body.items as { id: string; messageKey: string }[]
    const one = inbox.find((n) => n.messageKey === 'x.one')!
    expect((await me.post('/api/notifications/read', { ids: [one.id] })).body).toEqual({ updated: 1 })
    expect((await me.post('/api/notifications/read', {})).body.updated).toBeGreaterThanOrEqual(1)
  })

  it('answers unknown Open311 paths in the Open311 error shape', async () => {
    const res = await t.app.request('/open311/v2/nothing-here.json')
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual([{ code: 404, description: 'No route for GET /open311/v2/nothing-here.json' }])
  })
})

describe('Open311 while the database is away', () => {
  it('answers 503 in the Open311 shape with Retry-After (was a 500)', async () => {
    const { createApp } = await import('@tp/server/app')
    const { createDeps } = await import('@tp/server/platform/deps')
    const { createLogger } = await import('@tp/server/platform/logger')
    const database = await freshDatabase()
    const deps = await createDeps(t.deps.config, { database, log: createLogger('silent') })
    const app = createApp(deps)
    await database.db.execute(sql`select 1`)
    await database.close()
    const res = await app.request('/open311/v2/services.json')
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBeTruthy()
    const body = (await res.json()) as { code: number; description: string }[]
    expect(body[0]?.code).toBe(503)
    await deps.bus.close().catch(() => {})
  })
})

describe('CSRF on citizen writes', () => {
  it('refuses a citizen creating a report, an appeal or a booking without the CSRF token (403), creating nothing', async () => {
    const c = await client().signInCitizen('13600029001')
    // The same cookie, sent by a page on another site that cannot read the token.
    const raw = new Client(t, c.ip)
    raw.cookie = c.cookie
    const reportsBefore = Number((await t.deps.database.db.select({ n: count() }).from(reports))[0]?.n)
    const appeal = new FormData()
    appeal.append('decisionNo', '12345678901234567')
    appeal.append('statement', '抓拍照片中的车辆不是我的车，号牌尾号识别错误，请核实。')
    const refused = [
      await raw.post('/api/reports', REPORT),
      await raw.post('/api/reports', REPORT, { 'x-csrf-token': 'not-the-token' }),
      // A plain HTML form post (no preflight) with the report as text.
      await raw.request('POST', '/api/reports', JSON.stringify(REPORT), { 'content-type': 'text/plain' }),
      await raw.post('/api/appeals', appeal),
      await raw.post('/api/bookings', { slotId: '00000000-0000-4000-8000-000000000000', name: '张三', idNumber: '11010519491231002X' }),
    ]
    for (const r of refused) {
      expect(r.status, JSON.stringify(r.body)).toBe(403)
      expect(r.body.error.code).toBe('csrf_failed')
    }
    expect(Number((await t.deps.database.db.select({ n: count() }).from(reports))[0]?.n)).toBe(reportsBefore)
    // The control: with its token the same citizen's report is created.
    expect((await c.post('/api/reports', REPORT)).status).toBe(201)
  })
})
