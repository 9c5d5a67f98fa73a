/**
 * The ceiling: a minimal Hono + postgres.js server with one endpoint per scenario that runs the
 * same SQL statements the portal issues for it (bench/ceiling-sql.ts, copied from the portal and
 * checked for drift every run), in the same order and transactions, with no auth, validation,
 * logging or response shaping beyond a small JSON. The bench holds the portal against it.
 *
 *   DATABASE_URL=postgres://… PORT=… node --import tsx bench/ceiling.ts
 */
import { createHash, randomInt, randomUUID } from 'node:crypto'
import { serve } from '@hono/node-server'
import { LIST_TOTAL_CAP } from '@tp/shared'
import { type Context, Hono } from 'hono'
import postgres from 'postgres'
import * as Q from './ceiling-sql'

const url = process.env.DATABASE_URL
if (!url) throw new Error('DATABASE_URL is required')
// The portal's pool is 10 connections: the ceiling gets the same.
const sql = postgres(url, { max: Number(process.env.CEILING_POOL ?? 10), onnotice: () => {} })
type Tx = postgres.TransactionSql | postgres.Sql

/** One statement, prepared (postgres.js names it per connection), with positional parameters. */
const q = <T = Record<string, unknown>>(db: Tx, text: string, params: unknown[] = []) =>
  db.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true }) as unknown as Promise<T[]>

// The dispatcher's and legal officer's unit scope (both sit at the root detachment): resolved once,
// as the portal caches it per session.
const [root] = await sql<{ id: string }[]>`select id from units where parent_id is null`
const scope = (await sql<{ id: string }[]>`select id from units where ${root?.id ?? ''} = any(path)`).map((r) => r.id)

const HOUR = 3_600_000
const hourStart = (now: Date) => new Date(Math.floor(now.getTime() / HOUR) * HOUR).toISOString()
const chinaDate = (d: Date) => new Date(d.getTime() + 8 * HOUR).toISOString().slice(0, 10)
const rateHit = (db: Tx, bucket: string, now: Date) => q(db, Q.RATE_HIT, [bucket, hourStart(now), 1])
const rateHitTwo = (account: string, ip: string, now: Date) => q(sql, Q.RATE_HIT_TWO, [account, hourStart(now), 1, ip, hourStart(now), 1])

/** The portal's nearby box (shared/src/reports/geo.ts boxAround). */
function boxAround(p: { lat: number; lng: number }, radiusM: number) {
  const dLat = radiusM / 110_000
  const edge = Math.min(89.9, Math.abs(p.lat) + dLat)
  const dLng = radiusM / (110_000 * Math.max(0.01, Math.cos((edge * Math.PI) / 180)))
  return { minLat: p.lat - dLat, maxLat: p.lat + dLat, minLng: p.lng - dLng, maxLng: p.lng + dLng }
}

/**
 * As the portal's event bus after a successful write (live dispatch, hall display, the citizen's
 * page): one NOTIFY per domain event on the bus channel, sent after the commit and not awaited by
 * the answer. Its payload has the portal event's shape.
 */
function publish(type: string, audience: Record<string, string[]>, data: Record<string, unknown>) {
  void sql.notify(EVENTS, JSON.stringify({ type, audience, data, at: Date.now() })).catch(() => {})
}
// Its own channel, listened to as the portal listens to its bus (and not delivered to the portal beside it).
const EVENTS = 'tp_ceiling_events'
await sql.listen(EVENTS, (payload) => JSON.parse(payload))

class Refused extends Error {
  constructor(
    readonly status: 404 | 409,
    readonly code: string,
  ) {
    super(code)
  }
}

/** A stored Idempotency-Key: the first response again (as the portal, once its insert found the key, or on an early refusal: `absent`). */
async function replay(c: Context, scopeKey: string, key: string, absent = new Refused(409, 'idempotency_in_progress')) {
  const [row] = await q<{ status: number; body: string }>(sql, Q.IDEM_FIND, [scopeKey, key])
  if (!row) throw absent
  return c.body(row.body, row.status as 201, { 'content-type': 'application/json' })
}

const app = new Hono()
app.onError((err, c) => (err instanceof Refused ? c.json({ error: { code: err.code } }, err.status) : c.json({ error: String(err) }, 500)))

app.get('/hello', (c) => c.text('hello'))

