import { maskName } from '@tp/shared'
import { bookingMachine, type TicketAction, ticketMachine } from '@tp/shared/bookings/machines'
import { formatTicketNumber } from '@tp/shared/bookings/rules'
import type { HallDisplay, QueueStats, ServiceWindow, Ticket, TicketState, WindowQueue } from '@tp/shared/bookings/schemas'
import { and, asc, count, desc, eq, inArray, isNotNull, notExists, sql } from 'drizzle-orm'
import { inUnitScope } from '../../platform/access'
import { audit } from '../../platform/audit'
import { type Ctx, withDb } from '../../platform/context'
import type { Db } from '../../platform/db'
import { conflict, invalidTransition, notFound, unprocessable } from '../../platform/errors'
import { notify } from '../../platform/notify'
import { inTransaction, pipeline } from '../../platform/tx'
import { staff } from '../identity/identity.tables'
import { bookings, offices, queueCounters, queueTickets, services, serviceWindows, windowServices } from './bookings.tables'
import { bookingEvent, iso, loadOfficeInScope, type OfficeRow, officeIdsInScope, roleOf, today } from './common'
import { assertOffered } from './slots.service'

type TicketRow = typeof queueTickets.$inferSelect
type WindowRow = typeof serviceWindows.$inferSelect

// ---------------------------------------------------------------------------------------------
// Hook for features built on completed tickets (ratings)

/** A served ticket, as features built on the queue (ratings) see it. */
export interface CompletedTicket {
  id: string
  officeId: string
  officeName: string
  unitId: string
  windowId: string | null
  windowNumber: number | null
  serviceId: string
  serviceName: string
  bookingId: string | null
  citizenId: string | null
  number: string
  date: string
  calledAt: Date | null
  completedAt: Date
  servedBy: string | null
  servedByName: string | null
}

export type QueueCompletedHook = (ctx: Ctx, ticket: CompletedTicket) => Promise<void>
const completedHooks = new Set<QueueCompletedHook>()

/**
 * Runs `hook` inside the transaction that completes a ticket (its `ctx.db` is that transaction):
 * a rating invitation and the completion commit together. Returns an unsubscribe function.
 */
export function onQueueCompleted(hook: QueueCompletedHook): () => void {
  completedHooks.add(hook)
  return () => completedHooks.delete(hook)
}

/** A completed ticket by id (null unless it is done). */
export async function getCompletedTicket(db: Db, ticketId: string): Promise<CompletedTicket | null> {
  const [row] = await completedQuery(db).where(and(eq(queueTickets.id, ticketId), eq(queueTickets.state, 'done')))
  return row ? toCompleted(row) : null
}

/** The ticket a window completed last (the evaluator tablet facing the citizen shows it). */
export async function latestCompletedAtWindow(db: Db, windowId: string): Promise<CompletedTicket | null> {
  const [row] = await completedQuery(db)
    .where(and(eq(queueTickets.windowId, windowId), eq(queueTickets.state, 'done')))
    .orderBy(desc(queueTickets.completedAt))
    .limit(1)
  return row ? toCompleted(row) : null
}

function completedQuery(db: Db) {
  return db
    .select({
      t: queueTickets,
      officeName: offices.name,
      unitId: offices.unitId,
      windowNumber: serviceWindows.number,
      serviceName: services.name,
      staffName: staff.name,
    })
    .from(queueTickets)
    .innerJoin(offices, eq(offices.id, queueTickets.officeId))
    .innerJoin(services, eq(services.id, queueTickets.serviceId))
    .leftJoin(serviceWindows, eq(serviceWindows.id, queueTickets.windowId))
    .leftJoin(staff, eq(staff.id, queueTickets.servedBy))
    .$dynamic()
}

function toCompleted(r: {
  t: TicketRow
  officeName: string
  unitId: string
  windowNumber: number | null
  serviceName: string
  staffName: string | null
}): CompletedTicket {
  return {
    id: r.t.id,
    officeId: r.t.officeId,
    officeName: r.officeName,
    unitId: r.unitId,
    windowId: r.t.windowId,
    windowNumber: r.windowNumber,
    serviceId: r.t.serviceId,
    serviceName: r.serviceName,
    bookingId: r.t.bookingId,
    citizenId: r.t.citizenId,
    number: r.t.number,
    date: r.t.date,
    calledAt: r.t.calledAt,
    completedAt: r.t.completedAt as Date,
    servedBy: r.t.servedBy,
    servedByName: r.staffName,
  }
}

