import { randomInt, randomUUID } from 'node:crypto'
import { type KeysetPage, maskIdCard, maskName, maskPhone, type TimelineEvent } from '@tp/shared'
import { ACTIVE_BOOKING_STATES, type BookingAction, bookingMachine } from '@tp/shared/bookings/machines'
import { orderQueue } from '@tp/shared/bookings/queue'
import {
  CODE_ALPHABET,
  CODE_LENGTH,
  cancelDeadline,
  canSelfCheckIn,
  canStillCancel,
  checkInWindow,
  dayOpening,
  isOnTime,
  normaliseCode,
  noShowStatus,
  whyNotBookable,
} from '@tp/shared/bookings/rules'
import type {
  Booking,
  BookingCreate,
  BookingDetail,
  BookingPolicy,
  ConsoleBooking,
  ConsoleBookingQuery,
  NoShowStatus,
  Period,
  TicketBrief,
} from '@tp/shared/bookings/schemas'
import { addCalendarDays, toChinaDate } from '@tp/shared/calendar'
import { and, asc, count, desc, eq, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm'
import ical, { ICalAlarmType } from 'ical-generator'
import QRCode from 'qrcode'
import { inUnitScope } from '../../platform/access'
import { audit, auditRow } from '../../platform/audit'
import { type Ctx, requireCitizen, withDb } from '../../platform/context'
import { decodeCursor, encodeCursor, keysetSort } from '../../platform/cursor'
import type { Db } from '../../platform/db'
import { AppError, badRequest, conflict, invalidTransition, notFound, unprocessable } from '../../platform/errors'
import { emitNotification, type NotifyInput, notify } from '../../platform/notify'
import { jsonText, prepared } from '../../platform/prepared'
import { inTransaction, pipeline } from '../../platform/tx'
import { citizens } from '../identity/identity.tables'
import { bookingEvents, bookings, offices, queueTickets, services, serviceWindows, slots } from './bookings.tables'
import {
  actorFields,
  type BookingEventRow,
  bookingEvent,
  constraintOf,
  heldSlot,
  iso,
  loadCalendar,
  loadPolicy,
  officeIdsInScope,
  pgCode,
  roleOf,
  today,
} from './common'
import { issueTicket } from './queue.service'

type BookingRow = typeof bookings.$inferSelect
type OfficeRow = typeof offices.$inferSelect
type ServiceRow = typeof services.$inferSelect
type SlotRow = typeof slots.$inferSelect
interface Bundle {
  b: BookingRow
  o: OfficeRow
  s: ServiceRow
}
/** What a citizen's view of a booking shows of its office and service. */
type OfficeView = Pick<OfficeRow, 'id' | 'unitId' | 'name' | 'address' | 'phone' | 'directions' | 'lat' | 'lng' | 'hours' | 'active'>
type ServiceView = Pick<ServiceRow, 'id' | 'name' | 'materials' | 'vehicleNeeded' | 'durationMinutes'>

// ---------------------------------------------------------------------------------------------
// Views

function bundleQuery<Extra extends Record<string, SQL.Aliased | SQL>>(db: Db, extra?: Extra) {
  return db
    .select({ b: bookings, o: offices, s: services, ...(extra as Extra) })
    .from(bookings)
    .innerJoin(offices, eq(offices.id, bookings.officeId))
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .$dynamic()
}

/** The latest ticket of each booking (a transfer makes a new one), with its place in the line. */
async function ticketsFor(db: Db, ids: string[], now: Date): Promise<Map<string, TicketBrief>> {
  const out = new Map<string, TicketBrief>()
  if (ids.length === 0) return out
  const rows = await db
    .selectDistinctOn([queueTickets.bookingId], { t: queueTickets, windowNumber: serviceWindows.number })
    .from(queueTickets)
    .leftJoin(serviceWindows, eq(serviceWindows.id, sql`coalesce(${queueTickets.windowId}, ${queueTickets.targetWindowId})`))
    .where(inArray(queueTickets.bookingId, ids))
    .orderBy(queueTickets.bookingId, desc(queueTickets.createdAt))
  for (const r of rows) {
    let ahead: number | null = null
    if (r.t.state === 'waiting') {
      const line = await db
        .select()
        .from(queueTickets)
        .where(
          and(
            eq(queueTickets.officeId, r.t.officeId),
            eq(queueTickets.date, r.t.date),
            eq(queueTickets.state, 'waiting'),
            r.t.targetWindowId ? eq(queueTickets.targetWindowId, r.t.targetWindowId) : eq(queueTickets.serviceId, r.t.serviceId),
          ),
        )
      const ordered = orderQueue(
        line.map((x) => ({ ...x, transferred: x.targetWindowId !== null })),
        now,
      )
      ahead = Math.max(
        0,
        ordered.findIndex((x) => x.id === r.t.id),
      )
    }
    out.set(r.t.bookingId as string, {
      id: r.t.id,
      number: r.t.number,
      state: r.t.state,
      windowNumber: r.windowNumber,
      ahead,
      issuedAt: r.t.issuedAt.toISOString(),
      calledAt: iso(r.t.calledAt),
      completedAt: iso(r.t.completedAt),
    })
  }
  return out
}

/** What the reader may do now: the state machine, narrowed by the cut-off and the check-in window. */
function actionsFor(ctx: Ctx, b: BookingRow, policy: BookingPolicy): BookingAction[] {
  const now = ctx.now()
  return bookingMachine.actionsFor(b.state, roleOf(ctx)).filter((a) => {
    if (a === 'cancel' && ctx.actor.role === 'citizen') return canStillCancel(b.date, b.startsAt, now, policy)
    if (a === 'reschedule') return canStillCancel(b.date, b.startsAt, now, policy)
    if (a === 'check_in' && ctx.actor.role === 'citizen') return b.date === toChinaDate(now) && canSelfCheckIn(b.startsAt, now, policy) === null
    if (a === 'check_in') return b.date === toChinaDate(now)
    if (a === 'mark_no_show') return b.startsAt.getTime() < now.getTime()
    // Completing, missing and requeueing happen through the queue ticket.
    return a !== 'complete' && a !== 'miss' && a !== 'requeue'
  })
}

function toBooking(ctx: Ctx, { b, o, s }: { b: BookingRow; o: OfficeView; s: ServiceView }, ticket: TicketBrief | null, policy: BookingPolicy): Booking {
  const w = checkInWindow(b.startsAt, policy)
  return {
    id: b.id,
    code: b.code,
    state: b.state,
    stateType: bookingMachine.typeOf(b.state),
    office: {
      id: o.id,
      name: o.name,
      address: o.address,
      phone: o.phone,
      directions: o.directions,
      position: o.lat !== null && o.lng !== null ? { lat: o.lat, lng: o.lng } : null,
    },
    service: { id: s.id, name: s.name, materials: s.materials, vehicleNeeded: s.vehicleNeeded, durationMinutes: s.durationMinutes },
    date: b.date,
    startTime: b.startTime,
    endTime: b.endTime,
    startsAt: b.startsAt.toISOString(),
    endsAt: b.endsAt.toISOString(),
    nameMasked: maskName(b.name),
    idNumberMasked: maskIdCard(b.idNumber),
    plate: b.plate,
    createdAt: b.createdAt.toISOString(),
    cancelDeadline: cancelDeadline(b.date, b.startsAt, policy).toISOString(),
    checkInOpensAt: w.opensAt.toISOString(),
    checkInClosesAt: w.closesAt.toISOString(),
    actions: actionsFor(ctx, b, policy),
    ticket,
  }
}

async function viewMany(ctx: Ctx, rows: Bundle[]): Promise<Booking[]> {
  const policy = await loadPolicy(ctx.db)
  const tickets = await ticketsFor(
    ctx.db,
    rows.map((r) => r.b.id),
    ctx.now(),
  )
  return rows.map((r) => toBooking(ctx, r, tickets.get(r.b.id) ?? null, policy))
}

const toTimelineEvent = (e: BookingEventRow): TimelineEvent => ({
  id: e.id,
  at: e.at.toISOString(),
  action: e.action,
  actorRole: e.actorRole,
  fromState: e.fromState,
  toState: e.toState,
  note: e.note,
  attachments: [],
})

async function timeline(db: Db, bookingId: string): Promise<TimelineEvent[]> {
  const rows = await db.select().from(bookingEvents).where(eq(bookingEvents.bookingId, bookingId)).orderBy(asc(bookingEvents.seq))
  return rows.map(toTimelineEvent)
}

const qrCache = new Map<string, Promise<string>>()

/** The booking code as an SVG QR code (small cache: the page is reloaded often while waiting). */
export function qrSvg(code: string): Promise<string> {
  let svg = qrCache.get(code)
  if (!svg) {
    svg = QRCode.toString(code, { type: 'svg', margin: 1, errorCorrectionLevel: 'M', width: 240 })
    if (qrCache.size >= 2000) qrCache.delete(qrCache.keys().next().value as string)
    qrCache.set(code, svg)
  }
  return svg
}

async function loadOwn(ctx: Ctx, id: string, lock = false): Promise<Bundle> {
  const me = requireCitizen(ctx.actor)
  const q = bundleQuery(ctx.db).where(and(eq(bookings.id, id), eq(bookings.citizenId, me.id)))
  const [row] = lock ? await q.for('update', { of: bookings }) : await q
  if (!row) throw notFound('Booking')
  return row
}

export async function getMyBooking(ctx: Ctx, id: string): Promise<BookingDetail> {
  const row = await loadOwn(ctx, id)
  const [view] = await viewMany(ctx, [row])
  return { ...(view as Booking), qrSvg: await qrSvg(row.b.code), timeline: await timeline(ctx.db, id) }
}

export async function listMyBookings(ctx: Ctx, q: { limit: number; cursor?: string }): Promise<{ items: Booking[]; nextCursor: string | null }> {
  const me = requireCitizen(ctx.actor)
  const cur = q.cursor ? decodeCursor(q.cursor) : null
  if (q.cursor && !cur) throw badRequest('Invalid cursor', [{ path: 'query.cursor', message: 'Malformed cursor' }])
  const rows = await bundleQuery(ctx.db)
    .where(
      and(eq(bookings.citizenId, me.id), cur ? or(lt(bookings.createdAt, cur.at), and(eq(bookings.createdAt, cur.at), lt(bookings.id, cur.id))) : undefined),
    )
    .orderBy(desc(bookings.createdAt), desc(bookings.id))
    .limit(q.limit + 1)
  const page = rows.slice(0, q.limit)
  const last = page.at(-1)
  return { items: await viewMany(ctx, page), nextCursor: rows.length > q.limit && last ? encodeCursor(last.b.createdAt, last.b.id) : null }
}

// ---------------------------------------------------------------------------------------------
// Rules a citizen must pass to book

async function noShowDates(db: Db, citizenId: string, now: Date): Promise<Date[]> {
  const since = new Date(now.getTime() - 400 * 86_400_000)
  const rows = await db
    .select({ at: bookings.noShowAt })
    .from(bookings)
    .where(and(eq(bookings.citizenId, citizenId), eq(bookings.state, 'no_show'), sql`${bookings.noShowAt} > ${since.toISOString()}::timestamptz`))
  return rows.map((r) => r.at as Date)
}

async function activeCount(db: Db, citizenId: string): Promise<number> {
  const [r] = await db
    .select({ n: count() })
    .from(bookings)
    .where(and(eq(bookings.citizenId, citizenId), inArray(bookings.state, [...ACTIVE_BOOKING_STATES])))
  return r?.n ?? 0
}

export async function strikes(ctx: Ctx): Promise<NoShowStatus> {
  const me = requireCitizen(ctx.actor)
  const policy = await loadPolicy(ctx.db)
  const st = noShowStatus(await noShowDates(ctx.db, me.id, ctx.now()), ctx.now(), policy.noShow)
  return {
    strikes: st.strikes,
    limit: policy.noShow.limit,
    windowDays: policy.noShow.windowDays,
    blockDays: policy.noShow.blockDays,
    blocked: st.blocked,
    blockedUntil: iso(st.blockedUntil),
    activeBookings: await activeCount(ctx.db, me.id),
    maxActive: policy.maxActive,
  }
}

/** Taken before the citizen's checks: two bookings by one citizen cannot both pass the block and the cap. */
const lockCitizen = (db: Db, citizenId: string) => db.select({ id: citizens.id }).from(citizens).where(eq(citizens.id, citizenId)).for('update').execute()

const ACTIVE_IN = sql.join(
  ACTIVE_BOOKING_STATES.map((s) => sql`${s}`),
  sql`, `,
)

/** Results of a statement run with `db.execute` (postgres.js gives the rows, PGlite an object holding them). */
const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? r : (r as { rows: T[] }).rows)

