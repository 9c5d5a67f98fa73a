import { getCompletedTicket, onQueueCompleted } from '@tp/server/modules/bookings/index'
import type { DemoRefs } from '@tp/server/platform/module'
import { orderQueue, type QueueEntry } from '@tp/shared/bookings/queue'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../support/app'
import { type Client, citizen, newClient, staffUser } from '../support/client'
import { bookingsApp, cn, makeOffice, person, slotAt, WEEK } from './bookings-support'

let t: TestApp
let refs: DemoRefs
let events: { type: string; audience: { channels?: string[] }; data: Record<string, unknown> }[]
const DAY = '2026-03-10'
const HOURS = WEEK([{ from: '08:00', to: '17:00' }])

beforeAll(async () => {
  ;({ t, refs, events } = await bookingsApp(cn(DAY, '08:00')))
})
afterAll(() => t.close())

const staffAt = async (time: string) => {
  t.now.value = cn(DAY, time)
  return {
    admin: await staffUser(t, 'admin'),
    window: await staffUser(t, 'window'),
    window2: await staffUser(t, 'window2'),
  }
}

async function office(windows = 1) {
  const { admin } = await staffAt('08:00')
  return makeOffice(admin, refs.units.vehicleOffice, {
    hours: HOURS,
    codes: ['licence'],
    windows: Array.from({ length: windows }, (_, i) => ({ number: i + 1, codes: ['licence'] })),
  })
}

let phone = 13600010000
async function booked(officeId: string, serviceId: string, time: string, i = 0): Promise<{ c: Client; b: any }> {
  const c = await citizen(t, String(phone++))
  const res = await c.post('/api/bookings', { slotId: (await slotAt(c, officeId, serviceId, DAY, time)).id, ...person(i) })
  if (res.status !== 201) throw new Error(`book: ${res.status} ${JSON.stringify(res.body)}`)
  return { c, b: res.body }
}

describe('check-in', () => {
  it('lets the citizen check in inside the window around the slot and issues a prefixed number', async () => {
    const { office: o, ids } = await office()
    t.now.value = cn(DAY, '08:00')
    const { c, b } = await booked(o.id, ids.licence as string, '09:00')
    t.now.value = cn(DAY, '07:59')
    const early = await c.post(`/api/bookings/${b.id}/check-in`)
    expect(early.status).toBe(422)
    expect(early.body.error.code).toBe('check_in_not_open')
    t.now.value = cn(DAY, '08:05')
    const ok = await c.post(`/api/bookings/${b.id}/check-in`)
    expect(ok.status).toBe(200)
    expect(ok.body.state).toBe('checked_in')
    expect(ok.body.ticket).toMatchObject({ number: 'C001', state: 'waiting', ahead: 0 })
    expect((await c.post(`/api/bookings/${b.id}/check-in`)).status).toBe(409)

    const late = await booked(o.id, ids.licence as string, '09:00', 1)
    t.now.value = cn(DAY, '09:31')
    const closed = await late.c.post(`/api/bookings/${late.b.id}/check-in`)
    expect(closed.status).toBe(422)
    expect(closed.body.error.code).toBe('check_in_closed')
  })

  it('lets staff check a booking in by its code (typed loosely) and issues walk-in numbers', async () => {
    const { office: o, ids } = await office()
    t.now.value = cn(DAY, '08:00')
    const { b } = await booked(o.id, ids.licence as string, '09:30')
    const tomorrow = await booked(o.id, ids.licence as string, '09:30', 1).catch(() => null)
    void tomorrow
    const { window } = await staffAt('09:10')
    const typed = `${b.code.slice(0, 4).toLowerCase()} ${b.code.slice(4)}`
    const found = await window.get(`/api/console/bookings/by-code/${encodeURIComponent(typed)}`)
    expect(found.status).toBe(200)
    expect(found.body.nameMasked).toMatch(/\*/)
    const res = await window.post('/api/console/bookings/check-in', { code: typed })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ state: 'checked_in', ticket: { number: 'C001', state: 'waiting' } })
    const walkIn = await window.post('/api/console/bookings/walk-ins', { officeId: o.id, serviceId: ids.licence })
    expect(walkIn.status).toBe(201)
    expect(walkIn.body).toMatchObject({ number: 'C002', kind: 'walk_in', state: 'waiting' })
    expect((await window.post('/api/console/bookings/check-in', { code: 'ZZZZZZZZ' })).status).toBe(404)
  })

  it('refuses a staff check-in on another day', async () => {
    const { office: o, ids } = await office()
    t.now.value = cn(DAY, '08:00')
    const c = await citizen(t, String(phone++))
    const b = (await c.post('/api/bookings', { slotId: (await slotAt(c, o.id, ids.licence as string, '2026-03-11', '09:00')).id, ...person(0) })).body
    const { window } = await staffAt('08:10')
    const res = await window.post('/api/console/bookings/check-in', { code: b.code })
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('not_today')
  })
})