app.get('/c/my-cases', async (c) => {
  const citizen = c.req.query('citizen') as string
  const now = new Date()
  // As the portal: every list at once, the kinds beside the reports, the two rating lists side by side.
  const [[, reports], appeals, bookings, [followUps, invitations]] = await Promise.all([
    Promise.all([q(sql, Q.KINDS_ALL), q<{ id: string; number: string; state: string; updated_at: Date }>(sql, Q.REPORTS_MINE, [citizen, 'merged', 50])]),
    q<{ id: string; number: string; state: string; updated_at: Date }>(sql, Q.APPEALS_MINE, [citizen, 50]),
    q<{ id: string; code: string; state: string; updated_at: Date }>(sql, Q.BOOKINGS_MINE, [citizen, 50]),
    Promise.all([
      q<{ ticket_id: string; number: string; state: string }>(sql, Q.FOLLOWUPS_MINE, [citizen, 50]),
      q<{ ticket_id: string }>(sql, Q.INVITATIONS_MINE, [citizen, now.toISOString(), 20]),
    ]),
  ])
  const ratings = [...followUps, ...invitations]
  const rows = [...reports, ...appeals, ...bookings, ...ratings] as { id?: string; ticket_id?: string; state?: string }[]
  return c.json({ items: rows.map((r) => ({ id: r.id ?? r.ticket_id, state: r.state ?? 'to_rate' })) })
})

app.post('/c/reports', async (c) => {
  const { citizenId, key, report, ip } = await c.req.json()
  const now = new Date()
  await rateHitTwo(`report-submit:citizen:${citizenId}`, `report-submit:ip:${ip}`, now)
  const scopeKey = `citizen:${citizenId} POST /c/reports`
  const hash = createHash('sha256').update(JSON.stringify(report)).digest('hex')
  let created = null as Record<string, unknown> | null
  const body = await sql.begin(async (tx) => {
    const [claimed] = await q(tx, Q.IDEM_INSERT, [scopeKey, key, hash, 0, '', ''])
    if (!claimed) return null
    // As the portal: independent statements side by side (pipelined on the transaction's connection).
    const [, [kind]] = await Promise.all([
      rateHit(tx, `report-create:${citizenId}`, now),
      q<{ config: { code: string; course: string } }>(tx, Q.KIND_BY_CODE, [report.kind]),
    ])
    const [[grid], [seq]] = await Promise.all([
      q<{ id: string; unit_id: string; name: string }>(tx, Q.GRIDS_AT, [true, report.lat, report.lat, report.lng, report.lng]),
      q<{ n: string }>(tx, Q.NEXT_REPORT_NUMBER),
    ])
    const at = now.toISOString()
    const number = `R${chinaDate(now).slice(2).replaceAll('-', '')}${(seq?.n ?? '0').padStart(5, '0')}`
    const [row] = await q<{ id: string; unit_id: string }>(tx, Q.REPORT_INSERT, [
      number,
      kind?.config.code,
      kind?.config.course,
      'submitted',
      'open',
      'h5',
      citizenId,
      null,
      null,
      report.lat,
      report.lng,
      report.locationSource,
      report.address,
      report.roadName ?? null,
      grid?.id ?? null,
      grid?.unit_id ?? null,
      report.description,
      null,
      JSON.stringify(report.attributes ?? {}),
      at,
      null,
      new Date(now.getTime() + 5 * 60_000).toISOString(),
      'accepted',
      null,
      0,
      null,
      null,
      at,
      at,
    ])
    const r = row as { id: string; unit_id: string }
    // As the portal: the answer is built from the rows just written, with the unit's name read alongside.
    const [[event], , , [unit]] = await Promise.all([
      q<{ id: string }>(tx, Q.REPORT_EVENT_INSERT, [
        r.id,
        at,
        'submit',
        'citizen',
        citizenId,
        'citizen',
        null,
        null,
        'submitted',
        null,
        false,
        JSON.stringify({ gridName: grid?.name }),
      ]),
      q(tx, Q.AUDIT_INSERT, ['citizen', citizenId, 'citizen', r.unit_id, 'report', r.id, 'report.create', null, JSON.stringify({ number }), randomUUID(), ip]),
      q(tx, Q.NOTIFY_INSERT, ['citizen', citizenId, 'reports.notify.submitted', JSON.stringify({ number }), `/reports/${r.id}`]),
      q<{ name: string }>(tx, Q.UNIT_NAME, [r.unit_id]),
    ])
    const timeline = [{ id: event?.id, at, action: 'submit', actorRole: 'citizen', fromState: null, toState: 'submitted', note: null, attachments: [] }]
    const out = JSON.stringify({ ...r, gridName: grid?.name ?? null, unitName: unit?.name ?? null, officerName: null, photos: [], timeline })
    created = r
    await q(tx, Q.IDEM_STORE, [201, out, 'application/json', scopeKey, key])
    return out
  })
  if (created) {
    const { id, number, kind, state, state_type, unit_id, grid_id, version, address, due_at } = created
    publish(
      'report.created',
      { unitIds: [String(unit_id)], citizenIds: [citizenId], staffIds: [] },
      { id, number, kind, state, stateType: state_type, unitId: unit_id, gridId: grid_id, version, address, dueAt: due_at },
    )
  }
  return body === null ? replay(c, scopeKey, key) : c.body(body, 201, { 'content-type': 'application/json' })
})