/** Called with the citizen's row locked: the block, the cap and one-per-service cannot race. */
async function assertMayBook(ctx: Ctx, citizenId: string, serviceId: string, policy: BookingPolicy, exceptBookingId?: string) {
  const since = new Date(ctx.now().getTime() - 400 * 86_400_000)
  // The three facts in one statement (one round trip, no query building on the hot path).
  const [facts] = rowsOf<{ no_shows: string[]; same_id: string | null; active: number }>(
    await ctx.db.execute(sql`select
      (select coalesce(json_agg(no_show_at), '[]') from bookings where citizen_id = ${citizenId} and state = 'no_show' and no_show_at > ${since.toISOString()}::timestamptz) as no_shows,
      (select id from bookings where citizen_id = ${citizenId} and service_id = ${serviceId} and state in (${ACTIVE_IN}) limit 1) as same_id,
      (select count(*)::int from bookings where citizen_id = ${citizenId} and state in (${ACTIVE_IN})) as active`),
  )
  const st = noShowStatus(
    (facts?.no_shows ?? []).map((at) => new Date(at)),
    ctx.now(),
    policy.noShow,
  )
  if (st.blocked) {
    throw new AppError(
      422,
      'no_show_blocked',
      `Booking is suspended until ${st.blockedUntil?.toISOString()} after ${policy.noShow.limit} missed appointments within ${policy.noShow.windowDays} days`,
      undefined,
      { blockedUntil: iso(st.blockedUntil), limit: policy.noShow.limit, windowDays: policy.noShow.windowDays, blockDays: policy.noShow.blockDays },
    )
  }
  const same = facts?.same_id
  if (same && same !== exceptBookingId) throw conflict('already_booked', 'You already have an active booking for this service', { bookingId: same })
  if (!exceptBookingId && (facts?.active ?? 0) >= policy.maxActive) {
    throw unprocessable('too_many_active', `You can hold at most ${policy.maxActive} active bookings`)
  }
}

