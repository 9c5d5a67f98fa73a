import { units } from '@tp/server/modules/identity/identity.tables'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../support/app'
import { type Client, citizen, staffUser } from '../support/client'
import { addStaff, appealsApp, fileOn, importTickets } from './appeals-support'

const cst = (s: string) => new Date(`${s}+08:00`)

let t: TestApp
let admin: Client
let legal: Client
let legal2: Client
let head: Client
let zhang: Client
let squadron: string

beforeAll(async () => {
  t = await appealsApp({ now: new Date(), env: { STAFF_IDLE_MINUTES: String(300 * 24 * 60), CITIZEN_SESSION_DAYS: '300' } })
  await addStaff(t, 'legal_b2', 'legal_officer', '城区二大队')
  admin = await staffUser(t, 'admin')
  legal = await staffUser(t, 'legal')
  legal2 = await staffUser(t, 'legal2')
  head = await staffUser(t, 'head')
  zhang = await citizen(t, '13800138000')
  const [u] = await t.deps.database.db.select().from(units).where(eq(units.name, '一中队'))
  squadron = u!.id
  await buildMay()
})
afterAll(() => t.close())

const id = async (c: Client) => (await c.get('/api/me')).body.id as string

/** A known month in one squadron (the demo data never uses it), so the figures are exact. */
async function buildMay() {
  const at = (s: string) => {
    t.now.value = cst(s)
  }
  const legalId = await id(legal)
  const legal2Id = await id(legal2)
  const file = async (when: string, grounds: string) => {
    at(when)
    const [tk] = await importTickets(admin, [{ plate: '川A12345', unit: '一中队', occurredAt: '2026-03-20 08:00' }])
    return fileOn(zhang, { decisionNo: tk!.decisionNo!, plate: '川A12345' }, { grounds, type: 'statement' })
  }
  const accept = async (c: { id: string; version: number }, when: string, who: string) => {
    at(when)
    return (await head.post(`/api/console/appeals/${c.id}/accept`, { version: c.version, assign: who })).body
  }
  const decide = async (by: Client, c: { id: string; version: number }, when: string, outcome: string) => {
    at(when)
    const r = await by.post(`/api/console/appeals/${c.id}/decision`, {
      version: c.version,
      outcome,
      findings: '经核查，情况属实',
      legalBasis: ['apl_45'],
      replyText: '经复核，作出如下决定。',
    })
    expect(r.status).toBe(200)
    return r.body
  }

  // F: filed 04-01, still open at the end of May (overdue).
  const f = await file('2026-04-01T10:00:00', 'other')
  await accept(f, '2026-04-01T11:00:00', legalId)
  // C: filed 04-20, due 05-06 (after Labour Day), decided late on 05-20.
  const c = await accept(await file('2026-04-20T10:00:00', 'unclear_sign'), '2026-04-20T11:00:00', legal2Id)
  await decide(legal2, c, '2026-05-20T10:00:00', 'upheld')
  // A: upheld on time.
  const a = await accept(await file('2026-05-04T10:00:00', 'camera_misread'), '2026-05-04T11:00:00', legalId)
  await decide(legal, a, '2026-05-08T10:00:00', 'upheld')
  // B: revoked, approved on time.
  const b = await accept(await file('2026-05-05T10:00:00', 'cloned_plate'), '2026-05-05T11:00:00', legalId)
  const proposed = await decide(legal, b, '2026-05-12T10:00:00', 'revoked')
  at('2026-05-13T10:00:00')
  expect((await head.post(`/api/console/appeals/${b.id}/approval`, { version: proposed.version, approve: true })).status).toBe(200)
  // E: refused.
  const e = await file('2026-05-10T10:00:00', 'other')
  at('2026-05-11T10:00:00')
  expect((await legal.post(`/api/console/appeals/${e.id}/refuse`, { version: e.version, reason: 'out_of_time' })).status).toBe(200)
  // D: filed 05-25, open at the end of the month, not yet accepted.
  await file('2026-05-25T10:00:00', 'cloned_plate')
  at('2026-06-15T10:00:00')
}

