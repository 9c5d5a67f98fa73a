import { bookingDates, type CapacityRule, type DayStatus, dayOpening, planSlots, slotInstant, whyNotBookable } from '@tp/shared/bookings/rules'
import type { BookingPolicy, DayAvailability, Slot } from '@tp/shared/bookings/schemas'
import { addCalendarDays, toChinaDate } from '@tp/shared/calendar'
import { and, asc, between, eq, inArray, notInArray, sql } from 'drizzle-orm'
import type { Ctx } from '../../platform/context'
import type { Db } from '../../platform/db'
import { notFound } from '../../platform/errors'
import { prepared } from '../../platform/prepared'
import { pipeline } from '../../platform/tx'
import { capacityOverrides, officeDayOverrides, officeServices, offices, services, serviceWindows, slots, windowServices } from './bookings.tables'
import { loadCalendar, loadOffice, loadPolicy, type OfficeRow } from './common'

export type ServiceRow = typeof services.$inferSelect
export type SlotRow = typeof slots.$inferSelect

/** The office's offered services and, per service, how many services each window handling it handles. */
export async function officeSetup(db: Db, officeId: string) {
  const offered = await db
    .select({ s: services })
    .from(officeServices)
    .innerJoin(services, eq(services.id, officeServices.serviceId))
    .where(and(eq(officeServices.officeId, officeId), eq(services.active, true)))
    .orderBy(asc(services.sortOrder), asc(services.name))
  const offeredIds = new Set(offered.map((o) => o.s.id))
  const links = await db
    .select({ windowId: windowServices.windowId, serviceId: windowServices.serviceId })
    .from(windowServices)
    .innerJoin(serviceWindows, eq(serviceWindows.id, windowServices.windowId))
    .where(and(eq(serviceWindows.officeId, officeId), eq(serviceWindows.active, true)))
  const byWindow = new Map<string, string[]>()
  for (const l of links) {
    if (!offeredIds.has(l.serviceId)) continue
    byWindow.set(l.windowId, [...(byWindow.get(l.windowId) ?? []), l.serviceId])
  }
  const loads = new Map<string, number[]>()
  for (const list of byWindow.values()) for (const s of list) loads.set(s, [...(loads.get(s) ?? []), list.length])
  return { services: offered.map((o) => o.s), loads }
}

/** What decides whether an office is open on the dates: the holiday calendar and the office's per-date overrides. */
async function dayRules(db: Db, officeId: string, dates: readonly string[]) {
  const [{ calendar, overrides }, dayRows] = await pipeline([
    loadCalendar(db),
    dates.length === 1
      ? dayOverride(db).execute({ officeId, date: dates[0] })
      : db
          .select()
          .from(officeDayOverrides)
          .where(and(eq(officeDayOverrides.officeId, officeId), inArray(officeDayOverrides.date, [...dates])))
          .execute(),
  ])
  return { calendar, overrides, byDate: new Map(dayRows.map((r) => [r.date, r])) }
}

// One date's rules are read on every slot list: prepared (see platform/prepared.ts).
const dayOverride = prepared((db) =>
  db
    .select()
    .from(officeDayOverrides)
    .where(and(eq(officeDayOverrides.officeId, sql.placeholder('officeId')), inArray(officeDayOverrides.date, [sql.placeholder('date')])))
    .prepare('office_day_override'),
)

function statusesOf(office: OfficeRow, dates: readonly string[], rules: Awaited<ReturnType<typeof dayRules>>): Map<string, DayStatus> {
  const out = new Map<string, DayStatus>()
  for (const d of dates) {
    const o = rules.byDate.get(d)
    out.set(d, dayOpening(d, office.hours, rules.calendar, rules.overrides, o ? { closed: o.closed, hours: o.hours } : null))
  }
  return out
}

/** Open or closed, and when, for each date: the holiday calendar, the office's hours and its per-date overrides. */
export async function dayStatuses(db: Db, office: OfficeRow, dates: readonly string[]): Promise<Map<string, DayStatus>> {
  if (dates.length === 0) return new Map()
  return statusesOf(office, dates, await dayRules(db, office.id, dates))
}

/** The dates whose slots are kept materialised: today through the end of the booking window. */
export function syncDates(now: Date, policy: BookingPolicy): string[] {
  const today = toChinaDate(now)
  return Array.from({ length: policy.daysAhead + 1 }, (_, i) => addCalendarDays(today, i))
}

