import { randomUUID } from 'node:crypto'
import { addCalendarDays, toChinaDate } from '@tp/shared/calendar'
import type postgres from 'postgres'
import { insertSessions, makeSessions, type SessionToken } from './db'
import { type CityCounts, citizenUuid, usableCitizens } from './seed-city'

/** Everything the scenarios need: who signs in, which office, slot, windows, and the ids behind them. */
export interface Fixtures {
  today: string
  detachment: string
  officeId: string
  officeUnitId: string
  /** 驾驶证换证 (no vehicle needed): the slot list and the contention slots. */
  licenceServiceId: string
  /** 交通违法处理: the service of the ten windows calling numbers. */
  violationServiceId: string
  /** A date inside the booking window when the hall is open (slot availability). */
  slotDate: string
  /** Citizens with cases in every feature ("my cases", report submit). */
  citizens: SessionToken[]
  dispatcher: SessionToken
  legal: SessionToken
  window: SessionToken
  /** One slot of 200 places and 1,000 citizens without bookings per contention run. */
  contention: { slotId: string; citizens: SessionToken[] }[]
  /** Ten windows of the hall, each with its own signed-in window staff member. */
  windows: { id: string; number: number; staff: SessionToken }[]
}

export const CONTENTION_PLACES = 200
export const CONTENTION_ATTEMPTS = 1_000
export const CALLING_WINDOWS = 10

type Sql = postgres.Sql

/** Creates the fixtures in the seeded bench database (sessions written straight into `sessions`). */
export async function createFixtures(sql: Sql, counts: CityCounts, opts: { contentionRuns: number; citizenSessions: number }): Promise<Fixtures> {
  const now = new Date()
  const today = toChinaDate(now)
  const exec = (q: string, params: unknown[]) => sql.unsafe(q, params as never[])
  const [det] = await sql<{ id: string }[]>`select id from units where parent_id is null`
  const [office] = await sql<{ id: string; unit_id: string }[]>`select id, unit_id from offices where kind = 'vehicle_office' order by created_at limit 1`
  const [licence] = await sql<{ id: string }[]>`select id from services where code = 'licence'`
  const [violation] = await sql<{ id: string }[]>`select id from services where code = 'violation'`
  if (!det || !office || !licence || !violation) throw new Error('demo data missing')
  const staffId = async (username: string) => {
    const [r] = await sql<{ id: string }[]>`select id from staff where username = ${username}`
    if (!r) throw new Error(`no staff ${username}`)
    return r.id
  }

  // The next date after today with open slots of the licence service at the hall.
  const [open] = await sql<{ date: string }[]>`
    select date from slots where office_id = ${office.id} and service_id = ${licence.id} and date > ${today} and capacity > 0
    group by date order by date limit 1`
  const slotDate = open?.date ?? addCalendarDays(today, 1)

  // Citizens with data in every feature: spread over the range the city seed fills.
  const usable = usableCitizens(counts)
  const step = Math.max(1, Math.floor(usable / opts.citizenSessions))
  const citizens = makeSessions(Array.from({ length: Math.min(opts.citizenSessions, usable) }, (_, i) => citizenUuid(1 + i * step)))
  await insertSessions(exec, 'citizen', citizens)
  const [dispatcher, legal, window] = makeSessions(await Promise.all(['dispatcher', 'legal', 'window'].map(staffId))) as SessionToken[]
  await insertSessions(exec, 'staff', [dispatcher as SessionToken, legal as SessionToken, window as SessionToken])

  // Contention: a fresh slot on the open date per run (its own starting time before the day's
  // first slot) and a fresh thousand citizens from the reserved range.
  const contention: Fixtures['contention'] = []
  const reservedFrom = usable + 1
  const [template] = await sql<{ starts_at: Date }[]>`
    select starts_at from slots where office_id = ${office.id} and service_id = ${licence.id} and date = ${slotDate} order by starts_at limit 1`
  if (!template) throw new Error(`no slot on ${slotDate}`)
  for (let r = 0; r < opts.contentionRuns; r++) {
    const startsAt = new Date(template.starts_at.getTime() - (r + 1) * 60_000)
    const hhmm = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(11, 16)
    const [slot] = await sql<{ id: string }[]>`
      insert into slots (office_id, service_id, date, start_time, end_time, starts_at, ends_at, capacity, booked)
      values (${office.id}, ${licence.id}, ${slotDate}, ${hhmm(startsAt)}, ${hhmm(template.starts_at)}, ${startsAt}, ${template.starts_at}, ${CONTENTION_PLACES}, 0)
      returning id`
    const ids = Array.from({ length: CONTENTION_ATTEMPTS }, (_, i) => citizenUuid(reservedFrom + r * CONTENTION_ATTEMPTS + i))
    const people = makeSessions(ids)
    await insertSessions(exec, 'citizen', people)
    contention.push({ slotId: (slot as { id: string }).id, citizens: people })
  }
  const reservedUsed = opts.contentionRuns * CONTENTION_ATTEMPTS
  if (reservedFrom + reservedUsed - 1 > counts.citizens) throw new Error(`not enough reserved citizens for ${opts.contentionRuns} contention runs`)

  // Ten windows (101–110) for the violation service, each with a window staff member signed in.
  const windows: Fixtures['windows'] = []
  for (let i = 0; i < CALLING_WINDOWS; i++) {
    const id = randomUUID()
    const [s] = await sql<{ id: string }[]>`
      insert into staff (username, name, role, unit_id, password_hash)
      values (${`bench_window_${i + 1}`}, ${`窗口${i + 1}`}, 'window_staff', ${office.unit_id}, 'x') returning id`
    const staff = s as { id: string }
    await sql`insert into service_windows (id, office_id, number, label, staff_id, signed_in_at) values (${id}, ${office.id}, ${101 + i}, '违法处理', ${staff.id}, now())`
    await sql`insert into window_services (window_id, service_id) values (${id}, ${violation.id})`
    const [session] = makeSessions([staff.id]) as [SessionToken]
    await insertSessions(exec, 'staff', [session])
    windows.push({ id, number: 101 + i, staff: session })
  }

  return {
    today,
    detachment: det.id,
    officeId: office.id,
    officeUnitId: office.unit_id,
    licenceServiceId: licence.id,
    violationServiceId: violation.id,
    slotDate,
    citizens,
    dispatcher: dispatcher as SessionToken,
    legal: legal as SessionToken,
    window: window as SessionToken,
    contention,
    windows,
  }
}

/** Waiting numbers for the calling windows (today, violation service), replacing any left over. */
export async function resetWaitingTickets(sql: Sql, f: Fixtures, count: number): Promise<void> {
  await sql`update queue_tickets set state = 'done', completed_at = now()
            where office_id = ${f.officeId} and date = ${f.today} and state in ('waiting', 'called', 'serving')
              and (service_id = ${f.violationServiceId} or window_id = any(${f.windows.map((w) => w.id)}::uuid[]))`
  await sql`
    insert into queue_tickets (office_id, date, service_id, number, seq, kind, on_time, state, issued_at)
    select ${f.officeId}, ${f.today}, ${f.violationServiceId}, 'E' || lpad((500 + i)::text, 4, '0'), 500 + i, 'walk_in', false, 'waiting',
           now() - interval '1 hour' + i * interval '1 second'
    from generate_series(1, ${count}) i`
}