describe('queue ordering', () => {
  it('calls booked citizens whose slot has begun first, then everyone by check-in time; late arrivals lose priority', async () => {
    const { office: o, ids, windows } = await office()
    const svc = ids.licence as string
    t.now.value = cn(DAY, '08:00')
    const B = await booked(o.id, svc, '09:00', 0)
    const E = await booked(o.id, svc, '10:00', 1)
    const L = await booked(o.id, svc, '09:00', 2)
    let s = await staffAt('08:40')
    const w1 = (await s.window.post('/api/console/bookings/walk-ins', { officeId: o.id, serviceId: svc })).body
    t.now.value = cn(DAY, '08:45')
    const bt = (await B.c.post(`/api/bookings/${B.b.id}/check-in`)).body.ticket
    t.now.value = cn(DAY, '09:01')
    const et = (await E.c.post(`/api/bookings/${E.b.id}/check-in`)).body.ticket
    s = await staffAt('09:02')
    const w2 = (await s.window.post('/api/console/bookings/walk-ins', { officeId: o.id, serviceId: svc })).body
    s = await staffAt('09:35')
    const lt = (await s.window.post('/api/console/bookings/check-in', { code: L.b.code })).body.ticket
    const win = windows[0]!.id
    expect((await s.window.post(`/api/console/bookings/windows/${win}/sign-in`, {})).status).toBe(200)
    t.now.value = cn(DAY, '09:36')
    const q = (await s.window.get(`/api/console/bookings/windows/${win}/queue`)).body
    const expected = [bt.number, w1.number, et.number, w2.number, lt.number]
    expect(q.waiting.map((x: any) => x.number)).toEqual(expected)
    expect(q.waitingCount).toBe(5)
    // The same order as the shared rule.
    const shared = orderQueue<QueueEntry & { number: string }>(
      q.waiting.map((x: any) => ({
        id: x.id,
        kind: x.kind,
        onTime: x.onTime,
        slotStartsAt: x.slotStartsAt ? new Date(x.slotStartsAt) : null,
        issuedAt: new Date(x.issuedAt),
        seq: Number(x.number.slice(1)),
        transferred: x.targetWindowId !== null,
        number: x.number,
      })),
      t.now.value,
    )
    expect(shared.map((x) => x.number)).toEqual(expected)
    expect(q.waiting.find((x: any) => x.number === lt.number).onTime).toBe(false)

    const callAndComplete = async (c: Client) => {
      const called = (await c.post(`/api/console/bookings/windows/${win}/call-next`)).body.ticket
      expect((await c.post(`/api/console/bookings/tickets/${called.id}/complete`)).status).toBe(200)
      return called.number
    }
    const order = [await callAndComplete(s.window)]
    // At 10:00 E's slot begins: E moves ahead of the walk-ins.
    t.now.value = cn(DAY, '10:00')
    for (let i = 0; i < 4; i++) order.push(await callAndComplete(s.window))
    expect(order).toEqual([bt.number, et.number, w1.number, w2.number, lt.number])
    expect((await s.window.post(`/api/console/bookings/windows/${win}/call-next`)).body.ticket).toBeNull()
    const q2 = (await s.window.get(`/api/console/bookings/windows/${win}/queue`)).body
    expect(q2).toMatchObject({ waitingCount: 0, servedToday: 5 })
    expect(q2.averageWaitMinutes).toBeGreaterThan(0)
    expect((await B.c.get(`/api/bookings/${B.b.id}`)).body).toMatchObject({ state: 'done', ticket: { state: 'done' } })
    await s.window.post(`/api/console/bookings/windows/${win}/sign-out`)
  })
})