/**
 * Materialises an office's slots for `dates` from its configuration. New slots are inserted;
 * existing ones get the new capacity but never less than what is already booked (the CHECK
 * would refuse it, and bookings are kept); slots that no longer exist (closed day, changed
 * hours) are shut by setting capacity to what is booked. All in SQL, no read-then-write of `booked`.
 */
export async function syncSlots(db: Db, officeId: string, dates: readonly string[]): Promise<void> {
  if (dates.length === 0) return
  const office = await loadOffice(db, officeId)
  const desired: (typeof slots.$inferInsert)[] = []
  if (office.active) {
    const setup = await officeSetup(db, officeId)
    const statuses = await dayStatuses(db, office, dates)
    const caps = await db
      .select()
      .from(capacityOverrides)
      .where(and(eq(capacityOverrides.officeId, officeId), inArray(capacityOverrides.date, [...dates])))
    for (const date of dates) {
      const st = statuses.get(date)
      if (!st?.open) continue
      const rules: CapacityRule[] = caps.filter((c) => c.date === date).map((c) => ({ serviceId: c.serviceId, startTime: c.startTime, capacity: c.capacity }))
      for (const s of setup.services) {
        const plan = planSlots({
          periods: st.periods,
          officeSlotMinutes: office.slotMinutes,
          durationMinutes: s.durationMinutes,
          windows: setup.loads.get(s.id) ?? [],
          serviceId: s.id,
          overrides: rules,
        })
        for (const p of plan) {
          desired.push({
            officeId,
            serviceId: s.id,
            date,
            startTime: p.startTime,
            endTime: p.endTime,
            startsAt: slotInstant(date, p.startTime),
            endsAt: slotInstant(date, p.endTime),
            capacity: p.capacity,
          })
        }
      }
    }
  }
  const kept: string[] = []
  for (let i = 0; i < desired.length; i += 500) {
    const rows = await db
      .insert(slots)
      .values(desired.slice(i, i + 500))
      .onConflictDoUpdate({
        target: [slots.officeId, slots.serviceId, slots.date, slots.startTime],
        set: {
          capacity: sql`greatest(excluded.capacity, ${slots.booked})`,
          endTime: sql`excluded.end_time`,
          startsAt: sql`excluded.starts_at`,
          endsAt: sql`excluded.ends_at`,
        },
      })
      .returning({ id: slots.id })
    kept.push(...rows.map((r) => r.id))
  }
  await db
    .update(slots)
    .set({ capacity: sql`${slots.booked}` })
    .where(
      and(
        eq(slots.officeId, officeId),
        inArray(slots.date, [...dates]),
        sql`${slots.capacity} <> ${slots.booked}`,
        kept.length ? notInArray(slots.id, kept) : undefined,
      ),
    )
}

/** Slots for dates that should have some but have none yet (a new day entered the window). */
async function ensureSlots(db: Db, officeId: string, serviceId: string, openDates: readonly string[]): Promise<void> {
  if (openDates.length === 0) return
  const have = await db
    .select({ date: slots.date })
    .from(slots)
    .where(and(eq(slots.officeId, officeId), eq(slots.serviceId, serviceId), inArray(slots.date, [...openDates])))
    .groupBy(slots.date)
  const haveSet = new Set(have.map((h) => h.date))
  const missing = openDates.filter((d) => !haveSet.has(d))
  if (missing.length) await syncSlots(db, officeId, missing)
}

export async function assertOffered(db: Db, officeId: string, serviceId: string): Promise<ServiceRow> {
  const [row] = await serviceOffered(db).execute({ officeId, serviceId })
  if (!row) throw notFound('Service at this office')
  return row.s
}

const serviceOffered = prepared((db) =>
  db
    .select({ s: services })
    .from(officeServices)
    .innerJoin(services, eq(services.id, officeServices.serviceId))
    .where(and(eq(officeServices.officeId, sql.placeholder('officeId')), eq(officeServices.serviceId, sql.placeholder('serviceId')), eq(services.active, true)))
    .prepare('service_offered'),
)

async function activeOffice(db: Db, officeId: string): Promise<OfficeRow> {
  const office = await loadOffice(db, officeId)
  if (!office.active) throw notFound('Office')
  return office
}