app.get('/c/nearby', async (c) => {
  const p = { lat: Number(c.req.query('lat')), lng: Number(c.req.query('lng')) }
  const [kind] = await q<{ config: { code: string; nearbyRadiusM: number } }>(sql, Q.KIND_BY_CODE, [c.req.query('kind')])
  const radius = kind?.config.nearbyRadiusM ?? 200
  const box = boxAround(p, radius)
  const rows = await q<{ id: string; number: string; lat: number; lng: number }>(sql, Q.NEARBY, [
    kind?.config.code,
    'open',
    box.minLat,
    box.maxLat,
    box.minLng,
    box.maxLng,
    // As the portal: nearest first by a flat-earth distance, twice the 20 answered.
    p.lat,
    p.lat,
    p.lng,
    p.lng,
    Math.cos((p.lat * Math.PI) / 180) ** 2,
    40,
  ])
  return c.json({ items: rows.slice(0, 20).map((r) => ({ id: r.id, number: r.number, lat: r.lat, lng: r.lng })) })
})

app.get('/c/dispatcher-queue', async (c) => {
  const rows = await q<{ id: string }>(sql, Q.CONSOLE_REPORTS, [...scope, 'congestion', 'open', 21])
  return c.json({ items: rows.slice(0, 20) })
})

app.get('/c/legal-queue', async (c) => {
  const where = [...scope]
  const now = new Date().toISOString()
  // As the portal: the capped count (cap + 1) and the page (20 + 1) side by side.
  const [[total], rows] = await Promise.all([
    q<{ count: string }>(sql, Q.APPEALS_COUNT, [...where, now, LIST_TOTAL_CAP + 1]),
    q(sql, Q.APPEALS_PAGE, [...where, now, 21]),
  ])
  return c.json({ items: rows.slice(0, 20), total: Math.min(Number(total?.count ?? 0), LIST_TOTAL_CAP) })
})

app.get('/c/slots', async (c) => {
  const officeId = c.req.query('officeId') as string
  const serviceId = c.req.query('serviceId') as string
  const date = c.req.query('date') as string
  // As the portal: the office, service, policy and day rules side by side, then the day's slots.
  await Promise.all([
    q(sql, Q.OFFICE_BY_ID, [officeId]),
    q(sql, Q.SERVICE_OFFERED, [officeId, serviceId, true]),
    q(sql, Q.POLICY, ['default']),
    q(sql, Q.CALENDAR),
    q(sql, Q.DAY_OVERRIDES, [officeId, date]),
  ])
  const rows = await q<{ id: string; start_time: string; capacity: number; booked: number }>(sql, Q.SLOTS_OF_DAY, [officeId, serviceId, date])
  return c.json({ items: rows.map((r) => ({ id: r.id, startTime: r.start_time, remaining: Math.max(0, r.capacity - r.booked) })) })
})

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'

/** As the portal: the slot judged from one joined read beside the policy and the calendar. */
const judgeSlot = (db: Tx, slotId: string) =>
  Promise.all([q<Record<string, string | number | null>>(db, Q.BOOKABLE_SLOT, [slotId]), q(db, Q.POLICY, ['default']), q(db, Q.CALENDAR)])