// ---------------------------------------------------------------------------------------------
// Views

const ticketSelect = {
  t: queueTickets,
  serviceName: services.name,
  bookingCode: bookings.code,
  bookingName: bookings.name,
  windowNumber: serviceWindows.number,
}

function ticketQuery(db: Db) {
  return db
    .select(ticketSelect)
    .from(queueTickets)
    .innerJoin(services, eq(services.id, queueTickets.serviceId))
    .leftJoin(bookings, eq(bookings.id, queueTickets.bookingId))
    .leftJoin(serviceWindows, eq(serviceWindows.id, sql`coalesce(${queueTickets.windowId}, ${queueTickets.targetWindowId})`))
    .$dynamic()
}

type TicketJoined = { t: TicketRow; serviceName: string; bookingCode: string | null; bookingName: string | null; windowNumber: number | null }

function toTicket(r: TicketJoined, ctx: Ctx): Ticket {
  const t = r.t
  return {
    id: t.id,
    officeId: t.officeId,
    date: t.date,
    number: t.number,
    state: t.state,
    kind: t.kind,
    onTime: t.onTime,
    serviceId: t.serviceId,
    serviceName: r.serviceName,
    bookingId: t.bookingId,
    bookingCode: r.bookingCode,
    nameMasked: maskName(r.bookingName),
    slotStartsAt: iso(t.slotStartsAt),
    issuedAt: t.issuedAt.toISOString(),
    calledAt: iso(t.calledAt),
    callCount: t.callCount,
    windowId: t.windowId,
    windowNumber: r.windowNumber,
    targetWindowId: t.targetWindowId,
    completedAt: iso(t.completedAt),
    servedBy: t.servedBy,
    actions: ticketMachine.actionsFor(t.state, roleOf(ctx)),
  }
}

async function ticketView(ctx: Ctx, id: string): Promise<Ticket> {
  const [r] = await ticketQuery(ctx.db).where(eq(queueTickets.id, id))
  if (!r) throw notFound('Ticket')
  return toTicket(r, ctx)
}

/**
 * The queue ordering rule (shared/src/bookings/queue.ts) in SQL: transferred-here first, then
 * booked citizens checked in on time whose slot has begun (by slot start), then everyone else
 * by check-in time; ties by check-in time, sequence, id.
 */
function queueOrder(now: Date) {
  const at = sql`${now.toISOString()}::timestamptz`
  const due = sql`(${queueTickets.targetWindowId} is null and ${queueTickets.kind} = 'booked' and ${queueTickets.onTime} and ${queueTickets.slotStartsAt} <= ${at})`
  return [
    sql`(${queueTickets.targetWindowId} is null)`,
    sql`(case when ${due} then 0 else 1 end)`,
    sql`(case when ${due} then ${queueTickets.slotStartsAt} else ${queueTickets.issuedAt} end)`,
    asc(queueTickets.issuedAt),
    asc(queueTickets.seq),
    asc(queueTickets.id),
  ]
}

/** Waiting tickets a window may call: sent to it, or of a service it handles and not sent elsewhere. */
function waitingFor(window: WindowRow, date: string) {
  return and(
    eq(queueTickets.state, 'waiting'),
    eq(queueTickets.officeId, window.officeId),
    eq(queueTickets.date, date),
    sql`(${queueTickets.targetWindowId} = ${window.id} or (${queueTickets.targetWindowId} is null and ${queueTickets.serviceId} in (select ${windowServices.serviceId} from ${windowServices} where ${windowServices.windowId} = ${window.id})))`,
  )
}

async function windowView(db: Db, w: WindowRow): Promise<ServiceWindow> {
  const svc = await db.select({ id: windowServices.serviceId }).from(windowServices).where(eq(windowServices.windowId, w.id))
  const [person] = w.staffId ? await db.select({ id: staff.id, name: staff.name }).from(staff).where(eq(staff.id, w.staffId)) : []
  return {
    id: w.id,
    officeId: w.officeId,
    number: w.number,
    label: w.label,
    serviceIds: svc.map((s) => s.id),
    active: w.active,
    staff: person ?? null,
    signedInAt: iso(w.signedInAt),
  }
}

// ---------------------------------------------------------------------------------------------
// Issuing numbers