describe('concurrent calls', () => {
  it('never gives two windows the same number', async () => {
    const { office: o, ids, windows } = await office(3)
    const s = await staffAt('09:00')
    const staff = [s.window, s.window2, s.admin]
    for (const [i, c] of staff.entries()) expect((await c.post(`/api/console/bookings/windows/${windows[i]!.id}/sign-in`, {})).status).toBe(200)
    // A burst: three windows, two waiting.
    for (let i = 0; i < 2; i++) await s.window.post('/api/console/bookings/walk-ins', { officeId: o.id, serviceId: ids.licence })
    const burst = await Promise.all(staff.map((c, i) => c.post(`/api/console/bookings/windows/${windows[i]!.id}/call-next`)))
    expect(burst.map((r) => r.status)).toEqual([200, 200, 200])
    const got = burst.map((r) => r.body.ticket).filter(Boolean)
    expect(got).toHaveLength(2)
    expect(new Set(got.map((x: any) => x.id)).size).toBe(2)
    await Promise.all(burst.map((r, i) => (r.body.ticket ? staff[i]!.post(`/api/console/bookings/tickets/${r.body.ticket.id}/complete`) : null)))

    // Twelve numbers worked off by three windows calling as fast as they can.
    for (let i = 0; i < 12; i++) await s.window.post('/api/console/bookings/walk-ins', { officeId: o.id, serviceId: ids.licence })
    const served: string[][] = [[], [], []]
    await Promise.all(
      staff.map(async (c, i) => {
        for (;;) {
          const r = await c.post(`/api/console/bookings/windows/${windows[i]!.id}/call-next`)
          expect(r.status).toBe(200)
          if (!r.body.ticket) return
          served[i]!.push(r.body.ticket.number)
          expect((await c.post(`/api/console/bookings/tickets/${r.body.ticket.id}/complete`)).status).toBe(200)
        }
      }),
    )
    const all = served.flat()
    expect(all).toHaveLength(12)
    expect(new Set(all).size).toBe(12)
    // A double press at one window: one call, one refusal.
    await s.window.post('/api/console/bookings/walk-ins', { officeId: o.id, serviceId: ids.licence })
    await s.window.post('/api/console/bookings/walk-ins', { officeId: o.id, serviceId: ids.licence })
    const twice = await Promise.all([0, 1].map(() => s.window.post(`/api/console/bookings/windows/${windows[0]!.id}/call-next`)))
    expect(twice.map((r) => r.status).sort()).toEqual([200, 409])
    expect(twice.find((r) => r.status === 409)?.body.error.code).toBe('window_busy')
  })
})