function newCode(): string {
  let s = ''
  for (let i = 0; i < CODE_LENGTH; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]
  return s
}

/** Takes one place of the slot, or none: a conditional update the CHECK constraint backs up. */
async function takePlace(db: Db, slotId: string): Promise<boolean> {
  const rows = await db
    .update(slots)
    .set({ booked: sql`${slots.booked} + 1` })
    .where(and(eq(slots.id, slotId), sql`${slots.booked} < ${slots.capacity}`))
    .returning({ id: slots.id })
  return rows.length === 1
}

async function releasePlace(db: Db, slotId: string): Promise<void> {
  await db
    .update(slots)
    .set({ booked: sql`${slots.booked} - 1` })
    .where(and(eq(slots.id, slotId), sql`${slots.booked} > 0`))
}

function emitBooking(ctx: Ctx, b: BookingRow, unitId: string) {
  ctx.emit({
    type: 'booking.changed',
    audience: { citizenIds: [b.citizenId], unitIds: [unitId] },
    data: { id: b.id, state: b.state, officeId: b.officeId, date: b.date },
  })
}

const fmtWhen = (b: { date: string; startTime: string; endTime: string }) => `${b.date} ${b.startTime}-${b.endTime}`

// ---------------------------------------------------------------------------------------------
// Citizen actions

/**
 * The slot a citizen is about to take, with its office and service, judged: the office active and
 * offering the service, open that day (holiday calendar, weekly hours, the date's override) and the
 * slot inside the booking window. One joined read beside the policy and the calendar: one round
 * trip for what refuses most attempts. A closed day shuts its slots by filling them, so day_closed
 * is decided before any "full".
 */
