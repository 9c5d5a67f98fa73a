import { sendReminders, sweepNoShows } from '@tp/server/modules/bookings/bookings.service'
import { systemCtx } from '@tp/server/platform/context'
import type { DemoRefs } from '@tp/server/platform/module'
import { calendarOverrides, notifications } from '@tp/server/platform/platform.tables'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../support/app'
import { type Client, citizen, staffUser } from '../support/client'
import { expectKeysetWalk } from '../support/keyset'
import { bookingsApp, cn, makeOffice, manyCitizens, person, slotAt, slotsOf, WEEK } from './bookings-support'

let t: TestApp
let refs: DemoRefs
let admin: Client
const START = cn('2026-03-10', '08:00') // a Tuesday

beforeAll(async () => {
  ;({ t, refs } = await bookingsApp(START))
  admin = await staffUser(t, 'admin')
})
afterAll(() => t.close())

/** Moving the clock past the staff idle timeout signs staff out: sign in again after a jump. */
async function at(when: Date) {
  t.now.value = when
  admin = await staffUser(t, 'admin')
}

const MORNING = [{ from: '08:00', to: '12:00' }]

describe('slot capacity from opening hours, windows and durations', () => {
  it('derives places per slot from the windows handling each service, and recomputes when a window is added', async () => {
    await at(START)
    const { office, ids } = await makeOffice(admin, refs.units.vehicleOffice, {
      hours: WEEK([
        { from: '09:00', to: '12:00' },
        { from: '13:30', to: '17:00' },
      ]),
      codes: ['licence', 'registration'],
      windows: [
        { number: 1, codes: ['licence'] },
        { number: 2, codes: ['licence', 'registration'] },
      ],
    })
    const slots = async () => (await admin.get(`/api/console/bookings/offices/${office.id}/slots?date=2026-03-11`)).body.items as any[]
    let all = await slots()
    const lic = all.filter((s) => s.serviceId === ids.licence)
    // 13 half-hour slots; window 1 gives 30 min, window 2 half of its 30 min: 45 min / 15-min service = 3.
    expect(lic).toHaveLength(13)
    expect(lic.every((s) => s.capacity === 3)).toBe(true)
    expect(lic.map((s) => s.startTime)).toEqual([
      '09:00',
      '09:30',
      '10:00',
      '10:30',
      '11:00',
      '11:30',
      '13:30',
      '14:00',
      '14:30',
      '15:00',
      '15:30',
      '16:00',
      '16:30',
    ])
    // Registration (30 min) gets half of window 2: 0.5 a slot, spread as 0,1,0,1…
    let reg = all.filter((s) => s.serviceId === ids.registration)
    expect(reg.map((s) => s.capacity)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0])

    const day = (await admin.get(`/api/slots/availability?officeId=${office.id}&serviceId=${ids.licence}`)).body.items.find((d: any) => d.date === '2026-03-11')
    expect(day).toMatchObject({ open: true, capacity: 39, remaining: 39 })

    const w3 = await admin.post(`/api/console/bookings/offices/${office.id}/windows`, { number: 3, serviceIds: [ids.registration] })
    expect(w3.status).toBe(201)
    all = await slots()
    reg = all.filter((s) => s.serviceId === ids.registration)
    // 0.5 + 1 = 1.5 a slot: 1,2,1,2…, 19 places over 13 slots.
    expect(reg.reduce((n, s) => n + s.capacity, 0)).toBe(19)
    expect(new Set(reg.map((s) => s.capacity))).toEqual(new Set([1, 2]))
  })

  it('lets a per-date override set the capacity, never below what is already booked', async () => {
    await at(START)
    const { office, ids } = await makeOffice(admin, refs.units.vehicleOffice, {
      hours: WEEK(MORNING),
      codes: ['licence'],
      windows: [{ number: 1, codes: ['licence'] }],
    })
    const ov = await admin.post(`/api/console/bookings/offices/${office.id}/capacity-overrides`, {
      date: '2026-03-11',
      serviceId: ids.licence,
      startTime: '09:00',
      capacity: 5,
      reason: '加派人手',
    })
    expect(ov.status).toBe(201)
    const c1 = await citizen(t, '13600000101')
    const c2 = await citizen(t, '13600000102')
    let s = await slotAt(c1, office.id, ids.licence, '2026-03-11', '09:00')
    expect(s.capacity).toBe(5)
    expect((await c1.post('/api/bookings', { slotId: s.id, ...person(0) })).status).toBe(201)
    expect((await c2.post('/api/bookings', { slotId: s.id, ...person(1) })).status).toBe(201)
    // Shrinking below the two booked keeps them: capacity 2, nothing left.
    await admin.post(`/api/console/bookings/offices/${office.id}/capacity-overrides`, {
      date: '2026-03-11',
      serviceId: ids.licence,
      startTime: '09:00',
      capacity: 1,
      reason: '减员',
    })
    s = await slotAt(c1, office.id, ids.licence, '2026-03-11', '09:00')
    expect(s).toMatchObject({ capacity: 2, remaining: 0, bookable: false })
    const list = await admin.get(`/api/console/bookings/offices/${office.id}/capacity-overrides`)
    expect(list.body.items).toHaveLength(1)
  })
})

