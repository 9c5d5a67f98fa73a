import { queueTickets } from '@tp/server/modules/bookings/bookings.tables'
import { auditLog, notifications } from '@tp/server/platform/platform.tables'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../support/app'
import { type Client, citizen, staffUser } from '../support/client'
import { bookingsApp, cn, makeOffice, person, slotAt, WEEK } from './bookings-support'

// The write paths answer from the rows they just wrote (and read in their own transaction, with
// statements pipelined): the answer must be what a read afterwards returns, with or without an
// Idempotency-Key (inside the key's transaction), and the audit row and inbox entry still written.

let t: TestApp
let admin: Client
let office: { id: string }
let ids: Record<string, string>
let windowId: string
const DAY = '2026-03-11'

beforeAll(async () => {
  const app = await bookingsApp(cn('2026-03-10', '08:00'))
  t = app.t
  admin = await staffUser(t, 'admin')
  const made = await makeOffice(admin, app.refs.units.vehicleOffice, {
    hours: WEEK([{ from: '09:00', to: '12:00' }]),
    codes: ['licence', 'registration'],
    windows: [{ number: 1, codes: ['licence', 'registration'] }],
  })
  office = made.office
  ids = made.ids
  windowId = made.windows[0]!.id
})
afterAll(() => t.close())

async function rowsAbout(entityId: string, action: string, link: string) {
  const db = t.deps.database.db
  const audits = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entityId, entityId), eq(auditLog.action, action)))
  const inbox = await db.select().from(notifications).where(eq(notifications.link, link))
  return { audits: audits.length, inbox: inbox.length }
}

describe('booking: the answer is built from the rows just written', () => {
  for (const [i, key, time] of [
    [0, undefined, '09:00'],
    [1, 'write-paths-booking-1', '09:30'],
  ] as const) {
    it(`equals the booking read back, and writes its timeline, audit and inbox rows (${key ? 'with' : 'without'} an Idempotency-Key)`, async () => {
      const me = await citizen(t, `1360000090${i}`)
      const slot = await slotAt(me, office.id, ids.licence as string, DAY, time)
      const created = await me.post('/api/bookings', { slotId: slot.id, ...person(i) }, key ? { 'idempotency-key': key } : {})
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      const read = await me.get(`/api/bookings/${created.body.id}`)
      expect(created.body).toEqual(read.body)
      expect(created.body).toMatchObject({ state: 'booked', ticket: null, timeline: [{ action: 'create', toState: 'booked' }] })
      expect(await rowsAbout(created.body.id, 'booking.create', `/bookings/${created.body.id}`)).toEqual({ audits: 1, inbox: 1 })
      expect((await slotAt(me, office.id, ids.licence as string, DAY, time)).remaining).toBe(slot.remaining - 1)
      if (key) {
        const again = await me.post('/api/bookings', { slotId: slot.id, ...person(i) }, { 'idempotency-key': key })
        expect(again.headers.get('idempotent-replayed')).toBe('true')
        expect(again.body).toEqual(created.body)
        expect(await rowsAbout(created.body.id, 'booking.create', `/bookings/${created.body.id}`)).toEqual({ audits: 1, inbox: 1 })
      }
    })
  }
})

describe('call-next: the ticket is read in the call transaction', () => {
  it('answers with the called ticket as the window queue then shows it, and audits the call', async () => {
    t.now.value = cn(DAY, '09:00')
    const win = await staffUser(t, 'window')
    expect((await win.post(`/api/console/bookings/windows/${windowId}/sign-in`, { takeOver: true })).status).toBe(200)
    const walkIn = await win.post('/api/console/bookings/walk-ins', { officeId: office.id, serviceId: ids.licence })
    expect(walkIn.status, JSON.stringify(walkIn.body)).toBe(201)
    const called = await win.post(`/api/console/bookings/windows/${windowId}/call-next`)
    expect(called.status).toBe(200)
    expect(called.body.ticket).toMatchObject({ id: walkIn.body.id, state: 'called', windowId, callCount: 1 })
    const queue = await win.get(`/api/console/bookings/windows/${windowId}/queue`)
    expect(queue.body.current).toEqual(called.body.ticket)
    const [row] = await t.deps.database.db.select().from(queueTickets).where(eq(queueTickets.id, walkIn.body.id))
    expect(row?.state).toBe('called')
    const audits = await t.deps.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, walkIn.body.id), eq(auditLog.action, 'queue.call')))
    expect(audits).toHaveLength(1)
  })
})
