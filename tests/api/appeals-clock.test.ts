import { runReminders } from '@tp/server/modules/appeals/jobs'
import { staff } from '@tp/server/modules/identity/identity.tables'
import { systemCtx } from '@tp/server/platform/context'
import { notifications } from '@tp/server/platform/platform.tables'
import { and, asc, eq, like } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../support/app'
import type { Client } from '../support/client'
import { cst, fileOn, importTickets, movableClockApp } from './appeals-support'

let t: TestApp
let admin: Client
let legal: Client
let head: Client
let zhang: Client
let legalId: string

beforeAll(async () => {
  // A movable clock: sign in at the real time, then travel through 2026 (sessions outlive the jumps).
  ;({ t, admin, legal, head, zhang, legalId } = await movableClockApp())
})
afterAll(() => t.close())

/** Files and accepts (assigned to `legal`) at `when`, on a fresh ticket. */
async function acceptedAt(when: string, type: 'statement' | 'camera_objection', recordedBy = type === 'camera_objection' ? 'camera' : 'onsite') {
  t.now.value = cst(when)
  const [tk] = await importTickets(admin, [{ plate: '川A12345', recordedBy, occurredAt: '2026-01-10 08:30' }])
  const filed = await fileOn(zhang, { decisionNo: tk!.decisionNo!, plate: '川A12345' }, { type })
  const res = await legal.post(`/api/console/appeals/${filed.id}/accept`, { version: filed.version, assign: legalId })
  expect(res.status).toBe(200)
  return res.body
}

const keysFor = async (recipientId: string, appealNumber: string) =>
  (
    await t.deps.database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.recipientId, recipientId), like(notifications.messageKey, 'appeals.notify.%')))
      .orderBy(asc(notifications.createdAt))
  )
    .filter((n) => (n.params as { number?: string }).number === appealNumber)
    .map((n) => `${n.messageKey}:${(n.params as { percent?: number }).percent ?? ''}`)

describe('both clocks on the real calendar', () => {
  it('counts 5 working days over the Spring Festival, with make-up Saturday 2026-02-14', async () => {
    const c = await acceptedAt('2026-02-13T10:00:00', 'camera_objection')
    expect(c.policy).toMatchObject({ days: 5, unit: 'working' })
    expect(c.due).toMatchObject({ dueDate: '2026-02-27', provisional: false })
  })

  it('rolls a 15-day clock that ends in the Spring Festival to the first working day after it', async () => {
    const c = await acceptedAt('2026-02-05T16:00:00', 'statement')
    expect(c.due.dueDate).toBe('2026-02-24')
  })

  it('counts over Mid-autumn and National Day with make-up days 09-20 and 10-10', async () => {
    expect((await acceptedAt('2026-09-30T09:00:00', 'camera_objection')).due.dueDate).toBe('2026-10-13')
    expect((await acceptedAt('2026-09-18T09:00:00', 'camera_objection')).due.dueDate).toBe('2026-09-24')
    expect((await acceptedAt('2026-09-20T09:00:00', 'statement')).due.dueDate).toBe('2026-10-08')
  })

  it('shows the citizen the reply-due date, the days left and the rule it comes from', async () => {
    const c = await acceptedAt('2026-03-02T10:00:00', 'statement')
    t.now.value = cst('2026-03-14T09:00:00')
    const mine = await zhang.get(`/api/appeals/${c.id}`)
    expect(mine.body.due).toMatchObject({ dueDate: '2026-03-17', daysLeft: 3, status: 'soon' })
    expect(mine.body.policy.citation['zh-CN']).toContain('15 日')
    t.now.value = cst('2026-03-18T09:00:00')
    const late = await zhang.get(`/api/appeals/${c.id}`)
    expect(late.body.due).toMatchObject({ daysLeft: -1, status: 'overdue' })
  })
})