describe('window console', () => {
  it('calls again, skips, requeues, transfers and completes; the booking follows; ratings get a hook', async () => {
    const { office: o, ids, windows } = await office(2)
    const svc = ids.licence as string
    t.now.value = cn(DAY, '08:00')
    const A = await booked(o.id, svc, '09:00', 0)
    let s = await staffAt('08:58')
    await A.c.post(`/api/bookings/${A.b.id}/check-in`)
    const [w1, w2] = [windows[0]!.id, windows[1]!.id]
    // Not signed in: no calling.
    const refused = await s.window.post(`/api/console/bookings/windows/${w1}/call-next`)
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('not_signed_in')
    await s.window.post(`/api/console/bookings/windows/${w1}/sign-in`, {})
    const occupied = await s.window2.post(`/api/console/bookings/windows/${w1}/sign-in`, {})
    expect(occupied.status).toBe(409)
    expect(occupied.body.error.code).toBe('window_occupied')
    await s.window2.post(`/api/console/bookings/windows/${w2}/sign-in`, {})
    const walkIn = (await s.window.post('/api/console/bookings/walk-ins', { officeId: o.id, serviceId: svc })).body

    t.now.value = cn(DAY, '09:00')
    events.length = 0
    let tk = (await s.window.post(`/api/console/bookings/windows/${w1}/call-next`)).body.ticket
    expect(tk).toMatchObject({ number: 'C001', state: 'called', windowNumber: 1, callCount: 1 })
    const again = await s.window.post(`/api/console/bookings/tickets/${tk.id}/recall`)
    expect(again.body).toMatchObject({ state: 'called', callCount: 2 })
    await new Promise((r) => setTimeout(r, 20))
    const calls = events.filter((e) => e.type === 'queue.called')
    expect(calls).toHaveLength(2)
    expect(calls[0]?.audience.channels).toEqual([`hall:${o.id}`])
    expect(calls[0]?.data).toMatchObject({ number: 'C001', windowNumber: 1 })
    expect(JSON.stringify(calls)).not.toContain(A.b.code)
    // The other window cannot act on window 1's ticket.
    expect((await s.window2.post(`/api/console/bookings/tickets/${tk.id}/complete`)).status).toBe(409)

    const skipped = await s.window.post(`/api/console/bookings/tickets/${tk.id}/skip`)
    expect(skipped.body.state).toBe('no_show')
    expect((await A.c.get(`/api/bookings/${A.b.id}`)).body.state).toBe('missed')
    const back = await s.window.post(`/api/console/bookings/tickets/${tk.id}/requeue`)
    expect(back.body).toMatchObject({ state: 'waiting', onTime: false })
    expect((await A.c.get(`/api/bookings/${A.b.id}`)).body.state).toBe('checked_in')

    // The walk-in came first now: the requeued number goes to the back.
    const next = (await s.window.post(`/api/console/bookings/windows/${w1}/call-next`)).body.ticket
    expect(next.number).toBe(walkIn.number)
    await s.window.post(`/api/console/bookings/tickets/${next.id}/complete`)
    tk = (await s.window.post(`/api/console/bookings/windows/${w1}/call-next`)).body.ticket
    expect(tk.number).toBe('C001')
    // Another walk-in waits; the transferred ticket still goes first at window 2.
    await s.window.post('/api/console/bookings/walk-ins', { officeId: o.id, serviceId: svc })
    const moved = await s.window.post(`/api/console/bookings/tickets/${tk.id}/transfer`, { windowId: w2 })
    expect(moved.status).toBe(200)
    expect(moved.body).toMatchObject({ number: 'C001', state: 'waiting', targetWindowId: w2, windowNumber: 2 })
    const q2 = (await s.window2.get(`/api/console/bookings/windows/${w2}/queue`)).body
    expect(q2.waiting[0].number).toBe('C001')
    const atTwo = (await s.window2.post(`/api/console/bookings/windows/${w2}/call-next`)).body.ticket
    expect(atTwo).toMatchObject({ id: moved.body.id, number: 'C001' })
    expect((await s.window2.post(`/api/console/bookings/tickets/${atTwo.id}/start`)).body.state).toBe('serving')

    // A failing hook rolls the completion back: the rating invitation and the completion commit together.
    const off = onQueueCompleted(async () => {
      throw new Error('rating store down')
    })
    expect((await s.window2.post(`/api/console/bookings/tickets/${atTwo.id}/complete`)).status).toBe(500)
    off()
    const seen: string[] = []
    const off2 = onQueueCompleted(async (_ctx, done) => {
      seen.push(done.id)
    })
    s = await staffAt('09:20')
    const done = await s.window2.post(`/api/console/bookings/tickets/${atTwo.id}/complete`)
    off2()
    expect(done.body).toMatchObject({ state: 'done' })
    expect(seen).toEqual([atTwo.id])
    const record = await getCompletedTicket(t.deps.database.db, atTwo.id)
    expect(record).toMatchObject({ number: 'C001', windowNumber: 2, servedBy: refs.staff.window2, bookingId: A.b.id, officeId: o.id })
    await new Promise((r) => setTimeout(r, 20))
    expect(events.some((e) => e.type === 'queue.completed' && e.data.ticketId === atTwo.id)).toBe(true)
    const detail = (await A.c.get(`/api/bookings/${A.b.id}`)).body
    expect(detail).toMatchObject({ state: 'done', ticket: { id: atTwo.id, state: 'done' } })
    expect(detail.timeline.map((e: any) => e.action)).toEqual(['create', 'check_in', 'miss', 'requeue', 'transfer', 'complete'])
    await s.window.post(`/api/console/bookings/windows/${w1}/sign-out`)
    await s.window2.post(`/api/console/bookings/windows/${w2}/sign-out`)
  })
})

