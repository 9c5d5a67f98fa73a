import { tickets } from '@tp/server/modules/appeals/appeals.tables'
import { inArray } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../support/app'
import { type Client, citizen, staffUser } from '../support/client'
import { addStaff, appealForm, appealsApp, fileOn, importTickets, STATEMENT, ticketRow } from './appeals-support'

/** Real concurrency: every batch is fired at once (on PostgreSQL they run in parallel connections). */
let t: TestApp
let admin: Client
let legal: Client
let legal2: Client
let head: Client
let head2: Client
let zhang: Client
let legalId: string

beforeAll(async () => {
  t = await appealsApp()
  await addStaff(t, 'head2', 'unit_head', '市公安局交通警察支队', '钱副队长')
  admin = await staffUser(t, 'admin')
  legal = await staffUser(t, 'legal')
  legal2 = await staffUser(t, 'legal2')
  head = await staffUser(t, 'head')
  head2 = await staffUser(t, 'head2')
  zhang = await citizen(t, '13800138000')
  legalId = (await legal.get('/api/me')).body.id
})
afterAll(() => t.close())

const statuses = (rs: { status: number }[]) => rs.map((r) => r.status).sort()

async function inReview() {
  const [tk] = await importTickets(admin, [{ plate: '川A12345' }])
  const filed = await fileOn(zhang, { decisionNo: tk!.decisionNo!, plate: '川A12345' })
  const acc = await head.post(`/api/console/appeals/${filed.id}/accept`, { version: filed.version, assign: legalId })
  expect(acc.status).toBe(200)
  return acc.body
}

const decision = (version: number, outcome: string) => ({
  version,
  outcome,
  findings: '经核查，情况属实',
  legalBasis: ['apl_40'],
  replyText: '经复核，作出如下决定：……',
  ...(outcome === 'corrected' ? { correctedFineYuan: 50 } : {}),
})

describe('two people acting on one case at once', () => {
  it('accepts exactly one of many concurrent decisions; the rest get 409 with the current state', async () => {
    const c = await inReview()
    const outcomes = ['upheld', 'revoked', 'corrected', 'upheld', 'revoked', 'upheld', 'corrected', 'revoked']
    const rs = await Promise.all(outcomes.map((o) => legal.post(`/api/console/appeals/${c.id}/decision`, decision(c.version, o))))
    expect(statuses(rs)).toEqual([200, 409, 409, 409, 409, 409, 409, 409])
    const winner = rs.find((r) => r.status === 200)!
    for (const r of rs.filter((x) => x.status === 409)) {
      expect(['version_conflict', 'invalid_transition']).toContain(r.body.error.code)
      expect(r.body.error.current.version).toBe(winner.body.version)
    }
    const now = await legal.get(`/api/console/appeals/${c.id}`)
    expect(now.body.version).toBe(c.version + 1)
    expect(now.body.timeline.filter((e: { action: string }) => ['uphold', 'revoke', 'correct'].includes(e.action))).toHaveLength(1)
  })

  it('lets only one of two unit heads approve a revocation', async () => {
    const c = await inReview()
    const proposed = await legal.post(`/api/console/appeals/${c.id}/decision`, decision(c.version, 'revoked'))
    const rs = await Promise.all([
      head.post(`/api/console/appeals/${c.id}/approval`, { version: proposed.body.version, approve: true }),
      head2.post(`/api/console/appeals/${c.id}/approval`, { version: proposed.body.version, approve: false, note: '请补充' }),
    ])
    expect(statuses(rs)).toEqual([200, 409])
    const final = await legal.get(`/api/console/appeals/${c.id}`)
    const won = rs.find((r) => r.status === 200)!
    expect(final.body.state).toBe(won.body.state)
    // The ticket followed only if the approval won.
    expect(final.body.ticket.status).toBe(final.body.state === 'decided' ? 'revoked' : 'effective')
  })

  it('lets only one of accept and refuse win on a new appeal', async () => {
    const [tk] = await importTickets(admin, [{ plate: '川A12345' }])
    const filed = await fileOn(zhang, { decisionNo: tk!.decisionNo!, plate: '川A12345' })
    const rs = await Promise.all([
      legal.post(`/api/console/appeals/${filed.id}/accept`, { version: filed.version }),
      legal2.post(`/api/console/appeals/${filed.id}/refuse`, { version: filed.version, reason: 'not_party' }),
      legal2.post(`/api/console/appeals/${filed.id}/accept`, { version: filed.version, assign: 'auto' }),
    ])
    expect(statuses(rs)).toEqual([200, 409, 409])
  })
})

describe('one open appeal per ticket, under load', () => {
  it('creates exactly one appeal when the same ticket is appealed many times at once', async () => {
    const [tk] = await importTickets(admin, [{ plate: '川A12345' }])
    const li = await citizen(t, '13900139000')
    const form = () => appealForm({ decisionNo: tk!.decisionNo!, plate: '川A12345', grounds: 'other', statement: STATEMENT, contactPhone: '13800138000' })
    const rs = await Promise.all([
      ...Array.from({ length: 6 }, () => zhang.post('/api/appeals', form())),
      ...Array.from({ length: 4 }, () => li.post('/api/appeals', form())),
    ])
    expect(rs.filter((r) => r.status === 201)).toHaveLength(1)
    const losers = rs.filter((r) => r.status !== 201)
    expect(losers.every((r) => r.status === 409 && r.body.error.code === 'appeal_exists')).toBe(true)
    const first = rs.find((r) => r.status === 201)!
    // The filer's own duplicates link to their appeal; someone else only learns its number.
    for (const r of losers) expect(r.body.error.appeal.number).toBe(first.body.number)
  })
})

describe('concurrent imports', () => {
  it('registers every decision number once, whatever the interleaving', async () => {
    const rows = Array.from({ length: 40 }, () => ticketRow())
    const key = (await admin.post('/api/console/api-keys', { name: 'load' })).body.key
    const send = () =>
      t.app.request('/api/tickets/import', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tickets: rows }),
      })
    const rs = await Promise.all(Array.from({ length: 5 }, send))
    const codes = rs.map((r) => r.status)
    expect(codes.every((s) => s === 200 || s === 409)).toBe(true)
    expect(codes).toContain(200)
    const stored = await t.deps.database.db
      .select({ n: tickets.decisionNo })
      .from(tickets)
      .where(
        inArray(
          tickets.decisionNo,
          rows.map((r) => r.decisionNo),
        ),
      )
    expect(stored).toHaveLength(40)
    const bodies = (await Promise.all(rs.filter((r) => r.status === 200).map((r) => r.json()))) as { created: number }[]
    expect(bodies.reduce((n, b) => n + b.created, 0)).toBe(40)
  })
})