describe('pause and resume', () => {
  it('stops the clock while waiting for material and resumes it when the citizen supplies it', async () => {
    const c = await acceptedAt('2026-03-02T10:00:00', 'statement')
    expect(c.due.dueDate).toBe('2026-03-17')
    t.now.value = cst('2026-03-05T10:00:00')
    const asked = await legal.post(`/api/console/appeals/${c.id}/material-requests`, { version: c.version, items: '请补充行驶证照片。' })
    expect(asked.body.due).toMatchObject({ paused: true, status: 'paused', dueDate: '2026-03-17' })

    // While paused the projected due date moves with the days waited.
    t.now.value = cst('2026-03-08T10:00:00')
    const waiting = await zhang.get(`/api/appeals/${c.id}`)
    expect(waiting.body.due).toMatchObject({ paused: true, pausedDays: 3, dueDate: '2026-03-20' })
    const q = await legal.get(`/api/console/appeals?q=${c.number}`)
    expect(q.body.items[0].dueStatus).toBe('paused')

    t.now.value = cst('2026-03-09T15:00:00')
    const fd = new FormData()
    fd.append('version', String(waiting.body.version))
    fd.append('note', '已上传行驶证照片。')
    const supplied = await zhang.post(`/api/appeals/${c.id}/material`, fd)
    expect(supplied.status).toBe(200)
    // 4 paused days (06–09): 03-17 + 4 = 03-21, a Saturday → Monday 03-23 under the rolling rule.
    expect(supplied.body.due).toMatchObject({ paused: false, pausedDays: 4, dueDate: '2026-03-23' })
    const staffView = await legal.get(`/api/console/appeals/${c.id}`)
    expect(staffView.body.due.dueDate).toBe('2026-03-23')
    expect(staffView.body.timeline.map((e: { action: string }) => e.action)).toEqual(['file', 'accept', 'assign', 'request_material', 'supply_material'])
  })

  it('caps the pause: a citizen who never answers cannot freeze the case', async () => {
    const c = await acceptedAt('2026-04-01T10:00:00', 'statement')
    t.now.value = cst('2026-04-02T10:00:00')
    await legal.post(`/api/console/appeals/${c.id}/material-requests`, { version: c.version, items: '请补充证明材料。' })
    t.now.value = cst('2026-06-01T10:00:00')
    const mine = await zhang.get(`/api/appeals/${c.id}`)
    // 15 days + at most 15 paused days: 04-01 + 30 = 05-01 (holiday) → rolled past Labour Day.
    expect(mine.body.due.pausedDays).toBe(15)
    expect(mine.body.due.dueDate).toBe('2026-05-06')
    expect(mine.body.due.status).toBe('overdue')
  })

  it('lets the officer end the wait without the material', async () => {
    const c = await acceptedAt('2026-04-07T10:00:00', 'statement')
    t.now.value = cst('2026-04-08T10:00:00')
    const asked = await legal.post(`/api/console/appeals/${c.id}/material-requests`, { version: c.version, items: '请补充证明材料。' })
    t.now.value = cst('2026-04-10T10:00:00')
    const resumed = await legal.post(`/api/console/appeals/${c.id}/resume`, { version: asked.body.version, note: '材料已通过邮寄收到。' })
    expect(resumed.status).toBe(200)
    expect(resumed.body).toMatchObject({ state: 'in_review', due: { paused: false, pausedDays: 2 } })
    expect(resumed.body.materialRequests[0].answerNote).toBe('材料已通过邮寄收到。')
  })
})