describe('holidays and closures', () => {
  it('closes official holidays (also a served Saturday), calendar overrides and local closures', async () => {
    await at(cn('2026-09-28', '08:00'))
    const { office, ids } = await makeOffice(admin, refs.units.vehicleOffice, {
      hours: WEEK(MORNING, MORNING),
      codes: ['licence'],
      windows: [{ number: 1, codes: ['licence'] }],
    })
    const c = await citizen(t, '13600000201')
    // A slot on 09-30 is taken out of the view before the closure lands.
    const slot930 = await slotAt(c, office.id, ids.licence, '2026-09-30', '09:00')
    await t.deps.database.db.insert(calendarOverrides).values({ date: '2026-09-29', working: false, name: '临时调整' })
    const closure = await admin.put(`/api/console/bookings/offices/${office.id}/day-overrides`, { date: '2026-09-30', closed: true, reason: '设备检修' })
    expect(closure.status).toBe(200)
    const days = (await c.get(`/api/slots/availability?officeId=${office.id}&serviceId=${ids.licence}`)).body.items
    const byDate = Object.fromEntries(days.map((d: any) => [d.date, d]))
    expect(days.map((d: any) => d.date)).toEqual([
      '2026-09-28',
      '2026-09-29',
      '2026-09-30',
      '2026-10-01',
      '2026-10-02',
      '2026-10-03',
      '2026-10-04',
      '2026-10-05',
    ])
    expect(byDate['2026-09-28']).toMatchObject({ open: true })
    expect(byDate['2026-09-28'].remaining).toBeGreaterThan(0)
    expect(byDate['2026-09-29']).toMatchObject({ open: false, closedReason: 'holiday', holidayName: '临时调整', remaining: 0 })
    expect(byDate['2026-09-30']).toMatchObject({ open: false, closedReason: 'closure', remaining: 0 })
    for (const d of ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-05'])
      expect(byDate[d]).toMatchObject({ open: false, closedReason: 'holiday', holidayName: '国庆节' })
    expect(await slotsOf(c, office.id, ids.licence, '2026-10-01')).toEqual([])
    const refused = await c.post('/api/bookings', { slotId: slot930.id, ...person(0) })
    expect(refused.status).toBe(422)
    expect(refused.body.error.code).toBe('day_closed')
    // Removing the closure reopens the day.
    expect((await admin.delete(`/api/console/bookings/offices/${office.id}/day-overrides/2026-09-30`)).status).toBe(200)
    expect((await c.post('/api/bookings', { slotId: slot930.id, ...person(0) })).status).toBe(201)
    await t.deps.database.db.delete(calendarOverrides).where(eq(calendarOverrides.date, '2026-09-29'))
  })

  it('opens a weekend make-up working day with the weekday hours, and a special Saturday duty', async () => {
    await at(cn('2026-02-09', '08:00'))
    const { office, ids } = await makeOffice(admin, refs.units.vehicleOffice, {
      hours: WEEK(MORNING),
      codes: ['licence'],
      windows: [{ number: 1, codes: ['licence'] }],
    })
    await admin.put(`/api/console/bookings/offices/${office.id}/day-overrides`, {
      date: '2026-02-15',
      closed: false,
      hours: [{ from: '09:00', to: '10:00' }],
      reason: '春节值班',
    })
    const days = (await admin.get(`/api/slots/availability?officeId=${office.id}&serviceId=${ids.licence}`)).body.items
    const byDate = Object.fromEntries(days.map((d: any) => [d.date, d]))
    expect(byDate['2026-02-14']).toMatchObject({ open: true, capacity: 16 })
    expect(byDate['2026-02-15']).toMatchObject({ open: true, capacity: 4 })
    expect(byDate['2026-02-16']).toMatchObject({ open: false, closedReason: 'holiday' })
  })
})

describe('booking window', () => {
  it('offers today through 7 days ahead, refuses too-soon and too-far slots, and honours same-day off', async () => {
    await at(START)
    const { office, ids } = await makeOffice(admin, refs.units.vehicleOffice, {
      hours: WEEK(MORNING, MORNING),
      codes: ['licence'],
      windows: [{ number: 1, codes: ['licence'] }],
    })
    const c = await citizen(t, '13600000301')
    const days = (await c.get(`/api/slots/availability?officeId=${office.id}&serviceId=${ids.licence}`)).body.items
    expect(days[0].date).toBe('2026-03-10')
    expect(days.at(-1).date).toBe('2026-03-17')
    const today = await slotsOf(c, office.id, ids.licence, '2026-03-10')
    // 08:00 has begun; 08:30 is exactly the 30-minute lead.
    expect(today.find((s) => s.startTime === '08:00')?.bookable).toBe(false)
    expect(today.find((s) => s.startTime === '08:30')?.bookable).toBe(true)
    const tooSoon = await c.post('/api/bookings', { slotId: today.find((s) => s.startTime === '08:00')?.id, ...person(0) })
    expect(tooSoon.status).toBe(422)
    expect(tooSoon.body.error.code).toBe('outside_booking_window')
    // Beyond the window: the slot exists (staff can see it) but cannot be booked, nor is it offered.
    expect(await slotsOf(c, office.id, ids.licence, '2026-03-18')).toEqual([])
    const far = (await admin.get(`/api/console/bookings/offices/${office.id}/slots?date=2026-03-18`)).body.items[0]
    const tooFar = await c.post('/api/bookings', { slotId: far.id, ...person(0) })
    expect(tooFar.status).toBe(422)
    expect(tooFar.body.error.code).toBe('outside_booking_window')

    const policy = (await admin.get('/api/console/bookings/policy')).body
    expect(policy).toMatchObject({ daysAhead: 7, maxActive: 3, noShow: { limit: 3, windowDays: 90, blockDays: 30 } })
    expect((await admin.put('/api/console/bookings/policy', { ...policy, sameDay: false, daysAhead: 8 })).status).toBe(200)
    const later = await c.post('/api/bookings', { slotId: today.find((s) => s.startTime === '10:00')?.id, ...person(0) })
    expect(later.status).toBe(422)
    const days8 = (await c.get(`/api/slots/availability?officeId=${office.id}&serviceId=${ids.licence}`)).body.items
    expect([days8[0].date, days8.at(-1).date]).toEqual(['2026-03-11', '2026-03-18'])
    expect((await c.post('/api/bookings', { slotId: far.id, ...person(0) })).status).toBe(201)
    expect((await admin.put('/api/console/bookings/policy', policy)).status).toBe(200)
  })

  it('needs the plate for services that need the vehicle', async () => {
    await at(START)
    const { office, ids } = await makeOffice(admin, refs.units.vehicleOffice, {
      hours: WEEK(MORNING),
      codes: ['inspection'],
      windows: [{ number: 1, codes: ['inspection'] }],
    })
    const c = await citizen(t, '13600000302')
    const s = await slotAt(c, office.id, ids.inspection, '2026-03-11', '09:00')
    const noPlate = await c.post('/api/bookings', { slotId: s.id, ...person(0) })
    expect(noPlate.status).toBe(422)
    expect(noPlate.body.error.code).toBe('plate_required')
    const bad = await c.post('/api/bookings', { slotId: s.id, ...person(0), plate: 'XX123' })
    expect(bad.status).toBe(400)
    const ok = await c.post('/api/bookings', { slotId: s.id, ...person(0), plate: '川a 12345' })
    expect(ok.status).toBe(201)
    expect(ok.body.plate).toBe('川A12345')
    expect(ok.body.idNumberMasked).toBe('1101**********002X')
    expect(JSON.stringify(ok.body)).not.toContain('11010519491231002X')
  })
})

describe('cancellation cut-off', () => {
  it('lets the citizen cancel until the end of the day before, then not', async () => {
    await at(START)
    const { office, ids } = await makeOffice(admin, refs.units.vehicleOffice, {
      hours: WEEK(MORNING),
      codes: ['licence'],
      windows: [{ number: 1, codes: ['licence'] }],
    })
    const c = await citizen(t, '13600000401')
    const s = await slotAt(c, office.id, ids.licence, '2026-03-11', '09:00')
    const b1 = (await c.post('/api/bookings', { slotId: s.id, ...person(0) })).body
    expect(b1.actions).toEqual(expect.arrayContaining(['cancel', 'reschedule']))
    expect(b1.cancelDeadline).toBe(new Date(cn('2026-03-11', '00:00').getTime() - 1).toISOString())
    expect((await slotAt(c, office.id, ids.licence, '2026-03-11', '09:00')).remaining).toBe(1)
    t.now.value = cn('2026-03-10', '23:59')
    const cancelled = await c.post(`/api/bookings/${b1.id}/cancel`)
    expect(cancelled.status).toBe(200)
    expect(cancelled.body.state).toBe('cancelled')
    expect((await slotAt(c, office.id, ids.licence, '2026-03-11', '09:00')).remaining).toBe(2)
    expect((await c.post(`/api/bookings/${b1.id}/cancel`)).status).toBe(409)

    const b2 = (await c.post('/api/bookings', { slotId: s.id, ...person(0) })).body
    t.now.value = cn('2026-03-11', '00:00')
    const late = await c.post(`/api/bookings/${b2.id}/cancel`)
    expect(late.status).toBe(422)
    expect(late.body.error.code).toBe('cutoff_passed')
    const detail = (await c.get(`/api/bookings/${b2.id}`)).body
    expect(detail.state).toBe('booked')
    expect(detail.actions).not.toContain('cancel')
    expect(detail.actions).not.toContain('reschedule')
    const other = await slotAt(c, office.id, ids.licence, '2026-03-11', '10:00')
    expect((await c.post(`/api/bookings/${b2.id}/reschedule`, { slotId: other.id })).status).toBe(422)
  })

  it('follows a configured cut-off of hours before the slot', async () => {
    await at(START)
    const policy = (await admin.get('/api/console/bookings/policy')).body
    await admin.put('/api/console/bookings/policy', { ...policy, cancel: { mode: 'hours_before', hours: 2 } })
    const { office, ids } = await makeOffice(admin, refs.units.vehicleOffice, {
      hours: WEEK(MORNING),
      codes: ['licence'],
      windows: [{ number: 1, codes: ['licence'] }],
    })
    const c = await citizen(t, '13600000402')
    const b = (await c.post('/api/bookings', { slotId: (await slotAt(c, office.id, ids.licence, '2026-03-10', '11:00')).id, ...person(0) })).body
    t.now.value = cn('2026-03-10', '09:01')
    expect((await c.post(`/api/bookings/${b.id}/cancel`)).status).toBe(422)
    t.now.value = cn('2026-03-10', '09:00')
    expect((await c.post(`/api/bookings/${b.id}/cancel`)).status).toBe(200)
    await at(START)
    await admin.put('/api/console/bookings/policy', policy)
  })
})

describe('reschedule', () => {
  it('keeps the old place when the new slot is full, and moves both counters in one step when not', async () => {
    await at(START)
    const { office, ids } = await makeOffice(admin, refs.units.vehicleOffice, {
      hours: WEEK(MORNING),
      codes: ['licence'],
      windows: [{ number: 1, codes: ['licence'] }],
    })
    await admin.post(`/api/console/bookings/offices/${office.id}/capacity-overrides`, {
      date: '2026-03-11',
      serviceId: ids.licence,
      startTime: '10:00',
      capacity: 1,
      reason: '测试',
    })
    const me = await citizen(t, '13600000501')
    const other = await citizen(t, '13600000502')
    const a = await slotAt(me, office.id, ids.licence, '2026-03-11', '09:00')
    const full = await slotAt(me, office.id, ids.licence, '2026-03-11', '10:00')
    const free = await slotAt(me, office.id, ids.licence, '2026-03-11', '11:00')
    const mine = (await me.post('/api/bookings', { slotId: a.id, ...person(0) })).body
    expect((await other.post('/api/bookings', { slotId: full.id, ...person(1) })).status).toBe(201)

    const refused = await me.post(`/api/bookings/${mine.id}/reschedule`, { slotId: full.id })
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('slot_full')
    const kept = (await me.get(`/api/bookings/${mine.id}`)).body
    expect(kept).toMatchObject({ state: 'booked', startTime: '09:00' })
    expect((await slotAt(me, office.id, ids.licence, '2026-03-11', '09:00')).remaining).toBe(1)
    expect((await slotAt(me, office.id, ids.licence, '2026-03-11', '10:00')).remaining).toBe(0)

    const moved = await me.post(`/api/bookings/${mine.id}/reschedule`, { slotId: free.id })
    expect(moved.status).toBe(200)
    expect(moved.body).toMatchObject({ id: mine.id, code: mine.code, state: 'booked', startTime: '11:00' })
    expect((await slotAt(me, office.id, ids.licence, '2026-03-11', '09:00')).remaining).toBe(2)
    expect((await slotAt(me, office.id, ids.licence, '2026-03-11', '11:00')).remaining).toBe(1)
    expect(moved.body.timeline.map((e: any) => e.action)).toEqual(['create', 'reschedule'])
  })

  it('gives the last place to exactly one of two citizens rescheduling into it at once', async () => {
    await at(START)
    const { office, ids } = await makeOffice(admin, refs.units.vehicleOffice, {
      hours: WEEK(MORNING),
      codes: ['licence'],
      windows: [{ number: 1, codes: ['licence'] }],
    })
    await admin.post(`/api/console/bookings/offices/${office.id}/capacity-overrides`, {
      date: '2026-03-12',
      serviceId: ids.licence,
      startTime: '10:00',
      capacity: 1,
      reason: '测试',
    })
    const [x, y] = await manyCitizens(t, 2, '1980')
    const sx = await slotAt(x as Client, office.id, ids.licence, '2026-03-12', '09:00')
    const sy = await slotAt(x as Client, office.id, ids.licence, '2026-03-12', '11:00')
    const target = await slotAt(x as Client, office.id, ids.licence, '2026-03-12', '10:00')
    const bx = (await x?.post('/api/bookings', { slotId: sx.id, ...person(0) }))?.body
    const by = (await y?.post('/api/bookings', { slotId: sy.id, ...person(1) }))?.body
    const results = await Promise.all([
      x?.post(`/api/bookings/${bx.id}/reschedule`, { slotId: target.id }),
      y?.post(`/api/bookings/${by.id}/reschedule`, { slotId: target.id }),
    ])
    expect(results.map((r) => r?.status).sort()).toEqual([200, 409])
    const after = await slotsOf(x as Client, office.id, ids.licence, '2026-03-12')
    const rem = (time: string) => after.find((s) => s.startTime === time)?.remaining
    expect(rem('10:00')).toBe(0)
    // The loser kept the old place; the winner's old place was released.
    expect((rem('09:00') ?? 0) + (rem('11:00') ?? 0)).toBe(after.find((s) => s.startTime === '09:00')!.capacity * 2 - 1)
  })
})

describe('rules per citizen', () => {
  it('allows one active booking per service and caps active bookings', async () => {
    await at(START)
    const { office, ids } = await makeOffice(admin, refs.units.vehicleOffice, {
      hours: WEEK(MORNING),
      codes: ['licence', 'violation', 'remote_violation', 'accident'],
      windows: [
        { number: 1, codes: ['licence'] },
        { number: 2, codes: ['violation'] },
        { number: 3, codes: ['remote_violation'] },
        { number: 4, codes: ['accident'] },
      ],
    })
    const c = await citizen(t, '13600000601')
    const book = async (code: string, time: string) =>
      c.post('/api/bookings', { slotId: (await slotAt(c, office.id, ids[code] as string, '2026-03-12', time)).id, ...person(0) })
    expect((await book('licence', '09:00')).status).toBe(201)
    const again = await book('licence', '10:00')
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('already_booked')
    expect((await book('violation', '09:00')).status).toBe(201)
    expect((await book('remote_violation', '09:00')).status).toBe(201)
    const fourth = await book('accident', '09:00')
    expect(fourth.status).toBe(422)
    expect(fourth.body.error.code).toBe('too_many_active')
    expect((await c.get('/api/bookings/me/strikes')).body).toMatchObject({ activeBookings: 3, maxActive: 3, strikes: 0, blocked: false })
  })

  it('counts no-shows as strikes and blocks booking for 30 days at the third in 90 days', async () => {
    await at(START)
    const { office, ids } = await makeOffice(admin, refs.units.vehicleOffice, {
      hours: WEEK([
        { from: '09:00', to: '12:00' },
        { from: '13:00', to: '17:00' },
      ]),
      codes: ['licence'],
      windows: [{ number: 1, codes: ['licence'] }],
    })
    const c = await citizen(t, '13600000701')
    const miss = async (time: string, sweepAt: string) => {
      const res = await c.post('/api/bookings', { slotId: (await slotAt(c, office.id, ids.licence, '2026-03-10', time)).id, ...person(0) })
      expect(res.status).toBe(201)
      t.now.value = cn('2026-03-10', sweepAt)
      expect(await sweepNoShows(systemCtx(t.deps))).toBeGreaterThanOrEqual(1)
      expect((await c.get(`/api/bookings/${res.body.id}`)).body.state).toBe('no_show')
    }
    t.now.value = cn('2026-03-10', '08:00')
    await miss('09:00', '09:31')
    expect((await c.get('/api/bookings/me/strikes')).body).toMatchObject({ strikes: 1, limit: 3, blocked: false })
    await miss('11:00', '11:31')
    expect((await c.get('/api/bookings/me/strikes')).body).toMatchObject({ strikes: 2, blocked: false })
    await miss('14:00', '14:31')
    const st = (await c.get('/api/bookings/me/strikes')).body
    expect(st).toMatchObject({ blocked: true, strikes: 0, blockDays: 30 })
    expect(st.blockedUntil).toBe(new Date(cn('2026-03-10', '14:30').getTime() + 30 * 86_400_000).toISOString())
    const refused = await c.post('/api/bookings', { slotId: (await slotAt(c, office.id, ids.licence, '2026-03-11', '09:00')).id, ...person(0) })
    expect(refused.status).toBe(422)
    expect(refused.body.error).toMatchObject({ code: 'no_show_blocked', blockedUntil: st.blockedUntil, limit: 3 })
    const kinds = await t.deps.database.db.select({ key: notifications.messageKey }).from(notifications)
    expect(kinds.map((k) => k.key)).toEqual(expect.arrayContaining(['bookings.notify.noShow', 'bookings.notify.blocked']))
    // After the block the citizen may book again (signed in afresh: the session lasts 30 days).
    t.now.value = cn('2026-04-09', '15:00')
    const fresh = await citizen(t, '13600000701')
    const again = await fresh.post('/api/bookings', { slotId: (await slotAt(fresh, office.id, ids.licence, '2026-04-10', '09:00')).id, ...person(0) })
    expect(again.status).toBe(201)
  })
})

describe('calendar file, QR code and reminders', () => {
  it('serves an .ics with alarms and a QR code of the booking code', async () => {
    await at(START)
    const { office, ids } = await makeOffice(admin, refs.units.vehicleOffice, {
      hours: WEEK(MORNING),
      codes: ['licence'],
      windows: [{ number: 1, codes: ['licence'] }],
    })
    const c = await citizen(t, '13600000801')
    const b = (await c.post('/api/bookings', { slotId: (await slotAt(c, office.id, ids.licence, '2026-03-11', '09:00')).id, ...person(0) })).body
    expect(b.qrSvg).toMatch(/^<svg/)
    expect(b.code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/)
    const ics = await c.get(`/api/bookings/${b.id}/ics`)
    expect(ics.status).toBe(200)
    expect(ics.headers.get('content-type')).toContain('text/calendar')
    expect(ics.headers.get('content-disposition')).toContain(`booking-${b.code}.ics`)
    const text = String(ics.body)
    expect(text).toContain('BEGIN:VCALENDAR')
    expect(text).toContain('DTSTART:20260311T010000Z')
    expect(text).toContain('BEGIN:VALARM')
    expect(text).toContain('TRIGGER:-PT1H')
    expect(text).toContain(b.code)
    const stranger = await citizen(t, '13600000802')
    expect((await stranger.get(`/api/bookings/${b.id}/ics`)).status).toBe(404)
    expect((await stranger.get(`/api/bookings/${b.id}`)).status).toBe(404)
  })

  it('reminds once on the day before, not at night', async () => {
    await at(START)
    const { office, ids } = await makeOffice(admin, refs.units.vehicleOffice, {
      hours: WEEK(MORNING),
      codes: ['licence'],
      windows: [{ number: 1, codes: ['licence'] }],
    })
    const c = await citizen(t, '13600000901')
    const b = (await c.post('/api/bookings', { slotId: (await slotAt(c, office.id, ids.licence, '2026-03-12', '09:00')).id, ...person(0) })).body
    t.now.value = cn('2026-03-11', '07:00')
    expect(await sendReminders(systemCtx(t.deps))).toBe(0)
    t.now.value = cn('2026-03-11', '09:00')
    expect(await sendReminders(systemCtx(t.deps))).toBeGreaterThanOrEqual(1)
    expect(await sendReminders(systemCtx(t.deps))).toBe(0)
    const inbox = await t.deps.database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.messageKey, 'bookings.notify.reminder'), eq(notifications.link, `/bookings/${b.id}`)))
    expect(inbox).toHaveLength(1)
    expect(inbox[0]?.params).toMatchObject({ code: b.code })
  })
})