/** Each date of the booking window: open or why closed, and the places left (only in slots still bookable). */
export async function availability(ctx: Ctx, officeId: string, serviceId: string): Promise<DayAvailability[]> {
  const db = ctx.db
  const office = await activeOffice(db, officeId)
  await assertOffered(db, officeId, serviceId)
  const policy = await loadPolicy(db)
  const now = ctx.now()
  const dates = bookingDates(now, policy)
  const statuses = await dayStatuses(db, office, dates)
  const openDates = dates.filter((d) => statuses.get(d)?.open)
  await ensureSlots(db, officeId, serviceId, openDates)
  const rows = openDates.length
    ? await db
        .select({ date: slots.date, startsAt: slots.startsAt, capacity: slots.capacity, booked: slots.booked })
        .from(slots)
        .where(and(eq(slots.officeId, officeId), eq(slots.serviceId, serviceId), between(slots.date, dates[0] as string, dates.at(-1) as string)))
    : []
  return dates.map((date) => {
    const st = statuses.get(date) as DayStatus
    if (!st.open) return { date, open: false, closedReason: st.reason, holidayName: st.holidayName, capacity: 0, remaining: 0 }
    let capacity = 0
    let remaining = 0
    for (const r of rows) {
      if (r.date !== date) continue
      capacity += r.capacity
      if (!whyNotBookable({ date, startsAt: r.startsAt }, now, policy)) remaining += Math.max(0, r.capacity - r.booked)
    }
    return { date, open: true, closedReason: null, holidayName: null, capacity, remaining }
  })
}

/** The slots of one date with the places left; past or too-soon slots are listed as not bookable. */
export async function listSlots(ctx: Ctx, officeId: string, serviceId: string, date: string): Promise<Slot[]> {
  const db = ctx.db
  // Independent look-ups side by side (one wait instead of five); a refusal keeps its order.
  const [office, , policy, rules] = await pipeline([
    activeOffice(db, officeId),
    assertOffered(db, officeId, serviceId),
    loadPolicy(db),
    dayRules(db, officeId, [date]),
  ])
  const now = ctx.now()
  if (!bookingDates(now, policy).includes(date)) return []
  if (!statusesOf(office, [date], rules).get(date)?.open) return []
  let rows = await slotsOfDay(db, officeId, serviceId, date)
  if (rows.length === 0) {
    // An open day not materialised yet (e.g. the window moved on since the last sync).
    await syncSlots(db, officeId, [date])
    rows = await slotsOfDay(db, officeId, serviceId, date)
  }
  return rows
    .filter((r) => r.capacity > 0 || r.booked > 0)
    .map((r) => ({
      id: r.id,
      date: r.date,
      startTime: r.startTime,
      endTime: r.endTime,
      startsAt: r.startsAt.toISOString(),
      capacity: r.capacity,
      remaining: Math.max(0, r.capacity - r.booked),
      bookable: !whyNotBookable({ date: r.date, startsAt: r.startsAt }, now, policy) && r.capacity > r.booked,
    }))
}

/** One day's slots of a service at an office: only what the slot list shows. */
const slotsOfDay = (db: Db, officeId: string, serviceId: string, date: string) => slotsOfDayStatement(db).execute({ officeId, serviceId, date })

const slotsOfDayStatement = prepared((db) =>
  db
    .select({
      id: slots.id,
      date: slots.date,
      startTime: slots.startTime,
      endTime: slots.endTime,
      startsAt: slots.startsAt,
      capacity: slots.capacity,
      booked: slots.booked,
    })
    .from(slots)
    .where(and(eq(slots.officeId, sql.placeholder('officeId')), eq(slots.serviceId, sql.placeholder('serviceId')), eq(slots.date, sql.placeholder('date'))))
    .orderBy(asc(slots.startTime))
    .prepare('slots_of_day'),
)

/** Re-materialises the booking window of every active office (hourly job; also after a calendar change). */
export async function syncAllOffices(ctx: Ctx): Promise<void> {
  const policy = await loadPolicy(ctx.db)
  const dates = syncDates(ctx.now(), policy)
  const rows = await ctx.db.select({ id: offices.id }).from(offices)
  for (const r of rows) await syncSlots(ctx.db, r.id, dates)
}

export async function syncOffice(ctx: Ctx, officeId: string): Promise<void> {
  const policy = await loadPolicy(ctx.db)
  await syncSlots(ctx.db, officeId, syncDates(ctx.now(), policy))
}