async function bookableSlot(ctx: Ctx, slotId: string): Promise<{ slot: SlotRow; office: OfficeView; service: ServiceView; policy: BookingPolicy }> {
  // Raw SQL: on the hot path, building a 40-column join with the query builder cost more CPU than the rest of the refusal.
  const [[row], policy, { calendar, overrides }] = await pipeline([
    ctx.db
      .execute(sql`select s.id, s.office_id, s.service_id, s.date, s.start_time, s.end_time, s.starts_at, s.ends_at, s.capacity, s.booked,
        o.unit_id, o.name as office_name, o.address, o.phone, o.directions, o.lat, o.lng, o.hours, o.active as office_active,
        v.id as offered_id, v.name as service_name, v.materials, v.vehicle_needed, v.duration_minutes, d.closed, d.hours as day_hours
      from slots s
      join offices o on o.id = s.office_id
      left join office_services os on os.office_id = s.office_id and os.service_id = s.service_id
      left join services v on v.id = os.service_id and v.active
      left join office_day_overrides d on d.office_id = s.office_id and d.date = s.date
      where s.id = ${slotId}::uuid`)
      .then((r) => rowsOf<BookableRow>(r)),
    loadPolicy(ctx.db),
    loadCalendar(ctx.db),
  ])
  if (!row) throw notFound('Slot')
  if (!row.office_active) throw notFound('Office')
  if (row.offered_id === null) throw notFound('Service at this office')
  const slot: SlotRow = {
    id: row.id,
    officeId: row.office_id,
    serviceId: row.service_id,
    date: row.date,
    startTime: row.start_time,
    endTime: row.end_time,
    startsAt: new Date(row.starts_at),
    endsAt: new Date(row.ends_at),
    capacity: row.capacity,
    booked: row.booked,
  }
  const day = row.closed === null ? null : { closed: row.closed, hours: row.day_hours }
  if (!dayOpening(slot.date, row.hours, calendar, overrides, day).open) throw unprocessable('day_closed', 'The office is closed on that day')
  const why = whyNotBookable({ date: slot.date, startsAt: slot.startsAt }, ctx.now(), policy)
  if (why) throw unprocessable('outside_booking_window', `This slot cannot be booked now (${why})`)
  const office: OfficeView = {
    id: row.office_id,
    unitId: row.unit_id,
    name: row.office_name,
    address: row.address,
    phone: row.phone,
    directions: row.directions,
    lat: row.lat,
    lng: row.lng,
    hours: row.hours,
    active: row.office_active,
  }
  const service: ServiceView = {
    id: row.offered_id,
    name: row.service_name,
    materials: row.materials,
    vehicleNeeded: row.vehicle_needed,
    durationMinutes: row.duration_minutes,
  }
  return { slot, office, service, policy }
}

interface BookableRow {
  id: string
  office_id: string
  service_id: string
  date: string
  start_time: string
  end_time: string
  starts_at: string
  ends_at: string
  capacity: number
  booked: number
  unit_id: string
  office_name: string
  address: string
  phone: string | null
  directions: string
  lat: number | null
  lng: number | null
  hours: OfficeRow['hours']
  office_active: boolean
  offered_id: string | null
  service_name: string
  materials: string[]
  vehicle_needed: boolean
  duration_minutes: number
  closed: boolean | null
  day_hours: Period[] | null
}

const slotFullness = prepared((db) =>
  db
    .select({ full: sql<boolean>`${slots.booked} >= ${slots.capacity}` })
    .from(slots)
    .where(eq(slots.id, sql.placeholder('id')))
    .prepare('slot_fullness'),
)

const slotFull = () => conflict('slot_full', 'This time slot is fully booked; please choose another')

/**
 * An attempt judged by its slot alone, refusals in the order a citizen should hear them (no such
 * slot, a closed day or a lapsed window, a missing plate, then a full slot).
 */
async function judgeAttempt(ctx: Ctx, input: BookingCreate) {
  const judged = await bookableSlot(ctx, input.slotId)
  if (judged.service.vehicleNeeded && !input.plate) {
    throw unprocessable('plate_required', 'This service needs the vehicle: enter its plate number', [
      { path: 'body.plate', message: 'Required for this service' },
    ])
  }
  if (judged.slot.booked >= judged.slot.capacity) throw slotFull()
  return judged
}

/**
 * At a popular slot most attempts find it full: those are refused before the booking's transaction
 * (and an Idempotency-Key's), from one read of the slot and, only when it is full, the judgement
 * that says why. createBooking judges again under its transaction; its conditional update stays
 * the guarantee against overbooking.
 */
export async function refuseFullSlot(ctx: Ctx, input: BookingCreate): Promise<AppError | undefined> {
  const [row] = await slotFullness(ctx.db).execute({ id: input.slotId })
  if (!row?.full) return undefined
  return judgeAttempt(ctx, input).then(
    () => undefined, // a place freed meanwhile: go on and take it
    (err: unknown) => {
      if (err instanceof AppError) return err
      throw err
    },
  )
}

/**
 * Books a place in one transaction of few round trips: the slot judged (one joined read beside the
 * policy and calendar; a slot already full is refused right there, without its lock); the citizen's
 * row locked, then their no-show block, one-per-service and cap checked in one statement against
 * that stable set; then one statement takes the place by a conditional UPDATE (… where booked <
 * capacity) and, only if it took one, writes the booking, its timeline event, the audit and inbox
 * rows. The slot row stays locked from that statement to the commit only.
 */