export interface IssueInput {
  office: OfficeRow
  service: { id: string; prefix: string; name: string }
  bookingId?: string | null
  citizenId?: string | null
  kind: 'booked' | 'walk_in'
  onTime: boolean
  slotStartsAt?: Date | null
}

/** A new number for today: the per-office, per-day, per-prefix counter moves by one atomic upsert. */
export async function issueTicket(ctx: Ctx, input: IssueInput): Promise<TicketRow> {
  const day = today(ctx)
  const [ctr] = await ctx.db
    .insert(queueCounters)
    .values({ officeId: input.office.id, date: day, prefix: input.service.prefix, last: 1 })
    .onConflictDoUpdate({ target: [queueCounters.officeId, queueCounters.date, queueCounters.prefix], set: { last: sql`${queueCounters.last} + 1` } })
    .returning({ last: queueCounters.last })
  const seq = ctr?.last as number
  const [row] = await ctx.db
    .insert(queueTickets)
    .values({
      officeId: input.office.id,
      date: day,
      serviceId: input.service.id,
      bookingId: input.bookingId ?? null,
      citizenId: input.citizenId ?? null,
      number: formatTicketNumber(input.service.prefix, seq),
      seq,
      kind: input.kind,
      onTime: input.onTime,
      slotStartsAt: input.slotStartsAt ?? null,
      state: 'waiting',
      issuedAt: ctx.now(),
      issuedBy: ctx.actor.kind === 'staff' || ctx.actor.kind === 'citizen' ? ctx.actor.id : null,
    })
    .returning()
  const t = row as TicketRow
  await audit(ctx, {
    entityType: 'queue_ticket',
    entityId: t.id,
    action: 'queue.issue',
    after: { number: t.number, kind: t.kind, onTime: t.onTime },
    unitId: input.office.unitId,
  })
  emitQueueChanged(ctx, input.office)
  return t
}

function emitQueueChanged(ctx: Ctx, office: OfficeRow) {
  ctx.emit({ type: 'queue.changed', audience: { unitIds: [office.unitId], channels: [`hall:${office.id}`] }, data: { officeId: office.id } })
}

/** A walk-in (no booking) gets a number at the counter. */
export async function createWalkIn(ctx: Ctx, input: { officeId: string; serviceId: string }): Promise<Ticket> {
  const office = await loadOfficeInScope(ctx, input.officeId)
  if (!office.active) throw unprocessable('office_inactive', 'The office is not active')
  const service = await assertOffered(ctx.db, office.id, input.serviceId)
  const row = await ctx.db.transaction(async (tx) => issueTicket(withDb(ctx, tx), { office, service, kind: 'walk_in', onTime: false }))
  return ticketView(ctx, row.id)
}

// ---------------------------------------------------------------------------------------------
// Windows

async function loadWindowInScope(ctx: Ctx, windowId: string, lock = false): Promise<{ window: WindowRow; office: OfficeRow }> {
  const q = ctx.db
    .select({ w: serviceWindows, o: offices })
    .from(serviceWindows)
    .innerJoin(offices, eq(offices.id, serviceWindows.officeId))
    .where(eq(serviceWindows.id, windowId))
  const [row] = lock ? await q.for('update', { of: serviceWindows }) : await q
  if (!row || !inUnitScope(ctx.actor, row.o.unitId)) throw notFound('Window')
  return { window: row.w, office: row.o }
}

const isSupervisor = (ctx: Ctx) => ctx.actor.role === 'unit_head' || ctx.actor.role === 'admin'

/** Window staff act only at the window they are signed in to; unit heads and admins anywhere in scope. */
function assertAtWindow(ctx: Ctx, w: WindowRow) {
  if (isSupervisor(ctx)) return
  if (ctx.actor.kind !== 'staff' || w.staffId !== ctx.actor.id) throw conflict('not_signed_in', `Sign in to window ${w.number} first`)
}

export async function listWindows(ctx: Ctx, officeId?: string): Promise<ServiceWindow[]> {
  const ids = officeId ? [(await loadOfficeInScope(ctx, officeId)).id] : await officeIdsInScope(ctx)
  if (ids.length === 0) return []
  const rows = await ctx.db
    .select()
    .from(serviceWindows)
    .where(inArray(serviceWindows.officeId, ids))
    .orderBy(asc(serviceWindows.officeId), asc(serviceWindows.number))
  return Promise.all(rows.map((w) => windowView(ctx.db, w)))
}