describe('access', () => {
  it('keeps console endpoints to hall staff and configuration to heads and admins', async () => {
    await at(START)
    const c = await citizen(t, '13600001001')
    expect((await c.get('/api/console/bookings/offices')).status).toBe(403)
    const dispatcher = await staffUser(t, 'dispatcher')
    expect((await dispatcher.get('/api/console/bookings/windows')).status).toBe(403)
    const window = await staffUser(t, 'window')
    expect((await window.get('/api/console/bookings/offices')).status).toBe(200)
    const policy = (await window.get('/api/console/bookings/policy')).body
    expect((await window.put('/api/console/bookings/policy', policy)).status).toBe(403)
    expect((await window.post('/api/console/bookings/offices', {})).status).toBe(403)
    const anon = (await staffUser(t, 'head')).get('/api/console/bookings/stats')
    expect((await anon).status).toBe(200)
  })

  it('hides offices outside the staff member’s unit', async () => {
    await at(START)
    const { office } = await makeOffice(admin, refs.units.stations[0] as string, {
      hours: WEEK(MORNING),
      codes: ['licence'],
      windows: [{ number: 1, codes: ['licence'] }],
    })
    const window = await staffUser(t, 'window')
    expect((await window.get(`/api/console/bookings/offices/${office.id}`)).status).toBe(404)
    expect((await window.get('/api/console/bookings/offices')).body.items.map((o: any) => o.id)).not.toContain(office.id)
    expect((await admin.get(`/api/console/bookings/offices/${office.id}`)).status).toBe(200)
  })

  it('rejects unknown fields and invalid ID numbers', async () => {
    await at(START)
    const c = await citizen(t, '13600001002')
    const res = await c.post('/api/bookings', { slotId: '00000000-0000-4000-8000-000000000000', name: '张三', idNumber: '123', extra: 1 })
    expect(res.status).toBe(400)
    const paths = res.body.error.details.map((d: any) => d.path)
    expect(paths).toContain('body.idNumber')
  })
})