export async function createBooking(ctx: Ctx, input: BookingCreate): Promise<BookingDetail> {
  const me = requireCitizen(ctx.actor)
  return inTransaction(ctx, async (t) => {
    const { slot, office, service, policy } = await judgeAttempt(t, input)
    await lockCitizen(t.db, me.id)
    await assertMayBook(t, me.id, service.id, policy)
    // Everything the write needs, QR code included, before the slot's lock: nothing slow between it and the commit.
    const now = ctx.now()
    const b: BookingRow = {
      id: randomUUID(),
      code: newCode(),
      citizenId: me.id,
      ...heldSlot(slot),
      serviceId: service.id,
      state: 'booked',
      name: input.name,
      idNumber: input.idNumber,
      plate: input.plate ?? null,
      rescheduleCount: 0,
      remindedAt: null,
      checkedInAt: null,
      cancelledAt: null,
      noShowAt: null,
      completedAt: null,
      version: 0,
      createdAt: now,
      updatedAt: now,
    }
    const created: TimelineEvent = {
      id: randomUUID(),
      at: now.toISOString(),
      action: 'create',
      actorRole: me.role,
      fromState: null,
      toState: 'booked',
      note: fmtWhen(b),
      attachments: [],
    }
    const inbox: NotifyInput = {
      recipientType: 'citizen',
      recipientId: me.id,
      messageKey: 'bookings.notify.booked',
      params: { code: b.code, service: service.name, office: office.name, when: fmtWhen(b) },
      link: `/bookings/${b.id}`,
    }
    const notificationId = randomUUID()
    const qr = await qrSvg(b.code)
    let took: unknown[]
    try {
      took = rowsOf(await t.db.execute(bookingWrite(t, b, created, inbox, notificationId, office.unitId)))
    } catch (err) {
      if (pgCode(err) === '23505' && constraintOf(err) === 'bookings_one_active_per_service_uq') {
        throw conflict('already_booked', 'You already have an active booking for this service')
      }
      throw err
    }
    if (took.length === 0) throw slotFull()
    emitNotification(t, notificationId, inbox)
    emitBooking(t, b, office.unitId)
    // The view from the rows just written (a new booking has no queue ticket yet): nothing to read back.
    return { ...toBooking(t, { b, o: office, s: service }, null, policy), qrSvg: qr, timeline: [created] }
  })
}

/**
 * The booking's one write statement. Data-modifying CTEs all run, so each insert selects from the
 * one before it: no place taken, no rows written (and none returned).
 */
function bookingWrite(ctx: Ctx, b: BookingRow, e: TimelineEvent, n: NotifyInput, notificationId: string, unitId: string): SQL {
  const who = actorFields(ctx)
  const a = auditRow(ctx, {
    entityType: 'booking',
    entityId: b.id,
    action: 'booking.create',
    after: { code: b.code, slotId: b.slotId, date: b.date },
    unitId,
  })
  const at = b.createdAt.toISOString()
  return sql`with place as (
      update slots set booked = booked + 1 where id = ${b.slotId} and booked < capacity returning id
    ), booking as (
      insert into bookings (id, code, citizen_id, office_id, service_id, slot_id, date, start_time, end_time, starts_at, ends_at, state, name, id_number, plate, created_at, updated_at)
      select ${b.id}::uuid, ${b.code}, ${b.citizenId}::uuid, ${b.officeId}::uuid, ${b.serviceId}::uuid, place.id, ${b.date}, ${b.startTime}, ${b.endTime},
        ${b.startsAt.toISOString()}::timestamptz, ${b.endsAt.toISOString()}::timestamptz, ${b.state}, ${b.name}, ${b.idNumber}, ${b.plate}, ${at}::timestamptz, ${at}::timestamptz
      from place returning id
    ), event as (
      insert into booking_events (id, booking_id, at, action, actor_type, actor_role, actor_id, from_state, to_state, note)
      select ${e.id}::uuid, booking.id, ${at}::timestamptz, ${e.action}, ${who.actorType}, ${who.actorRole}, ${who.actorId}, ${e.fromState}, ${e.toState}, ${e.note} from booking
    ), audited as (
      insert into audit_log (actor_type, actor_id, actor_role, unit_id, entity_type, entity_id, action, before, after, request_id, ip)
      select ${a.actorType}, ${a.actorId}, ${a.actorRole}, ${a.unitId}::uuid, ${a.entityType}, ${a.entityId}, ${a.action}, ${jsonText(a.before)}::jsonb, ${jsonText(a.after)}::jsonb, ${a.requestId}, ${a.ip} from booking
    ), inbox as (
      insert into notifications (id, recipient_type, recipient_id, message_key, params, link)
      select ${notificationId}::uuid, ${n.recipientType}, ${n.recipientId}::uuid, ${n.messageKey}, ${jsonText(n.params ?? {})}::jsonb, ${n.link ?? null} from booking
    )
    select id from booking`
}

export async function cancelMyBooking(ctx: Ctx, id: string): Promise<BookingDetail> {
  await ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const row = await loadOwn(t, id, true)
    const policy = await loadPolicy(tx)
    if (!bookingMachine.next(row.b.state, 'cancel', 'citizen')) throw invalidTransition(row.b.state, 'cancel')
    if (!canStillCancel(row.b.date, row.b.startsAt, ctx.now(), policy)) {
      throw unprocessable('cutoff_passed', `Bookings can be cancelled until ${cancelDeadline(row.b.date, row.b.startsAt, policy).toISOString()}`)
    }
    await cancelInTx(t, row, 'citizen cancelled')
  })
  return getMyBooking(ctx, id)
}

