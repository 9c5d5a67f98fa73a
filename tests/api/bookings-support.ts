import { seedBookings } from '@tp/server/modules/bookings/bookings.seed'
import { seedIdentity } from '@tp/server/modules/identity/identity.seed'
import { citizens } from '@tp/server/modules/identity/identity.tables'
import { createSession } from '@tp/server/modules/identity/sessions'
import { systemCtx } from '@tp/server/platform/context'
import type { DomainEvent } from '@tp/server/platform/events'
import type { DemoRefs } from '@tp/server/platform/module'
import { chinaTime } from '@tp/shared/calendar'
import { createTestApp, type TestApp } from '../support/app'
import { type Client, newClient } from '../support/client'

/** China wall-clock time as an instant. */
export const cn = (date: string, hhmm: string) => chinaTime(date, hhmm)

/**
 * A fresh app at a fixed time with only the identity and bookings demo data (other features'
 * seeds stay out of these tests), and a log of the live events it publishes.
 */
export async function bookingsApp(now: Date): Promise<{ t: TestApp; refs: DemoRefs; events: DomainEvent[] }> {
  const t = await createTestApp({ now })
  let refs: DemoRefs | undefined
  await t.deps.database.db.transaction(async (tx) => {
    const ctx = systemCtx(t.deps, tx)
    refs = await seedIdentity(ctx)
    await seedBookings(ctx, refs)
  })
  const events: DomainEvent[] = []
  t.deps.bus.subscribe((e) => events.push(e))
  return { t, refs: refs as DemoRefs, events }
}

export const IDS = ['11010519491231002X', '440305198506121237', '510107199202140011', '11010819780923456X']

/** Citizens created straight in the database with a session each (for many-user tests). */
export async function manyCitizens(t: TestApp, n: number, prefix = '1990'): Promise<Client[]> {
  const db = t.deps.database.db
  const rows = await db
    .insert(citizens)
    .values(Array.from({ length: n }, (_, i) => ({ phone: `${prefix}${String(i).padStart(7, '0')}`, name: `市民${i}` })))
    .returning({ id: citizens.id })
  const out: Client[] = []
  for (const r of rows) {
    const s = await createSession(db, { type: 'citizen', id: r.id }, 30 * 86_400_000, t.deps.clock())
    const c = newClient(t)
    c.cookie = `tp_sid=${s.token}`
    c.csrf = s.csrfToken
    out.push(c)
  }
  return out
}

export async function serviceIds(c: Client): Promise<Record<string, string>> {
  const res = await c.get('/api/console/bookings/services')
  return Object.fromEntries(res.body.items.map((s: { code: string; id: string }) => [s.code, s.id]))
}

export const WEEK = (periods: { from: string; to: string }[], saturday: { from: string; to: string }[] = []) => [
  [],
  periods,
  periods,
  periods,
  periods,
  periods,
  saturday,
]

/** An office of our own (in the 车管所 unit, so the demo window staff can work it), created through the API. */
export async function makeOffice(
  admin: Client,
  unitId: string,
  opts: { hours: unknown; codes: string[]; windows: { number: number; codes: string[] }[]; slotMinutes?: number; name?: string },
) {
  const ids = await serviceIds(admin)
  const created = await admin.post('/api/console/bookings/offices', {
    unitId,
    name: opts.name ?? '测试大厅',
    kind: 'branch_hall',
    address: '测试路 1 号',
    position: { lat: 30.6, lng: 104.1 },
    hours: opts.hours,
    slotMinutes: opts.slotMinutes ?? 30,
  })
  if (created.status !== 201) throw new Error(`office: ${created.status} ${JSON.stringify(created.body)}`)
  const office = created.body
  const offered = await admin.put(`/api/console/bookings/offices/${office.id}/services`, { serviceIds: opts.codes.map((c) => ids[c]) })
  if (offered.status !== 200) throw new Error(`services: ${offered.status} ${JSON.stringify(offered.body)}`)
  const windows: { id: string; number: number }[] = []
  for (const w of opts.windows) {
    const res = await admin.post(`/api/console/bookings/offices/${office.id}/windows`, { number: w.number, serviceIds: w.codes.map((c) => ids[c]) })
    if (res.status !== 201) throw new Error(`window: ${res.status} ${JSON.stringify(res.body)}`)
    windows.push(res.body)
  }
  return { office, windows, ids }
}

export async function slotsOf(c: Client, officeId: string, serviceId: string, date: string) {
  const res = await c.get(`/api/slots?officeId=${officeId}&serviceId=${serviceId}&date=${date}`)
  if (res.status !== 200) throw new Error(`slots: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.items as { id: string; startTime: string; remaining: number; capacity: number; bookable: boolean }[]
}

export async function slotAt(c: Client, officeId: string, serviceId: string, date: string, startTime: string) {
  const s = (await slotsOf(c, officeId, serviceId, date)).find((x) => x.startTime === startTime)
  if (!s) throw new Error(`no slot ${date} ${startTime}`)
  return s
}

export const person = (i: number) => ({ name: `测试${'甲乙丙丁戊己庚辛'[i % 8]}`, idNumber: IDS[i % IDS.length] as string })