export async function signInToWindow(ctx: Ctx, windowId: string, takeOver: boolean): Promise<ServiceWindow> {
  const me = ctx.actor.kind === 'staff' ? ctx.actor.id : ''
  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const { window: w, office } = await loadWindowInScope(t, windowId, true)
    if (!w.active) throw unprocessable('window_inactive', 'This window is not in service')
    if (w.staffId && w.staffId !== me && !takeOver) throw conflict('window_occupied', `Window ${w.number} is signed in by someone else`, { staffId: w.staffId })
    await tx.update(serviceWindows).set({ staffId: null, signedInAt: null }).where(eq(serviceWindows.staffId, me))
    const [row] = await tx.update(serviceWindows).set({ staffId: me, signedInAt: ctx.now() }).where(eq(serviceWindows.id, w.id)).returning()
    await audit(t, {
      entityType: 'service_window',
      entityId: w.id,
      action: 'window.sign_in',
      before: { staffId: w.staffId },
      after: { staffId: me },
      unitId: office.unitId,
    })
    emitQueueChanged(t, office)
    return windowView(tx, row as WindowRow)
  })
}

export async function signOutOfWindow(ctx: Ctx, windowId: string): Promise<ServiceWindow> {
  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const { window: w, office } = await loadWindowInScope(t, windowId, true)
    assertAtWindow(t, w)
    const [row] = await tx.update(serviceWindows).set({ staffId: null, signedInAt: null }).where(eq(serviceWindows.id, w.id)).returning()
    await audit(t, {
      entityType: 'service_window',
      entityId: w.id,
      action: 'window.sign_out',
      before: { staffId: w.staffId },
      after: { staffId: null },
      unitId: office.unitId,
    })
    emitQueueChanged(t, office)
    return windowView(tx, row as WindowRow)
  })
}

/** The window console: current number, the waiting line in calling order, counts and average wait. */
export async function windowQueue(ctx: Ctx, windowId: string): Promise<WindowQueue> {
  const { window: w } = await loadWindowInScope(ctx, windowId)
  const day = today(ctx)
  const now = ctx.now()
  const [current] = await ticketQuery(ctx.db).where(and(eq(queueTickets.windowId, w.id), inArray(queueTickets.state, ['called', 'serving'])))
  const waiting = await ticketQuery(ctx.db)
    .where(waitingFor(w, day))
    .orderBy(...queueOrder(now))
    .limit(50)
  const [waitingCount] = await ctx.db.select({ n: count() }).from(queueTickets).where(waitingFor(w, day))
  const [avg] = await ctx.db
    .select({ minutes: sql<string | null>`avg(extract(epoch from (${queueTickets.calledAt} - ${queueTickets.issuedAt})) / 60)` })
    .from(queueTickets)
    .where(
      and(
        eq(queueTickets.officeId, w.officeId),
        eq(queueTickets.date, day),
        isNotNull(queueTickets.calledAt),
        sql`${queueTickets.serviceId} in (select ${windowServices.serviceId} from ${windowServices} where ${windowServices.windowId} = ${w.id})`,
      ),
    )
  const [served] = await ctx.db
    .select({ n: count() })
    .from(queueTickets)
    .where(and(eq(queueTickets.windowId, w.id), eq(queueTickets.date, day), eq(queueTickets.state, 'done')))
  return {
    window: await windowView(ctx.db, w),
    current: current ? toTicket(current, ctx) : null,
    waiting: waiting.map((r) => toTicket(r, ctx)),
    waitingCount: waitingCount?.n ?? 0,
    averageWaitMinutes: avg?.minutes == null ? null : Math.round(Number(avg.minutes) * 10) / 10,
    servedToday: served?.n ?? 0,
  }
}

// ---------------------------------------------------------------------------------------------
// Calling and serving

/**
 * Calls the next number for a window. Two windows calling at once never get the same ticket:
 * the candidate is picked `for update skip locked` and the update re-checks `state = 'waiting'`;
 * the window row is locked so a double press at one window waits, and a partial unique index
 * allows one called/serving ticket per window. Returns null when nobody is waiting.
 */