describe('reminders', () => {
  it('reminds the assignee at 2/3 and 90% and the unit heads on the day it falls overdue, once each', async () => {
    const c = await acceptedAt('2026-05-11T10:00:00', 'statement')
    expect(c.due.dueDate).toBe('2026-05-26')
    const [h] = await t.deps.database.db.select({ id: staff.id }).from(staff).where(eq(staff.username, 'head'))
    const run = async (at: string) => {
      t.now.value = cst(at)
      await runReminders(systemCtx(t.deps))
    }
    await run('2026-05-20T09:00:00') // 9 of 15 days
    expect(await keysFor(legalId, c.number)).toEqual([])
    await run('2026-05-21T09:00:00') // 10 of 15: 2/3
    await run('2026-05-21T12:00:00')
    expect(await keysFor(legalId, c.number)).toEqual(['appeals.notify.reminder:67'])
    await run('2026-05-25T09:00:00') // 14 of 15: 93%
    expect(await keysFor(legalId, c.number)).toEqual(['appeals.notify.reminder:67', 'appeals.notify.reminder:90'])
    expect(await keysFor(h!.id, c.number)).toEqual([])
    await run('2026-05-26T23:00:00') // still the due day
    expect(await keysFor(h!.id, c.number)).toEqual([])
    await run('2026-05-27T00:30:00')
    await run('2026-05-27T08:00:00')
    expect(await keysFor(h!.id, c.number)).toEqual(['appeals.notify.overdue:'])
    const counts = await head.get('/api/console/appeals/counts')
    expect(counts.body.overdue).toBeGreaterThanOrEqual(1)
    const staffView = await legal.get(`/api/console/appeals/${c.id}`)
    expect(staffView.body.timeline.filter((e: { action: string }) => e.action === 'reminder')).toHaveLength(2)
    expect(staffView.body.timeline.filter((e: { action: string }) => e.action === 'overdue')).toHaveLength(1)
  })
})

describe('calendar overrides (admin)', () => {
  it('shows the official calendar with its make-up days', async () => {
    const res = await legal.get('/api/console/calendar?year=2026')
    expect(res.status).toBe(200)
    const day = (d: string) => res.body.days.find((x: { date: string }) => x.date === d)
    expect(day('2026-02-14')).toMatchObject({ working: true, source: 'official', name: '春节' })
    expect(day('2026-02-16')).toMatchObject({ working: false, source: 'official' })
    expect(day('2026-03-07')).toMatchObject({ working: false, source: 'weekday' })
    expect(res.body.officialYears.to).toBeGreaterThanOrEqual(2026)
  })

  it('moves open deadlines when a local closure is added, and back when it is removed', async () => {
    const c = await acceptedAt('2026-07-06T10:00:00', 'camera_objection')
    expect(c.due.dueDate).toBe('2026-07-13')
    expect((await legal.put('/api/console/calendar/overrides/2026-07-08', { working: false, name: '防汛闭馆' })).status).toBe(403)
    const put = await admin.put('/api/console/calendar/overrides/2026-07-08', { working: false, name: '防汛闭馆' })
    expect(put.status).toBe(200)
    const after = await legal.get(`/api/console/appeals/${c.id}`)
    expect(after.body.due.dueDate).toBe('2026-07-14')
    const q = await legal.get(`/api/console/appeals?q=${c.number}`)
    expect(q.body.items[0].dueDate).toBe('2026-07-14')
    const year = await legal.get('/api/console/calendar?year=2026')
    expect(year.body.days.find((d: { date: string }) => d.date === '2026-07-08')).toMatchObject({ working: false, source: 'override', officialWorking: true })
    expect((await admin.put('/api/console/calendar/overrides/2026-02-30', { working: false, name: 'x' })).status).toBe(400)
    expect((await admin.delete('/api/console/calendar/overrides/2026-07-08')).status).toBe(200)
    expect((await legal.get(`/api/console/appeals?q=${c.number}`)).body.items[0].dueDate).toBe('2026-07-13')
    expect((await admin.delete('/api/console/calendar/overrides/2026-07-08')).status).toBe(404)
  })

  it('covers a year the package lacks with overrides (2027 make-up Saturday)', async () => {
    await admin.put('/api/console/calendar/overrides/2027-02-06', { working: true, name: '春节调休' })
    const res = await legal.get('/api/console/calendar?year=2027')
    expect(res.body.days.find((d: { date: string }) => d.date === '2027-02-06')).toMatchObject({ working: true, source: 'override' })
    const list = await legal.get('/api/console/calendar/overrides')
    expect(list.body.items.map((o: { date: string }) => o.date)).toContain('2027-02-06')
  })
})