describe('demo data', () => {
  it('seeds the 车管所 and two 警务站 with bookings and tickets in every state', async () => {
    await at(START)
    const offices = (await admin.get('/api/console/bookings/offices')).body.items.map((o: any) => o.name)
    expect(offices).toEqual(expect.arrayContaining(['市车辆管理所', '滨江警务站', '高新警务站']))
    const hall = (await admin.get('/api/console/bookings/offices')).body.items.find((o: any) => o.name === '市车辆管理所')
    const tickets = (await admin.get(`/api/console/bookings/offices/${hall.id}/tickets`)).body.items
    expect(new Set(tickets.map((x: any) => x.state))).toEqual(new Set(['waiting', 'called', 'serving', 'done', 'no_show', 'transferred', 'cancelled']))
    const all = (await admin.get('/api/console/bookings/bookings?pageSize=200')).body.items
    for (const s of ['booked', 'checked_in', 'done', 'cancelled', 'no_show', 'missed']) expect(all.map((b: any) => b.state)).toContain(s)
    expect(all.every((b: any) => !/\d{17}/.test(b.idNumberMasked))).toBe(true)
  })

  it('pages the console list by keyset both ways (newest day first, each day in time order), as one long page', async () => {
    await at(START)
    const hall = (await admin.get('/api/console/bookings/offices')).body.items.find((o: any) => o.name === '市车辆管理所')
    const path = `/api/console/bookings/bookings?officeId=${hall.id}`
    const pages = await expectKeysetWalk(admin, path, 3)
    const rows = (await admin.get(`${path}&pageSize=200`)).body.items as { id: string; date: string; startTime: string }[]
    const key = (b: { date: string; startTime: string; id: string }) => [b.date, b.startTime, b.id]
    const sorted = [...rows].sort((a, b) => {
      const [x, y] = [key(a), key(b)]
      return x[0] !== y[0] ? (y[0] as string).localeCompare(x[0] as string) : x[1] !== y[1] ? (x[1] as string).localeCompare(y[1] as string) : 0
    })
    expect(rows.map((b) => [b.date, b.startTime])).toEqual(sorted.map((b) => [b.date, b.startTime]))
    expect(pages.flat()).toHaveLength(rows.length)
    for (const bad of ['not-a-cursor', Buffer.from(JSON.stringify({ sort: 'date', keys: ['x', '09:00', 'nope'], dir: 'next' })).toString('base64url')]) {
      const res = await admin.get(`${path}&cursor=${bad}`)
      expect(res.status).toBe(400)
      expect(res.body.error.details[0].path).toBe('query.cursor')
    }
  })
})