describe('hall display', () => {
  it('shows numbers and windows without personal data, publicly, and streams calls on hall:<officeId>', async () => {
    const { office: o, ids, windows } = await office(1)
    t.now.value = cn(DAY, '08:00')
    const A = await booked(o.id, ids.licence as string, '09:00', 0)
    const s = await staffAt('08:50')
    await A.c.post(`/api/bookings/${A.b.id}/check-in`)
    await s.window.post('/api/console/bookings/walk-ins', { officeId: o.id, serviceId: ids.licence })
    await s.window.post(`/api/console/bookings/windows/${windows[0]!.id}/sign-in`, {})

    const anon = newClient(t)
    const stream = await t.app.request(`/api/events?channels=hall:${o.id}`)
    expect(stream.status).toBe(200)
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader()
    const decoder = new TextDecoder()
    let text = ''
    const readUntil = async (needle: string) => {
      const deadline = Date.now() + 5000
      while (!text.includes(needle) && Date.now() < deadline) {
        const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), 500))])
        if (chunk && !chunk.done) text += decoder.decode(chunk.value)
      }
      return text.includes(needle)
    }
    expect(await readUntil('event: ready')).toBe(true)
    const called = (await s.window.post(`/api/console/bookings/windows/${windows[0]!.id}/call-next`)).body.ticket
    expect(await readUntil('event: queue.called')).toBe(true)
    expect(text).toContain(`"number":"${called.number}"`)
    await reader.cancel()

    const hall = await anon.get(`/api/queue/hall/${o.id}`)
    expect(hall.status).toBe(200)
    expect(hall.body.windows[0]).toMatchObject({ number: 1, current: { number: called.number, state: 'called' } })
    expect(hall.body.recentCalls[0]).toMatchObject({ number: called.number, windowNumber: 1 })
    expect(hall.body.waitingCount).toBe(1)
    const body = JSON.stringify(hall.body)
    expect(body).not.toContain(A.b.code)
    expect(body).not.toMatch(/测试甲|\d{17}/)

    const stats = (await s.window.get(`/api/console/bookings/stats?officeId=${o.id}`)).body.items[0]
    expect(stats).toMatchObject({ officeId: o.id, issued: 2, waiting: 1, inService: 1, done: 0, bookingsToday: 1, bookingsCheckedIn: 1 })
    await s.window.post(`/api/console/bookings/tickets/${called.id}/complete`)
    await s.window.post(`/api/console/bookings/windows/${windows[0]!.id}/sign-out`)
  })
})