async function cancelInTx(ctx: Ctx, { b, o }: Bundle, note: string | null) {
  const now = ctx.now()
  const [done] = await ctx.db
    .update(bookings)
    .set({ state: 'cancelled', cancelledAt: now, updatedAt: now, version: sql`${bookings.version} + 1` })
    .where(and(eq(bookings.id, b.id), eq(bookings.state, 'booked')))
    .returning()
  if (!done) throw invalidTransition(b.state, 'cancel')
  await releasePlace(ctx.db, b.slotId)
  await bookingEvent(ctx, b.id, 'cancel', 'booked', 'cancelled', note)
  await audit(ctx, {
    entityType: 'booking',
    entityId: b.id,
    action: 'booking.cancel',
    before: { state: b.state },
    after: { state: 'cancelled' },
    unitId: o.unitId,
  })
  await notify(ctx, {
    recipientType: 'citizen',
    recipientId: b.citizenId,
    messageKey: 'bookings.notify.cancelled',
    params: { code: b.code, when: fmtWhen(b) },
    link: `/bookings/${b.id}`,
  })
  emitBooking(ctx, done, o.unitId)
}

/**
 * Moves a booking to another slot of the same service, atomically: both slot rows are locked in
 * id order (no deadlock between two citizens swapping), the new place is taken first, and only
 * then the old one released — all in one transaction, so a full new slot leaves the old booking intact.
 */
export async function rescheduleMyBooking(ctx: Ctx, id: string, slotId: string): Promise<BookingDetail> {
  await ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const { b, o } = await loadOwn(t, id, true)
    const policy = await loadPolicy(tx)
    if (!bookingMachine.next(b.state, 'reschedule', 'citizen')) throw invalidTransition(b.state, 'reschedule')
    if (!canStillCancel(b.date, b.startsAt, ctx.now(), policy)) throw unprocessable('cutoff_passed', 'This booking can no longer be changed')
    if (slotId === b.slotId) throw unprocessable('same_slot', 'That is already your slot')
    const { slot, office } = await bookableSlot(t, slotId)
    if (slot.serviceId !== b.serviceId) throw unprocessable('different_service', 'Choose a slot of the same service')
    await assertMayBook(t, b.citizenId, b.serviceId, policy, b.id)
    await tx
      .select({ id: slots.id })
      .from(slots)
      .where(inArray(slots.id, [b.slotId, slot.id]))
      .orderBy(asc(slots.id))
      .for('update')
    if (!(await takePlace(tx, slot.id))) throw conflict('slot_full', 'That time slot is fully booked; your booking is unchanged')
    await releasePlace(tx, b.slotId)
    const now = ctx.now()
    const [moved] = await tx
      .update(bookings)
      .set({
        ...heldSlot(slot),
        rescheduleCount: sql`${bookings.rescheduleCount} + 1`,
        remindedAt: null,
        updatedAt: now,
        version: sql`${bookings.version} + 1`,
      })
      .where(and(eq(bookings.id, b.id), eq(bookings.state, 'booked')))
      .returning()
    if (!moved) throw invalidTransition(b.state, 'reschedule')
    await bookingEvent(t, b.id, 'reschedule', 'booked', 'booked', `${fmtWhen(b)} → ${fmtWhen(moved)}`)
    await audit(t, {
      entityType: 'booking',
      entityId: b.id,
      action: 'booking.reschedule',
      before: { slotId: b.slotId, date: b.date, startTime: b.startTime },
      after: { slotId: moved.slotId, date: moved.date, startTime: moved.startTime },
      unitId: office.unitId,
    })
    await notify(t, {
      recipientType: 'citizen',
      recipientId: b.citizenId,
      messageKey: 'bookings.notify.rescheduled',
      params: { code: b.code, when: fmtWhen(moved), office: office.name },
      link: `/bookings/${b.id}`,
    })
    emitBooking(t, moved, office.unitId)
    if (o.unitId !== office.unitId) emitBooking(t, moved, o.unitId)
  })
  return getMyBooking(ctx, id)
}

/** Self check-in at the hall, inside the window around the slot: issues the queue number. */
export async function checkInMyBooking(ctx: Ctx, id: string): Promise<BookingDetail> {
  await ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const row = await loadOwn(t, id, true)
    const policy = await loadPolicy(tx)
    if (!bookingMachine.next(row.b.state, 'check_in', 'citizen')) throw invalidTransition(row.b.state, 'check_in')
    const now = ctx.now()
    const why = row.b.date !== toChinaDate(now) ? (row.b.date > toChinaDate(now) ? 'early' : 'late') : canSelfCheckIn(row.b.startsAt, now, policy)
    if (why === 'early') throw unprocessable('check_in_not_open', `Check-in opens ${policy.checkIn.earlyMinutes} minutes before your slot`)
    if (why === 'late') throw unprocessable('check_in_closed', 'Check-in for this slot has closed; please ask at the counter')
    await checkInTx(t, row, true)
  })
  return getMyBooking(ctx, id)
}