export async function callNext(ctx: Ctx, windowId: string): Promise<Ticket | null> {
  return inTransaction(ctx, async (t) => {
    const tx = t.db
    const { window: w, office } = await loadWindowInScope(t, windowId, true)
    assertAtWindow(t, w)
    if (!w.active) throw unprocessable('window_inactive', 'This window is not in service')
    const inHand = tx
      .select({ id: queueTickets.id, number: queueTickets.number })
      .from(queueTickets)
      .where(and(eq(queueTickets.windowId, w.id), inArray(queueTickets.state, ['called', 'serving'])))
    const now = ctx.now()
    // A window still holding a number picks nothing: checked first (a one-time filter), so no
    // waiting ticket is even locked; under the window's lock, so a double press sees the first call.
    const pick = tx
      .select({ id: queueTickets.id })
      .from(queueTickets)
      .where(and(waitingFor(w, today(t)), notExists(inHand)))
      .orderBy(...queueOrder(now))
      .limit(1)
      .for('update', { skipLocked: true })
    const [called] = await tx
      .update(queueTickets)
      .set({ state: 'called', windowId: w.id, calledAt: now, callCount: 1, servedBy: ctx.actor.kind === 'staff' ? ctx.actor.id : null })
      .where(and(sql`${queueTickets.id} = (${pick})`, eq(queueTickets.state, 'waiting')))
      .returning()
    if (!called) {
      // Nobody waiting, or the window is busy: only then is it worth asking which.
      const [busy] = await inHand
      if (busy) throw conflict('window_busy', `Finish ${busy.number} first (complete, skip or transfer)`, { ticketId: busy.id, number: busy.number })
      return null
    }
    // The view is read in the same transaction, pipelined with the audit row and the inbox entry.
    const [, view] = await pipeline([afterCall(t, called, w, office, 'queue.call'), ticketView(t, called.id)])
    return view
  })
}

async function afterCall(ctx: Ctx, t: TicketRow, w: WindowRow, office: OfficeRow, action: string) {
  await pipeline([
    audit(ctx, {
      entityType: 'queue_ticket',
      entityId: t.id,
      action,
      after: { number: t.number, window: w.number, callCount: t.callCount },
      unitId: office.unitId,
    }),
    t.citizenId
      ? notify(ctx, {
          recipientType: 'citizen',
          recipientId: t.citizenId,
          messageKey: 'bookings.notify.called',
          params: { number: t.number, window: w.number },
          link: t.bookingId ? `/bookings/${t.bookingId}` : undefined,
        })
      : null,
  ])
  ctx.emit({
    type: 'queue.called',
    audience: { unitIds: [office.unitId], channels: [`hall:${office.id}`], ...(t.citizenId ? { citizenIds: [t.citizenId] } : {}) },
    data: { officeId: office.id, ticketId: t.id, number: t.number, windowNumber: w.number, callCount: t.callCount, calledAt: iso(t.calledAt) },
  })
}

async function loadTicketForUpdate(ctx: Ctx, ticketId: string) {
  const [row] = await ctx.db
    .select({ t: queueTickets, o: offices })
    .from(queueTickets)
    .innerJoin(offices, eq(offices.id, queueTickets.officeId))
    .where(eq(queueTickets.id, ticketId))
    .for('update', { of: queueTickets })
  if (!row || !inUnitScope(ctx.actor, row.o.unitId)) throw notFound('Ticket')
  return { ticket: row.t, office: row.o }
}

async function windowOf(ctx: Ctx, windowId: string | null): Promise<WindowRow | null> {
  if (!windowId) return null
  const [w] = await ctx.db.select().from(serviceWindows).where(eq(serviceWindows.id, windowId))
  return w ?? null
}

function nextState(ctx: Ctx, state: TicketState, action: TicketAction): TicketState {
  const to = ticketMachine.next(state, action, roleOf(ctx))
  if (!to) throw invalidTransition(state, action)
  return to
}

/** Moves the booking behind a ticket along (complete → done, skip → missed, requeue → checked in). */
async function followBooking(ctx: Ctx, t: TicketRow, action: 'complete' | 'miss' | 'requeue') {
  if (!t.bookingId) return
  const [b] = await ctx.db.select().from(bookings).where(eq(bookings.id, t.bookingId)).for('update')
  if (!b) return
  const to = bookingMachine.next(b.state, action, roleOf(ctx))
  if (!to) return
  const now = ctx.now()
  await ctx.db
    .update(bookings)
    .set({ state: to, updatedAt: now, version: sql`${bookings.version} + 1`, ...(to === 'done' ? { completedAt: now } : {}) })
    .where(and(eq(bookings.id, b.id), eq(bookings.state, b.state)))
  await bookingEvent(ctx, b.id, action, b.state, to, t.number)
  if (to === 'done' || to === 'missed') {
    await notify(ctx, {
      recipientType: 'citizen',
      recipientId: b.citizenId,
      messageKey: to === 'done' ? 'bookings.notify.done' : 'bookings.notify.missed',
      params: { code: b.code, number: t.number },
      link: `/bookings/${b.id}`,
    })
  }
  ctx.emit({ type: 'booking.changed', audience: { citizenIds: [b.citizenId] }, data: { id: b.id, state: to } })
}

