import { appeals } from '@tp/server/modules/appeals/appeals.tables'
import { runReminders } from '@tp/server/modules/appeals/jobs'
import { systemCtx } from '@tp/server/platform/context'
import { notifications } from '@tp/server/platform/platform.tables'
import { and, asc, eq, like, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../support/app'
import type { Client } from '../support/client'
import { cst, fileOn, importTickets, movableClockApp } from './appeals-support'

/** Clock moves, reminder runs, clock-policy edge cases: everything on a movable clock. */

let t: TestApp
let admin: Client
let legal: Client
let head: Client
let zhang: Client
let legalId: string
let headId: string

beforeAll(async () => {
  ;({ t, admin, legal, head, zhang, legalId, headId } = await movableClockApp())
})
afterAll(() => t.close())

const at = (when: string) => {
  t.now.value = cst(when)
}
const run = async (when: string) => {
  at(when)
  return runReminders(systemCtx(t.deps))
}

/** Files (at `when`) on a fresh ticket of zhang's car. */
async function filedAt(when: string, type: 'statement' | 'camera_objection') {
  at(when)
  const [tk] = await importTickets(admin, [
    { plate: '川A12345', recordedBy: type === 'camera_objection' ? 'camera' : 'onsite', occurredAt: '2026-01-10 08:30' },
  ])
  return fileOn(zhang, { decisionNo: tk!.decisionNo!, plate: '川A12345' }, { type })
}

async function accept(c: { id: string; version: number }, when: string) {
  at(when)
  const res = await legal.post(`/api/console/appeals/${c.id}/accept`, { version: c.version, assign: legalId })
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
    .filter((n) => (n.params as { number?: string }).number === appealNumber && /\.(reminder|overdue)$/.test(n.messageKey))
    .map(
      (n) => `${n.messageKey.replace('appeals.notify.', '')}:${(n.params as { percent?: number }).percent ?? (n.params as { dueDate?: string }).dueDate ?? ''}`,
    )

describe('reminders on working-day clocks', () => {
  it('reminds on the day 2/3 is reached, a make-up Saturday before the Spring Festival, not days later', async () => {
    // Filed Tuesday 2026-02-10: working days 02-11, 02-12, 02-13, 02-14 (make-up Saturday) …
    // then the holiday 02-15–02-23, and the fifth working day is 02-24.
    const c = await accept(await filedAt('2026-02-10T10:00:00', 'camera_objection'), '2026-02-10T11:00:00')
    expect(c.due).toMatchObject({ dueDate: '2026-02-24', provisional: false })
    await run('2026-02-13T20:00:00') // 3 of 5 working days
    expect(await keysFor(legalId, c.number)).toEqual([])
    await run('2026-02-14T09:00:00') // 4 of 5: past 2/3 (calendar time: barely a third)
    expect(await keysFor(legalId, c.number)).toEqual(['reminder:67'])
    await run('2026-02-20T09:00:00') // in the holiday: nothing counts
    expect(await keysFor(legalId, c.number)).toEqual(['reminder:67'])
    await run('2026-02-24T09:00:00')
    expect(await keysFor(legalId, c.number)).toEqual(['reminder:67', 'reminder:90'])
  })
})

describe('reminders after the clock moves', () => {
  it('sends the overdue notice again when acceptance restarts the clock and the real deadline passes', async () => {
    const filed = await filedAt('2026-06-01T10:00:00', 'statement')
    expect(filed.due).toMatchObject({ provisional: true, dueDate: '2026-06-16' })
    await run('2026-06-17T01:00:00')
    expect(await keysFor(headId, filed.number)).toEqual(['overdue:2026-06-16'])
    const c = await accept({ id: filed.id, version: filed.version }, '2026-06-17T10:00:00')
    expect(c.due).toMatchObject({ provisional: false, dueDate: '2026-07-02' })
    await run('2026-06-20T09:00:00')
    await run('2026-07-02T23:00:00')
    expect(await keysFor(headId, filed.number)).toEqual(['overdue:2026-06-16'])
    await run('2026-07-03T01:00:00')
    await run('2026-07-03T09:00:00')
    expect(await keysFor(headId, filed.number)).toEqual(['overdue:2026-06-16', 'overdue:2026-07-02'])
    // The new clock's reminders went to the assignee as well (2/3 and 90% of the restarted period).
    expect(await keysFor(legalId, filed.number)).toEqual(expect.arrayContaining(['reminder:67', 'reminder:90']))
  })

  it('moves the due date across National Day on an approved extension, and notifies again when the new date passes', async () => {
    const c = await accept(await filedAt('2026-09-14T09:00:00', 'statement'), '2026-09-14T10:00:00')
    expect(c.due.dueDate).toBe('2026-09-29')
    await run('2026-09-30T01:00:00')
    expect(await keysFor(headId, c.number)).toEqual(['overdue:2026-09-29'])
    expect(await keysFor(legalId, c.number)).toEqual(['reminder:67', 'reminder:90'])

    at('2026-09-30T10:00:00')
    const req = await legal.post(`/api/console/appeals/${c.id}/extensions`, { version: c.version, days: 5, reason: '需函调外省车管所档案' })
    expect(req.status).toBe(200)
    const ok = await head.post(`/api/console/appeals/${c.id}/extension-decision`, { version: req.body.version, approve: true })
    expect(ok.status).toBe(200)
    // 09-29 + 5 = 10-04, inside the National Day holiday (10-01–10-07) → first working day 10-08.
    expect(ok.body.due).toMatchObject({ extensionDays: 5, dueDate: '2026-10-08', status: 'ok' })

    await run('2026-10-05T09:00:00') // 90% of 20 days (day 18, 10-02) passed since the first 90% reminder
    expect(await keysFor(legalId, c.number)).toEqual(['reminder:67', 'reminder:90', 'reminder:90'])
    await run('2026-10-08T23:00:00')
    expect(await keysFor(headId, c.number)).toEqual(['overdue:2026-09-29'])
    await run('2026-10-09T01:00:00')
    await run('2026-10-09T02:00:00')
    expect(await keysFor(headId, c.number)).toEqual(['overdue:2026-09-29', 'overdue:2026-10-08'])
  })
})

describe('the reminder run', () => {
  it('logs and skips a case that fails; the others are still notified', async () => {
    const a = await accept(await filedAt('2026-07-06T10:00:00', 'statement'), '2026-07-06T10:30:00')
    const b = await accept(await filedAt('2026-07-06T11:00:00', 'statement'), '2026-07-06T11:30:00')
    const db = t.deps.database.db
    const [orig] = await db.select({ policy: appeals.policy }).from(appeals).where(eq(appeals.id, a.id))
    // A row the computation chokes on (a broken policy snapshot).
    await db.execute(sql`update ${appeals} set policy = 'null'::jsonb where id = ${a.id}`)
    try {
      const out = await run('2026-07-23T09:00:00')
      expect(out.failed).toBe(1)
      expect(await keysFor(headId, b.number)).toEqual(['overdue:2026-07-21'])
      expect(await keysFor(headId, a.number)).toEqual([])
    } finally {
      await db.update(appeals).set({ policy: orig!.policy }).where(eq(appeals.id, a.id))
    }
    const again = await run('2026-07-23T10:00:00')
    expect(again.failed).toBe(0)
    expect(await keysFor(headId, a.number)).toEqual(['overdue:2026-07-21'])
  })
})

describe('extensions when the case closes', () => {
  it('cancels a pending extension when the case is decided; counts only open cases', async () => {
    const c = await accept(await filedAt('2026-08-03T10:00:00', 'statement'), '2026-08-03T10:30:00')
    const before = (await head.get('/api/console/appeals/counts')).body.pendingExtensions
    const req = await legal.post(`/api/console/appeals/${c.id}/extensions`, { version: c.version, days: 3, reason: '等待鉴定意见' })
    expect(req.status).toBe(200)
    expect((await head.get('/api/console/appeals/counts')).body.pendingExtensions).toBe(before + 1)
    const upheld = await legal.post(`/api/console/appeals/${c.id}/decision`, {
      version: req.body.version,
      outcome: 'upheld',
      findings: '违法事实清楚、证据确凿',
      legalBasis: ['apl_45'],
      replyText: '经复核，维持原处罚决定。',
    })
    expect(upheld.status).toBe(200)
    expect(upheld.body.extensions).toEqual([expect.objectContaining({ days: 3, state: 'cancelled' })])
    expect((await head.get('/api/console/appeals/counts')).body.pendingExtensions).toBe(before)
    const listed = await head.get('/api/console/appeals?extension=pending&pageSize=200')
    expect(listed.body.items.map((x: { id: string }) => x.id)).not.toContain(c.id)
  })

  it('cancels it when the citizen withdraws, and labels how the open material request ended', async () => {
    const c = await accept(await filedAt('2026-08-10T10:00:00', 'statement'), '2026-08-10T10:30:00')
    const req = await legal.post(`/api/console/appeals/${c.id}/extensions`, { version: c.version, days: 3, reason: '等待鉴定意见' })
    const asked = await legal.post(`/api/console/appeals/${c.id}/material-requests`, { version: req.body.version, items: '请补充行驶证照片。' })
    expect(asked.status).toBe(200)
    const w = await zhang.post(`/api/appeals/${c.id}/withdraw`, { version: asked.body.version, note: '已自行处理' })
    expect(w.status).toBe(200)
    const view = await legal.get(`/api/console/appeals/${c.id}`)
    expect(view.body.extensions).toEqual([expect.objectContaining({ state: 'cancelled' })])
    expect(view.body.materialRequests).toEqual([expect.objectContaining({ answeredBy: 'withdrawn', answerNote: '已自行处理' })])
  })

  it('tells who answered a material request: the citizen, or the officer who resumed', async () => {
    const c = await accept(await filedAt('2026-08-17T10:00:00', 'statement'), '2026-08-17T10:30:00')
    const asked = await legal.post(`/api/console/appeals/${c.id}/material-requests`, { version: c.version, items: '请补充行驶证照片。' })
    const fd = new FormData()
    fd.append('version', String(asked.body.version))
    fd.append('note', '已上传。')
    const supplied = await zhang.post(`/api/appeals/${c.id}/material`, fd)
    expect(supplied.status).toBe(200)
    const again = await legal.post(`/api/console/appeals/${c.id}/material-requests`, { version: supplied.body.version, items: '请补充保险单。' })
    const resumed = await legal.post(`/api/console/appeals/${c.id}/resume`, { version: again.body.version, note: '邮寄收到。' })
    expect(resumed.body.materialRequests.map((r: { answeredBy: string }) => r.answeredBy)).toEqual(['citizen', 'staff'])
  })
})

describe('types whose clock does not pause', () => {
  it('may still ask for material; the clock keeps running', async () => {
    const c = await accept(await filedAt('2026-03-02T10:00:00', 'statement'), '2026-03-02T10:30:00')
    expect(c.due.dueDate).toBe('2026-03-17')
    // A type configured without pausing: the policy snapshot on the case says so.
    await t.deps.database.db.execute(sql`update ${appeals} set policy = jsonb_set(policy, '{pausable}', 'false') where id = ${c.id}`)
    at('2026-03-05T10:00:00')
    const asked = await legal.post(`/api/console/appeals/${c.id}/material-requests`, { version: c.version, items: '请补充行驶证照片。' })
    expect(asked.status).toBe(200)
    expect(asked.body.state).toBe('awaiting_material')
    expect(asked.body.due).toMatchObject({ paused: false, dueDate: '2026-03-17' })
    at('2026-03-10T10:00:00')
    const later = await legal.get(`/api/console/appeals/${c.id}`)
    expect(later.body.due).toMatchObject({ paused: false, pausedDays: 0, dueDate: '2026-03-17', status: 'ok' })
    const q = await legal.get(`/api/console/appeals?q=${c.number}`)
    expect(q.body.items[0].dueStatus).not.toBe('paused')
  })
})

describe('camera objections: same-day forwarding', () => {
  it('goes to the unit where the violation happened, with the clock running from the day of filing', async () => {
    at('2026-04-13T09:00:00')
    const [tk] = await importTickets(admin, [
      { plate: '川A12345', recordedBy: 'camera', occurredAt: '2026-04-01 08:30', unit: '城区一大队', occurredUnit: '城区二大队' },
    ])
    at('2026-04-13T10:00:00') // Monday
    const filed = await fileOn(zhang, { decisionNo: tk!.decisionNo!, plate: '川A12345' }, { type: 'camera_objection' })
    expect(filed.ticket.occurredUnitId).not.toBe(filed.ticket.unitId)
    // 5 working days from the day of filing: 04-14 … 04-20; not provisional.
    expect(filed.due).toMatchObject({ provisional: false, dueDate: '2026-04-20', startedAt: filed.submittedAt })
    const c = await accept(filed, '2026-04-15T10:00:00')
    expect(c.unit.name).toBe('城区二大队')
    expect(c.due).toMatchObject({ dueDate: '2026-04-20', startedAt: filed.submittedAt })
    expect(c.policy.citation['zh-CN']).toContain('自提出异议当日起算')

    // An on-site statement on the same kind of ticket stays with the issuing unit, provisional until accepted.
    const [tk2] = await importTickets(admin, [{ plate: '川A12345', occurredAt: '2026-04-01 08:30', unit: '城区一大队', occurredUnit: '城区二大队' }])
    const s = await fileOn(zhang, { decisionNo: tk2!.decisionNo!, plate: '川A12345' }, { type: 'statement' })
    expect(s.due.provisional).toBe(true)
    const sv = await legal.get(`/api/console/appeals/${s.id}`)
    expect(sv.body.unit.name).toBe('城区一大队')
  })
})

describe('tickets and the bound vehicle', () => {
  it('shows a ticket only when the plate matches and the VIN suffix, if the ticket has one, is the bound one', async () => {
    at('2026-05-04T10:00:00')
    const [mine, other, none] = await importTickets(admin, [
      { plate: '川A12345', vinLast6: 'a12345' },
      { plate: '川A12345', vinLast6: 'ZZ9999' },
      { plate: '川A12345' },
    ])
    const list = (await zhang.get('/api/tickets')).body.items.map((x: { decisionNo: string }) => x.decisionNo)
    expect(list).toEqual(expect.arrayContaining([mine!.decisionNo, none!.decisionNo]))
    expect(list).not.toContain(other!.decisionNo)
    expect((await zhang.get(`/api/tickets/lookup?decisionNo=${mine!.decisionNo}`)).status).toBe(200)
    expect((await zhang.get(`/api/tickets/lookup?decisionNo=${other!.decisionNo}`)).status).toBe(404)
    // The old path is gone (it now reads as an appeal id, and is refused as one).
    expect((await zhang.get('/api/appeals/tickets')).status).not.toBe(200)
    const reg = await legal.get(`/api/console/tickets?q=${mine!.decisionNo}`)
    expect(reg.body.items[0]).toMatchObject({ decisionNo: mine!.decisionNo })
  })
})

describe('appeal types configured by an admin', () => {
  it('sets a clock policy for later appeals; a filed case keeps the one it was filed under', async () => {
    const earlier = await accept(await filedAt('2026-10-12T10:00:00', 'statement'), '2026-10-12T10:30:00')
    expect(earlier.due.dueDate).toBe('2026-10-27')
    const list = await legal.get('/api/console/appeals/types')
    expect(list.status).toBe(200)
    const statement = list.body.items.find((x: { key: string }) => x.key === 'statement')
    expect(statement).toMatchObject({ customised: false, clock: { days: 15, unit: 'calendar' } })

    const body = {
      clock: { ...statement.clock, days: 20, maxExtensionDays: 10 },
      citation: { 'zh-CN': '本地规定：自受理之日起 20 日内答复', en: 'Local rule: reply within 20 days of acceptance' },
    }
    expect((await legal.put('/api/console/appeals/types/statement', body)).status).toBe(403)
    const invalid = await admin.put('/api/console/appeals/types/statement', { ...body, clock: { ...body.clock, days: 0 } })
    expect(invalid.status).toBe(400)
    expect(invalid.body.error.code).toBe('validation_failed')
    expect(
      (await admin.put('/api/console/appeals/types/statement', { ...body, clock: { ...body.clock, unit: 'working', rollToWorkingDay: true } })).status,
    ).toBe(400)
    const saved = await admin.put('/api/console/appeals/types/statement', body)
    expect(saved.status).toBe(200)
    expect(saved.body).toMatchObject({ customised: true, clock: { days: 20 } })

    try {
      const config = await zhang.get('/api/appeals/config')
      expect(config.body.types.find((x: { key: string }) => x.key === 'statement')).toMatchObject({ clock: { days: 20 }, citation: body.citation })
      const later = await accept(await filedAt('2026-10-12T11:00:00', 'statement'), '2026-10-12T11:30:00')
      expect(later.policy).toMatchObject({ days: 20, maxExtensionDays: 10, citation: body.citation })
      expect(later.due.dueDate).toBe('2026-11-02') // 10-12 + 20 = 11-01, a Sunday → Monday
      expect((await legal.get(`/api/console/appeals/${earlier.id}`)).body.due.dueDate).toBe('2026-10-27')
    } finally {
      await admin.put('/api/console/appeals/types/statement', { clock: statement.clock, citation: statement.citation })
    }
  })
})