async function checkInTx(ctx: Ctx, { b, o, s }: Bundle, onTime: boolean) {
  const now = ctx.now()
  const [done] = await ctx.db
    .update(bookings)
    .set({ state: 'checked_in', checkedInAt: now, updatedAt: now, version: sql`${bookings.version} + 1` })
    .where(and(eq(bookings.id, b.id), eq(bookings.state, b.state)))
    .returning()
  if (!done) throw invalidTransition(b.state, 'check_in')
  const ticket = await issueTicket(ctx, {
    office: o,
    service: s,
    bookingId: b.id,
    citizenId: b.citizenId,
    kind: 'booked',
    onTime,
    slotStartsAt: b.startsAt,
  })
  await bookingEvent(ctx, b.id, 'check_in', b.state, 'checked_in', ticket.number)
  await audit(ctx, {
    entityType: 'booking',
    entityId: b.id,
    action: 'booking.check_in',
    before: { state: b.state },
    after: { state: 'checked_in', ticket: ticket.number, onTime },
    unitId: o.unitId,
  })
  await notify(ctx, {
    recipientType: 'citizen',
    recipientId: b.citizenId,
    messageKey: 'bookings.notify.checkedIn',
    params: { number: ticket.number },
    link: `/bookings/${b.id}`,
  })
  emitBooking(ctx, done, o.unitId)
  return ticket
}

// ---------------------------------------------------------------------------------------------
// Staff

async function loadInScope(ctx: Ctx, where: ReturnType<typeof eq>, lock = false): Promise<Bundle> {
  const q = bundleQuery(ctx.db).where(where)
  const [row] = lock ? await q.for('update', { of: bookings }) : await q
  if (!row || !inUnitScope(ctx.actor, row.o.unitId)) throw notFound('Booking')
  return row
}

async function consoleView(ctx: Ctx, rows: Bundle[]): Promise<ConsoleBooking[]> {
  const views = await viewMany(ctx, rows)
  const ids = [...new Set(rows.map((r) => r.b.citizenId))]
  const phones = ids.length ? await ctx.db.select({ id: citizens.id, phone: citizens.phone }).from(citizens).where(inArray(citizens.id, ids)) : []
  return views.map((v, i) => ({ ...v, phoneMasked: maskPhone(phones.find((p) => p.id === rows[i]?.b.citizenId)?.phone) }))
}

/** Staff check-in by scanning the QR or typing the code: on the booking's day; late arrivals lose their slot priority. */
export async function checkInByCode(ctx: Ctx, code: string): Promise<ConsoleBooking> {
  const id = await ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const row = await loadInScope(t, eq(bookings.code, normaliseCode(code)), true)
    const policy = await loadPolicy(tx)
    if (!bookingMachine.next(row.b.state, 'check_in', roleOf(ctx))) throw invalidTransition(row.b.state, 'check_in')
    if (row.b.date !== today(ctx)) throw unprocessable('not_today', `This booking is for ${row.b.date}`)
    await checkInTx(t, row, isOnTime(ctx.now(), row.b.startsAt, policy))
    return row.b.id
  })
  return consoleBooking(ctx, id)
}

export async function bookingByCode(ctx: Ctx, code: string): Promise<ConsoleBooking> {
  const row = await loadInScope(ctx, eq(bookings.code, normaliseCode(code)))
  return (await consoleView(ctx, [row]))[0] as ConsoleBooking
}

export async function consoleBooking(ctx: Ctx, id: string): Promise<ConsoleBooking & { timeline: TimelineEvent[] }> {
  const row = await loadInScope(ctx, eq(bookings.id, id))
  return { ...((await consoleView(ctx, [row]))[0] as ConsoleBooking), timeline: await timeline(ctx.db, id) }
}

/** The full name, ID number and phone behind the masks — every view is audited. */
export async function revealPersonalData(ctx: Ctx, id: string): Promise<{ name: string; idNumber: string; phone: string | null }> {
  const { b, o } = await loadInScope(ctx, eq(bookings.id, id))
  const [c] = await ctx.db.select({ phone: citizens.phone }).from(citizens).where(eq(citizens.id, b.citizenId))
  await audit(ctx, {
    entityType: 'citizen',
    entityId: b.citizenId,
    action: 'citizen.view_personal_data',
    after: { bookingId: b.id, fields: ['name', 'idNumber', 'phone'] },
    unitId: o.unitId,
  })
  return { name: b.name, idNumber: b.idNumber, phone: c?.phone ?? null }
}

/** The office cancels a booking (e.g. an unplanned closure): no cut-off, the citizen is told. */
export async function cancelByOffice(ctx: Ctx, id: string, reason: string) {
  await ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const row = await loadInScope(t, eq(bookings.id, id), true)
    if (!bookingMachine.next(row.b.state, 'cancel', roleOf(ctx))) throw invalidTransition(row.b.state, 'cancel')
    await cancelInTx(t, row, reason)
  })
  return consoleBooking(ctx, id)
}

/** Newest day first, each day in time order. */
const CONSOLE_SORT = keysetSort('date', [
  { expr: bookings.date, type: 'text', desc: true },
  { expr: bookings.startTime, type: 'text' },
  { expr: bookings.id, type: 'uuid' },
])