/**
 * recall | start | complete | skip | requeue | cancel on one ticket. Each is a conditional update
 * on the expected state, so two staff acting at once get one success and one 409.
 */
export async function ticketAction(ctx: Ctx, ticketId: string, action: Exclude<TicketAction, 'call' | 'transfer'>): Promise<Ticket> {
  await ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const { ticket, office } = await loadTicketForUpdate(t, ticketId)
    const to = nextState(t, ticket.state, action)
    const w = await windowOf(t, ticket.windowId)
    if (w && ['recall', 'start', 'complete', 'skip'].includes(action)) assertAtWindow(t, w)
    const now = ctx.now()
    const me = ctx.actor.kind === 'staff' ? ctx.actor.id : null
    const patch: Partial<typeof queueTickets.$inferInsert> = { state: to }
    if (action === 'recall') Object.assign(patch, { calledAt: now, callCount: ticket.callCount + 1 })
    if (action === 'start') Object.assign(patch, { servingAt: now, servedBy: me ?? ticket.servedBy })
    if (action === 'complete') Object.assign(patch, { completedAt: now, servedBy: me ?? ticket.servedBy })
    // Back in line as a walk-in: the booked priority was lost by not answering the call.
    if (action === 'requeue') Object.assign(patch, { windowId: null, targetWindowId: null, onTime: false, issuedAt: now, calledAt: null, callCount: 0 })
    const [row] = await tx
      .update(queueTickets)
      .set(patch)
      .where(and(eq(queueTickets.id, ticket.id), eq(queueTickets.state, ticket.state)))
      .returning()
    if (!row) throw invalidTransition(ticket.state, action)
    await audit(t, {
      entityType: 'queue_ticket',
      entityId: row.id,
      action: `queue.${action}`,
      before: { state: ticket.state },
      after: { state: row.state },
      unitId: office.unitId,
    })
    if (action === 'recall' && w) {
      await afterCall(t, row, w, office, 'queue.recall')
    } else {
      emitQueueChanged(t, office)
    }
    if (action === 'complete') {
      await followBooking(t, row, 'complete')
      const [full] = await completedQuery(tx).where(eq(queueTickets.id, row.id))
      const done = toCompleted(full as Parameters<typeof toCompleted>[0])
      for (const hook of completedHooks) await hook(t, done)
      ctx.emit({
        type: 'queue.completed',
        audience: { unitIds: [office.unitId], ...(row.citizenId ? { citizenIds: [row.citizenId] } : {}) },
        data: { ticketId: row.id, officeId: office.id, windowId: row.windowId, serviceId: row.serviceId, bookingId: row.bookingId, number: row.number },
      })
    }
    if (action === 'skip') await followBooking(t, row, 'miss')
    if (action === 'requeue') await followBooking(t, row, 'requeue')
  })
  return ticketView(ctx, ticketId)
}