app.post('/c/bookings', async (c) => {
  const { citizenId, key, booking, ip } = await c.req.json()
  const now = new Date()
  await rateHitTwo(`booking-create:citizen:${citizenId}`, `booking-create:ip:${ip}`, now)
  const scopeKey = `citizen:${citizenId} POST /c/bookings`
  const hash = createHash('sha256').update(JSON.stringify(booking)).digest('hex')
  // As the portal: a full slot is refused before any transaction (judged to say why), unless a response is stored under the key.
  const [fullness] = await q(sql, Q.SLOT_FULLNESS, [booking.slotId])
  if (fullness && Object.values(fullness)[0] === true) {
    const [[slot]] = await judgeSlot(sql, booking.slotId)
    return replay(c, scopeKey, key, new Refused(slot ? 409 : 404, slot ? 'slot_full' : 'not_found'))
  }
  let booked = null as { id: string; officeId: string; date: string; unitId: string } | null
  const body = await sql.begin(async (tx) => {
    const [claimed] = await q(tx, Q.IDEM_INSERT, [scopeKey, key, hash, 0, '', ''])
    if (!claimed) return null
    const [[slot]] = await judgeSlot(tx, booking.slotId)
    if (!slot) throw new Refused(404, 'not_found')
    if (Number(slot.booked) >= Number(slot.capacity)) throw new Refused(409, 'slot_full')
    await q(tx, Q.CITIZEN_LOCK, [citizenId])
    const since = new Date(now.getTime() - 400 * 86_400_000).toISOString()
    const [facts] = await q<{ same_id: string | null }>(tx, Q.CITIZEN_FACTS, [
      citizenId,
      since,
      citizenId,
      slot.service_id,
      'booked',
      'checked_in',
      citizenId,
      'booked',
      'checked_in',
    ])
    if (facts?.same_id) throw new Refused(409, 'already_booked')
    let code = ''
    for (let i = 0; i < 8; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]
    const at = now.toISOString()
    const id = randomUUID()
    const when = `${slot.date} ${slot.start_time}-${slot.end_time}`
    // As the portal: one statement takes the place and, only then, writes the booking, its event, audit and inbox rows.
    const took = await q(tx, Q.BOOKING_WRITE, [
      booking.slotId,
      id,
      code,
      citizenId,
      slot.office_id,
      slot.service_id,
      slot.date,
      slot.start_time,
      slot.end_time,
      slot.starts_at,
      slot.ends_at,
      'booked',
      booking.name,
      booking.idNumber,
      booking.plate ?? null,
      at,
      at,
      randomUUID(),
      at,
      'create',
      'citizen',
      'citizen',
      citizenId,
      null,
      'booked',
      when,
      'citizen',
      citizenId,
      'citizen',
      slot.unit_id,
      'booking',
      id,
      'booking.create',
      null,
      JSON.stringify({ code }),
      randomUUID(),
      ip,
      randomUUID(),
      'citizen',
      citizenId,
      'bookings.notify.booked',
      JSON.stringify({ code, when }),
      `/bookings/${id}`,
    ])
    if (took.length !== 1) throw new Refused(409, 'slot_full')
    const out = JSON.stringify({ id, code, slotId: booking.slotId, when })
    await q(tx, Q.IDEM_STORE, [201, out, 'application/json', scopeKey, key])
    booked = { id, officeId: String(slot.office_id), date: String(slot.date), unitId: String(slot.unit_id) }
    return out
  })
  if (booked) {
    // As the portal: the inbox entry's and the booking's live events.
    publish('notification', { citizenIds: [citizenId] }, { id: randomUUID(), messageKey: 'bookings.notify.booked', link: `/bookings/${booked.id}` })
    publish(
      'booking.changed',
      { citizenIds: [citizenId], unitIds: [booked.unitId] },
      { id: booked.id, state: 'booked', officeId: booked.officeId, date: booked.date },
    )
  }
  return body === null ? replay(c, scopeKey, key) : c.body(body, 201, { 'content-type': 'application/json' })
})

app.post('/c/windows/:id/call-next', async (c) => {
  const windowId = c.req.param('id')
  const staffId = c.req.query('staff') as string
  const now = new Date()
  const at = now.toISOString()
  const called = await sql.begin(async (tx) => {
    const [w] = await q<{ office_id: string; unit_id: string; number: number }>(tx, Q.WINDOW_LOCK, [windowId])
    if (!w) throw new Refused(404, 'not_found')
    const [t] = await q<{ id: string; number: string }>(tx, Q.CALL_NEXT, [
      'called',
      windowId,
      at,
      1,
      staffId,
      'waiting',
      w.office_id,
      chinaDate(now),
      windowId,
      windowId,
      windowId,
      'called',
      'serving',
      at,
      at,
      1,
      'waiting',
    ])
    if (!t) {
      // As the portal: only when nothing was called, whether the window is busy.
      const busy = await q(tx, Q.WINDOW_BUSY, [windowId, 'called', 'serving'])
      if (busy.length) throw new Refused(409, 'window_busy')
      return null
    }
    // As the portal: the view read in the transaction, pipelined with the audit row.
    const [, [view]] = await Promise.all([
      q(tx, Q.AUDIT_INSERT, [
        'staff',
        staffId,
        'window_staff',
        w.unit_id,
        'queue_ticket',
        t.id,
        'queue.call',
        null,
        JSON.stringify({ number: t.number, window: w.number, callCount: 1 }),
        randomUUID(),
        '127.0.0.1',
      ]),
      q(tx, Q.TICKET_VIEW, [t.id]),
    ])
    return { view: view ?? null, w, t }
  })
  if (called) {
    const { w, t } = called
    publish(
      'queue.called',
      { unitIds: [w.unit_id], channels: [`hall:${w.office_id}`] },
      { officeId: w.office_id, ticketId: t.id, number: t.number, windowNumber: w.number, callCount: 1, calledAt: at },
    )
  }
  return c.json({ ticket: called?.view ?? null })
})

/** The statements this server runs per scenario (the bench compares them with the portal's). */
app.get('/c/sql', (c) => c.json(Q.SCENARIO_SQL))

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 3100) })
const stop = () => {
  server.close()
  void sql.end({ timeout: 2 }).finally(() => process.exit(0))
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