describe('backlog report', () => {
  it('gives a month’s exact figures for one unit', async () => {
    const res = await head.get(`/api/console/appeals/report?period=month&year=2026&index=5&unitId=${squadron}`)
    expect(res.status).toBe(200)
    const r = res.body
    expect(r.period).toMatchObject({ kind: 'month', from: '2026-05-01', to: '2026-06-01', label: '2026年5月' })
    expect(r.filed).toBe(4)
    expect(r.decided).toBe(3)
    expect(r.decidedOnTime).toBe(2)
    expect(r.decidedLate).toBe(1)
    expect(r.onTimeRate).toBe(66.7)
    expect(r.refused).toBe(1)
    expect(r.openAtEnd).toBe(2)
    expect(r.overdueOpen).toBe(1)
    const bucket = (k: string) => r.openByAge.find((b: { key: string }) => b.key === k).count
    expect(bucket('6-10')).toBe(1)
    expect(bucket('>30')).toBe(1)
    const outcome = (k: string) => r.outcomes.find((b: { key: string }) => b.key === k).count
    expect([outcome('upheld'), outcome('corrected'), outcome('revoked')]).toEqual([2, 0, 1])
    const grounds = (k: string) => r.grounds.find((b: { key: string }) => b.key === k).count
    expect([grounds('camera_misread'), grounds('cloned_plate'), grounds('other')]).toEqual([1, 2, 1])
    const reviewer = (name: string) => r.perReviewer.find((x: { name: string }) => x.name === name)
    expect(reviewer('刘法制')).toMatchObject({ decided: 2, onTime: 2, open: 1, overdueOpen: 1 })
    expect(reviewer('赵审核')).toMatchObject({ decided: 1, onTime: 0 })
    expect(reviewer('未分配')).toMatchObject({ open: 1 })
    expect(r.perUnit).toEqual([expect.objectContaining({ name: '一中队', open: 2, decided: 3, onTime: 2, overdueOpen: 1 })])
  })

  it('covers a quarter', async () => {
    const res = await head.get(`/api/console/appeals/report?period=quarter&year=2026&index=2&unitId=${squadron}`)
    expect(res.body.period).toMatchObject({ from: '2026-04-01', to: '2026-07-01', label: '2026年第2季度' })
    expect(res.body.filed).toBe(6)
    expect(res.body.decided).toBe(3)
  })

  it('reports on the whole scope, including the demo history', async () => {
    const now = new Date()
    const month = Number(new Intl.DateTimeFormat('en', { month: 'numeric', timeZone: 'Asia/Shanghai' }).format(now))
    const year = Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Asia/Shanghai' }).format(now))
    t.now.value = now
    const res = await head.get(`/api/console/appeals/report?period=month&year=${year}&index=${month}`)
    expect(res.status).toBe(200)
    expect(res.body.openByAge.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(res.body.openAtEnd)
    expect(res.body.openAtEnd).toBeGreaterThan(0)
  })

  it('exports the report as XLSX and keeps other units’ staff out', async () => {
    const x = await head.request('GET', `/api/console/appeals/report.xlsx?period=month&year=2026&index=5&unitId=${squadron}`)
    expect(x.status).toBe(200)
    expect(x.headers.get('content-disposition')).toContain('appeals-backlog-2026-m5.xlsx')
    const b2 = await staffUser(t, 'legal_b2')
    expect((await b2.get(`/api/console/appeals/report?period=month&year=2026&index=5&unitId=${squadron}`)).status).toBe(404)
    const own = await b2.get('/api/console/appeals/report?period=month&year=2026&index=5')
    expect(own.body.filed).toBe(0)
    expect((await zhang.get('/api/console/appeals/report?period=month&year=2026&index=5')).status).toBe(403)
  })
})