/** Sends a ticket to another window of the office: this one closes as transferred, a new one (same number) waits there first. */
export async function transferTicket(ctx: Ctx, ticketId: string, input: { windowId: string; serviceId?: string }): Promise<Ticket> {
  const newId = await ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const { ticket, office } = await loadTicketForUpdate(t, ticketId)
    const to = nextState(t, ticket.state, 'transfer')
    const from = await windowOf(t, ticket.windowId)
    if (from && ticket.state !== 'waiting') assertAtWindow(t, from)
    const target = await windowOf(t, input.windowId)
    if (!target || target.officeId !== office.id) throw notFound('Window')
    if (!target.active) throw unprocessable('window_inactive', 'That window is not in service')
    if (target.id === ticket.windowId || target.id === ticket.targetWindowId) throw unprocessable('same_window', 'The ticket is already at that window')
    const serviceId = input.serviceId ?? ticket.serviceId
    if (input.serviceId) await assertOffered(tx, office.id, input.serviceId)
    const [closed] = await tx
      .update(queueTickets)
      .set({ state: to })
      .where(and(eq(queueTickets.id, ticket.id), eq(queueTickets.state, ticket.state)))
      .returning()
    if (!closed) throw invalidTransition(ticket.state, 'transfer')
    const [moved] = await tx
      .insert(queueTickets)
      .values({
        officeId: office.id,
        date: ticket.date,
        serviceId,
        bookingId: ticket.bookingId,
        citizenId: ticket.citizenId,
        number: ticket.number,
        seq: ticket.seq,
        kind: ticket.kind,
        onTime: ticket.onTime,
        slotStartsAt: ticket.slotStartsAt,
        state: 'waiting',
        targetWindowId: target.id,
        transferredFromId: ticket.id,
        issuedAt: ctx.now(),
        issuedBy: ctx.actor.kind === 'staff' ? ctx.actor.id : null,
      })
      .returning({ id: queueTickets.id })
    await audit(t, {
      entityType: 'queue_ticket',
      entityId: ticket.id,
      action: 'queue.transfer',
      before: { state: ticket.state, windowId: ticket.windowId },
      after: { state: to, toWindow: target.number, newTicketId: moved?.id },
      unitId: office.unitId,
    })
    if (ticket.bookingId) await bookingEvent(t, ticket.bookingId, 'transfer', null, null, `${ticket.number} → ${target.number}`)
    emitQueueChanged(t, office)
    return moved?.id as string
  })
  return ticketView(ctx, newId)
}

/** Today's tickets of an office (the check-in desk's overview). */
export async function officeTickets(ctx: Ctx, officeId: string, state?: TicketState): Promise<Ticket[]> {
  const office = await loadOfficeInScope(ctx, officeId)
  const rows = await ticketQuery(ctx.db)
    .where(and(eq(queueTickets.officeId, office.id), eq(queueTickets.date, today(ctx)), state ? eq(queueTickets.state, state) : undefined))
    .orderBy(asc(queueTickets.issuedAt), asc(queueTickets.seq))
    .limit(500)
  return rows.map((r) => toTicket(r, ctx))
}

// ---------------------------------------------------------------------------------------------
// Hall display and statistics

/** What the hall TV shows: no names, only numbers and windows. */
export async function hallDisplay(ctx: Ctx, officeId: string): Promise<HallDisplay> {
  const [office] = await ctx.db.select().from(offices).where(eq(offices.id, officeId))
  if (!office?.active) throw notFound('Office')
  const day = today(ctx)
  const now = ctx.now()
  const windows = await ctx.db
    .select()
    .from(serviceWindows)
    .where(and(eq(serviceWindows.officeId, office.id), eq(serviceWindows.active, true)))
    .orderBy(asc(serviceWindows.number))
  const active = await ctx.db
    .select()
    .from(queueTickets)
    .where(and(eq(queueTickets.officeId, office.id), eq(queueTickets.date, day), inArray(queueTickets.state, ['called', 'serving'])))
  const recent = await ctx.db
    .select({ t: queueTickets, windowNumber: serviceWindows.number })
    .from(queueTickets)
    .innerJoin(serviceWindows, eq(serviceWindows.id, queueTickets.windowId))
    .where(and(eq(queueTickets.officeId, office.id), eq(queueTickets.date, day), isNotNull(queueTickets.calledAt), sql`${queueTickets.state} <> 'transferred'`))
    .orderBy(desc(queueTickets.calledAt))
    .limit(8)
  const waitingWhere = and(eq(queueTickets.officeId, office.id), eq(queueTickets.date, day), eq(queueTickets.state, 'waiting'))
  const waiting = await ctx.db
    .select({ number: queueTickets.number, serviceName: services.name })
    .from(queueTickets)
    .innerJoin(services, eq(services.id, queueTickets.serviceId))
    .where(waitingWhere)
    .orderBy(...queueOrder(now))
    .limit(12)
  const [n] = await ctx.db.select({ n: count() }).from(queueTickets).where(waitingWhere)
  return {
    office: { id: office.id, name: office.name },
    windows: windows.map((w) => {
      const cur = active.find((t) => t.windowId === w.id)
      return {
        id: w.id,
        number: w.number,
        label: w.label,
        current: cur ? { ticketId: cur.id, number: cur.number, state: cur.state, calledAt: (cur.calledAt ?? cur.issuedAt).toISOString() } : null,
      }
    }),
    recentCalls: recent.map((r) => ({
      ticketId: r.t.id,
      number: r.t.number,
      windowNumber: r.windowNumber,
      calledAt: (r.t.calledAt as Date).toISOString(),
      callCount: r.t.callCount,
    })),
    waiting,
    waitingCount: n?.n ?? 0,
    serverTime: now.toISOString(),
  }
}

