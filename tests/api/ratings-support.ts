import { staff } from '@tp/server/modules/identity/identity.tables'
import type { DemoRefs } from '@tp/server/platform/module'
import { chinaTime } from '@tp/shared/calendar'
import { createTestApp, type TestApp } from '../support/app'
import { type Client, citizen, staffUser } from '../support/client'
import { makeOffice, person, slotAt, WEEK } from './bookings-support'

export const cn = (date: string, hhmm: string) => chinaTime(date, hhmm)

/** The whole app with every module's demo data, at a fixed time. */
export async function ratingsApp(now: Date): Promise<{ t: TestApp; refs: Pick<DemoRefs, 'staff'> & { vehicleOffice: string } }> {
  const t = await createTestApp({ seed: true, now })
  const db = t.deps.database.db
  const rows = await db.select({ id: staff.id, username: staff.username, unitId: staff.unitId }).from(staff)
  const ids = Object.fromEntries(rows.map((r) => [r.username, r.id])) as DemoRefs['staff']
  const vehicleOffice = rows.find((r) => r.username === 'window')?.unitId as string
  return { t, refs: { staff: ids, vehicleOffice } }
}

/** Our own hall (in the 车管所 unit, so the demo window staff work it), open 08:00–17:00 every weekday. */
export async function hallOf(t: TestApp, unitId: string, windows = 2, name = '评价测试大厅') {
  const admin = await staffUser(t, 'admin')
  return makeOffice(admin, unitId, {
    name,
    hours: WEEK([{ from: '08:00', to: '17:00' }], [{ from: '08:00', to: '17:00' }]),
    codes: ['licence'],
    windows: Array.from({ length: windows }, (_, i) => ({ number: i + 1, codes: ['licence'] })),
  })
}

export async function ok<T = any>(p: Promise<{ status: number; body: T }>, status = 200): Promise<T> {
  const r = await p
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`)
  return r.body
}

export interface Hall {
  office: { id: string }
  windows: { id: string; number: number }[]
  ids: Record<string, string>
}

let phone = 13610000000

export interface Booked {
  c: Client
  booking: { id: string; code: string; startsAt: string }
}

/** Citizens book the slots at `times` on `day`, with the clock where it is (at least 30 minutes before). */
export async function prebook(t: TestApp, hall: Hall, day: string, times: string[]): Promise<Booked[]> {
  const out: Booked[] = []
  for (const time of times) {
    const c = await citizen(t, String(phone++))
    const slot = await slotAt(c, hall.office.id, hall.ids.licence as string, day, time)
    const booking = await ok(c.post('/api/bookings', { slotId: slot.id, ...person(phone % 3) }), 201)
    out.push({ c, booking })
  }
  return out
}

/** Moves the clock forward only (tests never go back in time). */
export function advanceTo(t: TestApp, when: Date) {
  if (when.getTime() > t.now.value.getTime()) t.now.value = when
}

/**
 * The citizen checks in for their booked slot, and `clerk` (signed in at the window) calls and
 * completes the number: the served, completed ticket.
 */
export async function serveBooked(t: TestApp, hall: Hall, b: Booked, opts: { clerk?: string; window?: number } = {}) {
  advanceTo(t, new Date(b.booking.startsAt))
  await ok(b.c.post(`/api/bookings/${b.booking.id}/check-in`))
  const ticket = await completeNext(t, hall, opts.clerk ?? 'window', opts.window ?? 1)
  return { c: b.c, booking: b.booking, ticket }
}

/** A walk-in number served at the window (no citizen account). */
export async function serveWalkIn(t: TestApp, hall: Hall, opts: { clerk?: string; window?: number } = {}) {
  const clerk = await staffUser(t, opts.clerk ?? 'window')
  await ok(clerk.post('/api/console/bookings/walk-ins', { officeId: hall.office.id, serviceId: hall.ids.licence }), 201)
  return completeNext(t, hall, opts.clerk ?? 'window', opts.window ?? 1)
}

export async function completeNext(t: TestApp, hall: Hall, username: string, windowNumber: number) {
  const clerk = await staffUser(t, username)
  const w = hall.windows.find((x) => x.number === windowNumber) as { id: string }
  await ok(clerk.post(`/api/console/bookings/windows/${w.id}/sign-in`, { takeOver: true }))
  const called = (await ok(clerk.post(`/api/console/bookings/windows/${w.id}/call-next`))).ticket
  if (!called) throw new Error('nobody to call')
  await ok(clerk.post(`/api/console/bookings/tickets/${called.id}/start`))
  // Time passes while serving (the evaluator shows the window's latest completion).
  t.now.value = new Date(t.now.value.getTime() + 2 * 60_000)
  const done = await ok(clerk.post(`/api/console/bookings/tickets/${called.id}/complete`))
  return done as { id: string; number: string; windowId: string }
}

/** Binds an evaluator tablet to a window; returns a function that calls the evaluator API with its token. */
export async function evaluator(t: TestApp, windowId: string, username = 'window') {
  const s = await staffUser(t, username)
  const device = await ok(s.post('/api/console/ratings/devices', { windowId, label: '评价器' }), 201)
  const anon = new (await import('../support/client')).Client(t, '10.9.9.9')
  return {
    device,
    state: () => anon.get(`/api/evaluator/windows/${windowId}`, { 'x-evaluator-token': device.token }),
    rate: (body: Record<string, unknown>, token: string = device.token) =>
      anon.post(`/api/evaluator/windows/${windowId}/ratings`, body, { 'x-evaluator-token': token }),
  }
}