/** Bookings of the offices in scope, filtered, a page at a time by keyset (`nextCursor` / `prevCursor`). */
export async function listConsoleBookings(ctx: Ctx, q: ConsoleBookingQuery): Promise<KeysetPage<ConsoleBooking>> {
  const pos = CONSOLE_SORT.decode(q.cursor)
  const ids = await officeIdsInScope(ctx)
  if (ids.length === 0 || (q.officeId && !ids.includes(q.officeId))) return { items: [], total: 0, totalCapped: false, nextCursor: null, prevCursor: null }
  const where = and(
    q.officeId ? eq(bookings.officeId, q.officeId) : inArray(bookings.officeId, ids),
    q.date ? eq(bookings.date, q.date) : undefined,
    q.state ? eq(bookings.state, q.state) : undefined,
    q.code ? eq(bookings.code, normaliseCode(q.code)) : undefined,
  )
  // Count and page side by side; one row more tells whether more follow.
  const [counted, fetched] = await Promise.all([
    CONSOLE_SORT.total(ctx.db, ctx.db.select({ one: sql`1` }).from(bookings).where(where).$dynamic()),
    bundleQuery(ctx.db, { keys: CONSOLE_SORT.keys })
      .where(and(where, CONSOLE_SORT.where(pos)))
      .orderBy(...CONSOLE_SORT.orderBy(pos))
      .limit(q.pageSize + 1),
  ])
  const { rows, nextCursor, prevCursor } = CONSOLE_SORT.page(fetched, q.pageSize, pos, (r) => r.keys)
  return { items: await consoleView(ctx, rows), ...counted, nextCursor, prevCursor }
}

// ---------------------------------------------------------------------------------------------
// Calendar file

export async function bookingIcs(ctx: Ctx, id: string): Promise<{ filename: string; body: string }> {
  const { b, o, s } = await loadOwn(ctx, id)
  const cal = ical({ name: '车管业务预约', prodId: { company: 'traffic-portal', product: 'bookings', language: 'ZH' } })
  const materials = s.materials.length ? `\n所需材料：\n${s.materials.map((m, i) => `${i + 1}. ${m}`).join('\n')}` : ''
  const event = cal.createEvent({
    id: `booking-${b.id}@traffic-portal`,
    start: b.startsAt,
    end: b.endsAt,
    summary: `${s.name}（预约码 ${b.code}）`,
    description: `预约码：${b.code}\n办理地点：${o.name}\n地址：${o.address}${o.directions ? `\n到达方式：${o.directions}` : ''}${materials}\n请在预约时段前到大厅签到取号。`,
    location: o.lat !== null && o.lng !== null ? { title: o.name, address: o.address, geo: { lat: o.lat, lon: o.lng } } : `${o.name} ${o.address}`,
    stamp: ctx.now(),
  })
  event.createAlarm({ type: ICalAlarmType.display, trigger: 3600, description: `${s.name}：1 小时后在${o.name}办理（预约码 ${b.code}）` })
  event.createAlarm({ type: ICalAlarmType.display, trigger: 86_400, description: `明天 ${b.startTime} 在${o.name}办理${s.name}` })
  return { filename: `booking-${b.code}.ics`, body: cal.toString() }
}

// ---------------------------------------------------------------------------------------------
// Jobs

/** The day before: one reminder per booking (reminded_at marks it; safe to run in several processes). */
export async function sendReminders(ctx: Ctx): Promise<number> {
  const now = ctx.now()
  // Not in the middle of the night: from 08:00 China time on the day before.
  if (new Date(now.getTime() + 8 * 3600_000).getUTCHours() < 8) return 0
  const tomorrow = addCalendarDays(toChinaDate(now), 1)
  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const rows = await tx
      .update(bookings)
      .set({ remindedAt: now })
      .where(and(eq(bookings.state, 'booked'), eq(bookings.date, tomorrow), isNull(bookings.remindedAt)))
      .returning()
    for (const b of rows) {
      const [o] = await tx.select({ name: offices.name }).from(offices).where(eq(offices.id, b.officeId))
      await bookingEvent(t, b.id, 'remind', null, null, null)
      await notify(t, {
        recipientType: 'citizen',
        recipientId: b.citizenId,
        messageKey: 'bookings.notify.reminder',
        params: { code: b.code, when: fmtWhen(b), office: o?.name ?? '' },
        link: `/bookings/${b.id}`,
      })
    }
    return rows.length
  })
}

/** Bookings nobody checked in for by the end of the check-in window become no-shows (a strike). */
export async function sweepNoShows(ctx: Ctx): Promise<number> {
  const policy = await loadPolicy(ctx.db)
  const now = ctx.now()
  const cutoff = new Date(now.getTime() - policy.checkIn.lateMinutes * 60_000)
  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const rows = await tx
      .update(bookings)
      .set({ state: 'no_show', noShowAt: sql`${bookings.startsAt} + make_interval(mins => ${policy.checkIn.lateMinutes})`, updatedAt: now })
      .where(and(eq(bookings.state, 'booked'), lt(bookings.startsAt, cutoff)))
      .returning()
    for (const b of rows) {
      await bookingEvent(t, b.id, 'mark_no_show', 'booked', 'no_show', null)
      const st = noShowStatus(await noShowDates(tx, b.citizenId, now), now, policy.noShow)
      await notify(t, {
        recipientType: 'citizen',
        recipientId: b.citizenId,
        messageKey: st.blocked ? 'bookings.notify.blocked' : 'bookings.notify.noShow',
        params: st.blocked
          ? { code: b.code, until: toChinaDate(st.blockedUntil as Date), limit: policy.noShow.limit, days: policy.noShow.windowDays }
          : { code: b.code, strikes: st.strikes, limit: policy.noShow.limit, days: policy.noShow.windowDays },
        link: `/bookings/${b.id}`,
      })
      ctx.emit({ type: 'booking.changed', audience: { citizenIds: [b.citizenId] }, data: { id: b.id, state: 'no_show' } })
    }
    return rows.length
  })
}