/** Today's queue figures per office in scope (dashboard widget). */
export async function queueStats(ctx: Ctx, officeId?: string): Promise<QueueStats[]> {
  const ids = officeId ? [(await loadOfficeInScope(ctx, officeId)).id] : await officeIdsInScope(ctx)
  if (ids.length === 0) return []
  const day = today(ctx)
  const officeRows = await ctx.db.select({ id: offices.id, name: offices.name }).from(offices).where(inArray(offices.id, ids)).orderBy(asc(offices.name))
  const tickets = await ctx.db
    .select({
      officeId: queueTickets.officeId,
      issued: sql<number>`count(*) filter (where ${queueTickets.transferredFromId} is null)`.mapWith(Number),
      waiting: sql<number>`count(*) filter (where ${queueTickets.state} = 'waiting')`.mapWith(Number),
      inService: sql<number>`count(*) filter (where ${queueTickets.state} in ('called', 'serving'))`.mapWith(Number),
      done: sql<number>`count(*) filter (where ${queueTickets.state} = 'done')`.mapWith(Number),
      noShow: sql<number>`count(*) filter (where ${queueTickets.state} = 'no_show')`.mapWith(Number),
      wait: sql<string | null>`avg(extract(epoch from (${queueTickets.calledAt} - ${queueTickets.issuedAt})) / 60)`,
      service: sql<
        string | null
      >`avg(extract(epoch from (${queueTickets.completedAt} - ${queueTickets.calledAt})) / 60) filter (where ${queueTickets.state} = 'done')`,
    })
    .from(queueTickets)
    .where(and(inArray(queueTickets.officeId, ids), eq(queueTickets.date, day)))
    .groupBy(queueTickets.officeId)
  const bookingRows = await ctx.db
    .select({
      officeId: bookings.officeId,
      total: sql<number>`count(*) filter (where ${bookings.state} <> 'cancelled')`.mapWith(Number),
      checkedIn: sql<number>`count(*) filter (where ${bookings.state} in ('checked_in', 'done', 'missed'))`.mapWith(Number),
    })
    .from(bookings)
    .where(and(inArray(bookings.officeId, ids), eq(bookings.date, day)))
    .groupBy(bookings.officeId)
  const round = (v: string | null | undefined) => (v == null ? null : Math.round(Number(v) * 10) / 10)
  return officeRows.map((o) => {
    const t = tickets.find((x) => x.officeId === o.id)
    const b = bookingRows.find((x) => x.officeId === o.id)
    return {
      officeId: o.id,
      officeName: o.name,
      date: day,
      issued: t?.issued ?? 0,
      waiting: t?.waiting ?? 0,
      inService: t?.inService ?? 0,
      done: t?.done ?? 0,
      noShow: t?.noShow ?? 0,
      averageWaitMinutes: round(t?.wait),
      averageServiceMinutes: round(t?.service),
      bookingsToday: b?.total ?? 0,
      bookingsCheckedIn: b?.checkedIn ?? 0,
    }
  })
}

/**
 * End of day: tickets still waiting or called from earlier days are cancelled, tickets left
 * "serving" are completed (the citizen was served; staff forgot to press complete). Idempotent.
 */
export async function closePastDays(ctx: Ctx): Promise<number> {
  const day = today(ctx)
  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const cancelled = await tx
      .update(queueTickets)
      .set({ state: 'cancelled' })
      .where(and(sql`${queueTickets.date} < ${day}`, inArray(queueTickets.state, ['waiting', 'called'])))
      .returning()
    const served = await tx
      .update(queueTickets)
      .set({ state: 'done', completedAt: ctx.now() })
      .where(and(sql`${queueTickets.date} < ${day}`, eq(queueTickets.state, 'serving')))
      .returning()
    for (const r of cancelled) await followBooking(t, r, 'miss')
    for (const r of served) await followBooking(t, r, 'complete')
    return cancelled.length + served.length
  })
}
