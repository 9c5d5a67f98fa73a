import type { BookingPolicy, BookingState, OfficeKind, Period, TicketState, WeeklyHours } from '@tp/shared/bookings/schemas'
import { sql } from 'drizzle-orm'
import { bigserial, boolean, check, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { citizens, staff, units } from '../identity/identity.tables'

const ts = (name: string) => timestamp(name, { withTimezone: true })

/** Halls that take bookings: 车管所, branch halls, 警务站. Owned by a unit (scope for staff). */
export const offices = pgTable(
  'offices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id),
    name: text('name').notNull(),
    kind: text('kind').$type<OfficeKind>().notNull(),
    address: text('address').notNull(),
    lat: doublePrecision('lat'),
    lng: doublePrecision('lng'),
    phone: text('phone'),
    directions: text('directions').notNull().default(''),
    /** Opening periods per weekday, index 0 = Sunday. */
    hours: jsonb('hours').$type<WeeklyHours>().notNull(),
    /** The slot grid; a service's slot is a whole number of these, at least its duration. */
    slotMinutes: integer('slot_minutes').notNull().default(30),
    active: boolean('active').notNull().default(true),
    version: integer('version').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('offices_unit_idx').on(t.unitId), check('offices_slot_minutes_ck', sql`${t.slotMinutes} between 5 and 240`)],
)

/** The catalogue of vehicle-administration services (registration, transfer, licence, inspection …). */
export const services = pgTable(
  'services',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    /** Queue-number prefix: A → A012. */
    prefix: text('prefix').notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    materials: jsonb('materials').$type<string[]>().notNull().default([]),
    vehicleNeeded: boolean('vehicle_needed').notNull().default(false),
    description: text('description').notNull().default(''),
    active: boolean('active').notNull().default(true),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [check('services_duration_ck', sql`${t.durationMinutes} > 0`)],
)

/** Which services an office offers. */
export const officeServices = pgTable(
  'office_services',
  {
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id, { onDelete: 'cascade' }),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.officeId, t.serviceId] })],
)

/** Service windows of an office; a staff member signs in to one at a time. */
export const serviceWindows = pgTable(
  'service_windows',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    label: text('label').notNull().default(''),
    active: boolean('active').notNull().default(true),
    staffId: uuid('staff_id').references(() => staff.id),
    signedInAt: ts('signed_in_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('service_windows_office_number_uq').on(t.officeId, t.number),
    uniqueIndex('service_windows_staff_uq').on(t.staffId).where(sql`${t.staffId} is not null`),
  ],
)

export const windowServices = pgTable(
  'window_services',
  {
    windowId: uuid('window_id')
      .notNull()
      .references(() => serviceWindows.id, { onDelete: 'cascade' }),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.windowId, t.serviceId] }), index('window_services_service_idx').on(t.serviceId)],
)

/** A date of an office that differs from its weekly hours: a local closure or special hours. */
export const officeDayOverrides = pgTable(
  'office_day_overrides',
  {
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id, { onDelete: 'cascade' }),
    date: text('date').notNull(),
    closed: boolean('closed').notNull(),
    hours: jsonb('hours').$type<Period[]>(),
    reason: text('reason').notNull().default(''),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.officeId, t.date] })],
)

/** Capacity set by hand for a date: all services or one, all slots or one starting time. */
export const capacityOverrides = pgTable(
  'capacity_overrides',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id, { onDelete: 'cascade' }),
    serviceId: uuid('service_id').references(() => services.id, { onDelete: 'cascade' }),
    date: text('date').notNull(),
    startTime: text('start_time'),
    capacity: integer('capacity').notNull(),
    reason: text('reason').notNull().default(''),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('capacity_overrides_uq').on(t.officeId, sql`coalesce(${t.serviceId}::text, '')`, t.date, sql`coalesce(${t.startTime}, '')`),
    check('capacity_overrides_capacity_ck', sql`${t.capacity} >= 0`),
  ],
)

/**
 * Bookable slots, materialised from the configuration. `booked` only ever moves by a conditional
 * UPDATE (… where booked < capacity) and the CHECK makes overbooking impossible even for a bug.
 */
export const slots = pgTable(
  'slots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id, { onDelete: 'cascade' }),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    date: text('date').notNull(),
    startTime: text('start_time').notNull(),
    endTime: text('end_time').notNull(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    capacity: integer('capacity').notNull(),
    booked: integer('booked').notNull().default(0),
  },
  (t) => [
    uniqueIndex('slots_office_service_date_start_uq').on(t.officeId, t.serviceId, t.date, t.startTime),
    index('slots_office_date_idx').on(t.officeId, t.date),
    check('slots_booked_within_capacity_ck', sql`${t.booked} >= 0 and ${t.booked} <= ${t.capacity}`),
  ],
)

