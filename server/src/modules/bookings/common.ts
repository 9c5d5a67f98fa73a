import type { ActorRole } from '@tp/shared'
import { DEFAULT_POLICY, type BookingPolicy as Policy } from '@tp/shared/bookings/schemas'
import { type CalendarOverride, officialCalendar, toChinaDate, type WorkCalendar } from '@tp/shared/calendar'
import { eq, inArray, sql } from 'drizzle-orm'
import { inUnitScope } from '../../platform/access'
import type { Ctx } from '../../platform/context'
import type { Db } from '../../platform/db'
import { notFound } from '../../platform/errors'
import { calendarOverrides } from '../../platform/platform.tables'
import { prepared } from '../../platform/prepared'
import { bookingEvents, bookingPolicy, offices, type slots } from './bookings.tables'

export type OfficeRow = typeof offices.$inferSelect

export const today = (ctx: Ctx) => toChinaDate(ctx.now())

/** What a booking copies from the slot it holds (taken, moved to, or seeded). */
export function heldSlot(s: Pick<typeof slots.$inferSelect, 'id' | 'officeId' | 'date' | 'startTime' | 'endTime' | 'startsAt' | 'endsAt'>) {
  return { slotId: s.id, officeId: s.officeId, date: s.date, startTime: s.startTime, endTime: s.endTime, startsAt: s.startsAt, endsAt: s.endsAt }
}

/** The actor's role for the state machines (routes that reach here are never anonymous). */
export function roleOf(ctx: Ctx): ActorRole {
  if (ctx.actor.kind === 'anonymous') throw new Error('anonymous actor reached a state change')
  return ctx.actor.role
}

/** The booking rules as configured (defaults until an admin saves them). */
export async function loadPolicy(db: Db): Promise<Policy> {
  const [row] = await policyRow(db).execute()
  return row ? { ...DEFAULT_POLICY, ...row.policy } : DEFAULT_POLICY
}

// Read on every slot list (and the policy on every booking): prepared (see platform/prepared.ts).
const policyRow = prepared((db) =>
  db.select({ policy: bookingPolicy.policy }).from(bookingPolicy).where(eq(bookingPolicy.id, 'default')).prepare('booking_policy'),
)
const calendarRows = prepared((db) =>
  db
    .select({ date: calendarOverrides.date, working: calendarOverrides.working, name: calendarOverrides.name })
    .from(calendarOverrides)
    .prepare('calendar_overrides'),
)
const officeById = prepared((db) =>
  db
    .select()
    .from(offices)
    .where(eq(offices.id, sql.placeholder('id')))
    .prepare('office_by_id'),
)

/** The official calendar with the admin-edited overrides (the appeals clock uses the same table). */
export async function loadCalendar(db: Db): Promise<{ calendar: WorkCalendar; overrides: CalendarOverride[] }> {
  const rows = await calendarRows(db).execute()
  const overrides = rows.map((r) => ({ date: r.date, working: r.working, ...(r.name ? { name: r.name } : {}) }))
  return { calendar: officialCalendar(overrides), overrides }
}

/** Staff: the office must be in the actor's unit scope, else 404 (no hint it exists). */
export async function loadOfficeInScope(ctx: Ctx, officeId: string): Promise<OfficeRow> {
  const [row] = await ctx.db.select().from(offices).where(eq(offices.id, officeId))
  if (!row || !inUnitScope(ctx.actor, row.unitId)) throw notFound('Office')
  return row
}

export async function loadOffice(db: Db, officeId: string): Promise<OfficeRow> {
  const [row] = await officeById(db).execute({ id: officeId })
  if (!row) throw notFound('Office')
  return row
}

/** Office ids the staff member may see. */
export async function officeIdsInScope(ctx: Ctx): Promise<string[]> {
  if (ctx.actor.kind !== 'staff') return []
  const rows = await ctx.db
    .select({ id: offices.id })
    .from(offices)
    .where(inArray(offices.unitId, [...ctx.actor.unitScope]))
  return rows.map((r) => r.id)
}

export function actorFields(ctx: Ctx) {
  const a = ctx.actor
  return { actorType: a.kind, actorRole: a.role, actorId: a.kind === 'citizen' || a.kind === 'staff' ? a.id : null }
}

export type BookingEventRow = typeof bookingEvents.$inferSelect

/** A step on the booking's timeline (in the caller's transaction); returns the row written. */
export async function bookingEvent(
  ctx: Ctx,
  bookingId: string,
  action: string,
  fromState: string | null,
  toState: string | null,
  note?: string | null,
): Promise<BookingEventRow> {
  const [row] = await ctx.db
    .insert(bookingEvents)
    .values({ bookingId, at: ctx.now(), action, fromState, toState, note: note ?? null, ...actorFields(ctx) })
    .returning()
  return row as BookingEventRow
}

/** PostgreSQL error code of a failed query, through drizzle's wrapping. */
export function pgCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined
  for (let i = 0; i < 4 && e; i++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code
    e = e.cause as typeof e
  }
  return undefined
}

export function constraintOf(err: unknown): string | undefined {
  let e = err as { constraint_name?: string; constraint?: string; cause?: unknown } | undefined
  for (let i = 0; i < 4 && e; i++) {
    const c = e.constraint_name ?? e.constraint
    if (c) return c
    e = e.cause as typeof e
  }
  return undefined
}

export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null)

export function inScopeOffices(ctx: Ctx) {
  return ctx.actor.kind === 'staff' ? inArray(offices.unitId, [...ctx.actor.unitScope]) : eq(offices.id, '00000000-0000-0000-0000-000000000000')
}