export const bookings = pgTable(
  'bookings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull().unique(),
    citizenId: uuid('citizen_id')
      .notNull()
      .references(() => citizens.id),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id),
    slotId: uuid('slot_id')
      .notNull()
      .references(() => slots.id),
    date: text('date').notNull(),
    startTime: text('start_time').notNull(),
    endTime: text('end_time').notNull(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    state: text('state').$type<BookingState>().notNull().default('booked'),
    name: text('name').notNull(),
    idNumber: text('id_number').notNull(),
    plate: text('plate'),
    rescheduleCount: integer('reschedule_count').notNull().default(0),
    remindedAt: ts('reminded_at'),
    checkedInAt: ts('checked_in_at'),
    cancelledAt: ts('cancelled_at'),
    noShowAt: ts('no_show_at'),
    completedAt: ts('completed_at'),
    version: integer('version').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    // One active booking per citizen per service.
    uniqueIndex('bookings_one_active_per_service_uq').on(t.citizenId, t.serviceId).where(sql`${t.state} in ('booked', 'checked_in')`),
    index('bookings_citizen_created_idx').on(t.citizenId, t.createdAt, t.id),
    index('bookings_citizen_no_show_idx').on(t.citizenId, t.noShowAt).where(sql`${t.state} = 'no_show'`),
    index('bookings_office_date_idx').on(t.officeId, t.date, t.startTime),
    // The console list's order (newest day first, each day in time order): pages and capped totals by keyset.
    index('bookings_console_order_idx').on(t.date.desc().nullsFirst(), t.startTime, t.id),
    index('bookings_slot_idx').on(t.slotId),
    // Reminder and no-show sweeps look only at live bookings.
    index('bookings_booked_starts_idx').on(t.startsAt).where(sql`${t.state} = 'booked'`),
  ],
)

/** A booking's timeline. */
export const bookingEvents = pgTable(
  'booking_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Insertion order: steps in one transaction share a timestamp. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id, { onDelete: 'cascade' }),
    at: ts('at').notNull().defaultNow(),
    action: text('action').notNull(),
    actorType: text('actor_type').notNull(),
    actorRole: text('actor_role').notNull(),
    actorId: text('actor_id'),
    fromState: text('from_state'),
    toState: text('to_state'),
    note: text('note'),
  },
  (t) => [index('booking_events_booking_idx').on(t.bookingId, t.seq)],
)

/** Local configuration of the booking rules; one row ('default'). */
export const bookingPolicy = pgTable('booking_policy', {
  id: text('id').primaryKey(),
  policy: jsonb('policy').$type<BookingPolicy>().notNull(),
  updatedBy: uuid('updated_by'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
})

/** Per office, day and prefix: the last queue number issued (incremented by an atomic upsert). */
export const queueCounters = pgTable(
  'queue_counters',
  {
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id, { onDelete: 'cascade' }),
    date: text('date').notNull(),
    prefix: text('prefix').notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.officeId, t.date, t.prefix] })],
)

/**
 * The hall queue: one row per number issued (check-in or walk-in). A transfer closes a ticket as
 * `transferred` and opens a new one with the same number for the target window. Ratings attach
 * to completed tickets (state 'done', `served_by`, `completed_at`).
 */
export const queueTickets = pgTable(
  'queue_tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    date: text('date').notNull(),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id),
    bookingId: uuid('booking_id').references(() => bookings.id),
    citizenId: uuid('citizen_id').references(() => citizens.id),
    /** e.g. A012 */
    number: text('number').notNull(),
    seq: integer('seq').notNull(),
    kind: text('kind').$type<'booked' | 'walk_in'>().notNull(),
    onTime: boolean('on_time').notNull().default(false),
    slotStartsAt: ts('slot_starts_at'),
    state: text('state').$type<TicketState>().notNull().default('waiting'),
    /** The window that called (and serves) the ticket. */
    windowId: uuid('window_id').references(() => serviceWindows.id),
    /** Set by a transfer: only this window may call the ticket. */
    targetWindowId: uuid('target_window_id').references(() => serviceWindows.id),
    transferredFromId: uuid('transferred_from_id'),
    issuedAt: ts('issued_at').notNull(),
    calledAt: ts('called_at'),
    callCount: integer('call_count').notNull().default(0),
    servingAt: ts('serving_at'),
    completedAt: ts('completed_at'),
    servedBy: uuid('served_by').references(() => staff.id),
    issuedBy: uuid('issued_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('queue_tickets_office_date_state_idx').on(t.officeId, t.date, t.state),
    index('queue_tickets_booking_idx').on(t.bookingId),
    index('queue_tickets_window_completed_idx').on(t.windowId, t.completedAt),
    index('queue_tickets_citizen_idx').on(t.citizenId, t.completedAt),
    // A window holds at most one called or serving ticket.
    uniqueIndex('queue_tickets_one_active_per_window_uq').on(t.windowId).where(sql`${t.state} in ('called', 'serving')`),
  ],
)
