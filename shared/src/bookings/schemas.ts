import { z } from 'zod'
import { TimelineEvent } from '../cases'
import { CalendarDate } from '../dates'
import { IdCardNumber } from '../idcard'
import { KeysetQuery } from '../pagination'
import { PlateNumber } from '../plate'
import { TIME_RE, toMinutes } from './time'

/** 'HH:MM' China time; '24:00' closes a period at midnight. */
export const TimeOfDay = z.string().regex(TIME_RE, 'Use HH:MM')
export const DateString = CalendarDate

export const Period = z
  .object({ from: TimeOfDay, to: TimeOfDay })
  .refine((p) => toMinutes(p.from) < toMinutes(p.to), { message: 'A period must end after it starts', path: ['to'] })
export type Period = z.infer<typeof Period>

/** Opening periods per weekday, index 0 = Sunday … 6 = Saturday (Saturday service: periods at index 6). */
export const WeeklyHours = z
  .array(z.array(Period).max(6))
  .length(7)
  .refine(
    (days) =>
      days.every((periods) => {
        const sorted = [...periods].sort((a, b) => toMinutes(a.from) - toMinutes(b.from))
        return sorted.every((p, i) => i === 0 || toMinutes(p.from) >= toMinutes((sorted[i - 1] as Period).to))
      }),
    { message: 'Periods of a day must not overlap' },
  )
export type WeeklyHours = z.infer<typeof WeeklyHours>

export const OfficeKind = z.enum(['vehicle_office', 'branch_hall', 'police_station'])
export type OfficeKind = z.infer<typeof OfficeKind>

export const Position = z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) })
export type Position = z.infer<typeof Position>

/** An office as citizens see it. */
export const Office = z.object({
  id: z.string(),
  name: z.string(),
  kind: OfficeKind,
  address: z.string(),
  position: Position.nullable(),
  phone: z.string().nullable(),
  directions: z.string(),
  hours: WeeklyHours,
  slotMinutes: z.number().int(),
  serviceIds: z.array(z.string()),
  /** Metres from the position the citizen gave, when both are known. */
  distanceMeters: z.number().nullable(),
})
export type Office = z.infer<typeof Office>

export const OfficeAdmin = Office.extend({ unitId: z.string(), active: z.boolean(), version: z.number().int() })
export type OfficeAdmin = z.infer<typeof OfficeAdmin>

const officeFields = {
  unitId: z.string().uuid(),
  name: z.string().trim().min(1).max(60),
  kind: OfficeKind,
  address: z.string().trim().min(1).max(200),
  position: Position.nullable().optional(),
  phone: z.string().trim().max(30).nullable().optional(),
  directions: z.string().trim().max(500).optional(),
  hours: WeeklyHours,
  slotMinutes: z.number().int().min(5).max(240).optional(),
  active: z.boolean().optional(),
}
export const OfficeCreate = z.strictObject(officeFields)
export const OfficeUpdate = z.strictObject(officeFields).partial().extend({ version: z.number().int() })
export const OfficeServicesUpdate = z.strictObject({ serviceIds: z.array(z.string().uuid()).max(50) })

export const Service = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  /** Queue-number prefix, e.g. 'A' → A012. */
  prefix: z.string(),
  durationMinutes: z.number().int(),
  materials: z.array(z.string()),
  vehicleNeeded: z.boolean(),
  description: z.string(),
  active: z.boolean(),
  sortOrder: z.number().int(),
})
export type Service = z.infer<typeof Service>

const serviceFields = {
  code: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{1,39}$/, 'lower-case letters, digits and _'),
  name: z.string().trim().min(1).max(40),
  prefix: z
    .string()
    .trim()
    .regex(/^[A-Z]{1,2}$/, 'One or two capital letters'),
  durationMinutes: z.number().int().min(5).max(240),
  materials: z.array(z.string().trim().min(1).max(100)).max(30),
  vehicleNeeded: z.boolean(),
  description: z.string().trim().max(500).optional(),
  active: z.boolean().optional(),
  sortOrder: z.number().int().min(0).max(1000).optional(),
}
export const ServiceCreate = z.strictObject(serviceFields)
export const ServiceUpdate = z.strictObject({
  name: serviceFields.name.optional(),
  prefix: serviceFields.prefix.optional(),
  durationMinutes: serviceFields.durationMinutes.optional(),
  materials: serviceFields.materials.optional(),
  vehicleNeeded: serviceFields.vehicleNeeded.optional(),
  description: serviceFields.description,
  active: serviceFields.active,
  sortOrder: serviceFields.sortOrder,
})

export const ServiceWindow = z.object({
  id: z.string(),
  officeId: z.string(),
  number: z.number().int(),
  label: z.string(),
  serviceIds: z.array(z.string()),
  active: z.boolean(),
  staff: z.object({ id: z.string(), name: z.string() }).nullable(),
  signedInAt: z.string().nullable(),
})
export type ServiceWindow = z.infer<typeof ServiceWindow>

export const WindowCreate = z.strictObject({
  number: z.number().int().min(1).max(999),
  label: z.string().trim().max(40).optional(),
  serviceIds: z.array(z.string().uuid()).max(50),
  active: z.boolean().optional(),
})
export const WindowUpdate = z.strictObject({
  number: z.number().int().min(1).max(999).optional(),
  label: z.string().trim().max(40).optional(),
  serviceIds: z.array(z.string().uuid()).max(50).optional(),
  active: z.boolean().optional(),
})
export const WindowSignIn = z.strictObject({ takeOver: z.boolean().optional() })

/** A per-date change of an office's day: closed (local closure) or special hours (e.g. a Saturday duty). */
export const DayOverride = z.object({
  date: DateString,
  closed: z.boolean(),
  hours: z.array(Period).nullable(),
  reason: z.string(),
})
export type DayOverride = z.infer<typeof DayOverride>
export const DayOverrideInput = z
  .strictObject({
    date: DateString,
    closed: z.boolean(),
    hours: z.array(Period).max(6).nullable().optional(),
    reason: z.string().trim().min(1).max(100),
  })
  .refine((d) => d.closed || (d.hours && d.hours.length > 0), { message: 'Give the hours of a special opening, or mark the day closed', path: ['hours'] })

/** Capacity set by hand for a date (all or one service, all slots or one starting time). */
export const CapacityOverride = z.object({
  id: z.string(),
  date: DateString,
  serviceId: z.string().nullable(),
  startTime: TimeOfDay.nullable(),
  capacity: z.number().int(),
  reason: z.string(),
})
export type CapacityOverride = z.infer<typeof CapacityOverride>
export const CapacityOverrideInput = z.strictObject({
  date: DateString,
  serviceId: z.string().uuid().nullable().optional(),
  startTime: TimeOfDay.nullable().optional(),
  capacity: z.number().int().min(0).max(500),
  reason: z.string().trim().min(1).max(100),
})

/** Local configuration: no national rule exists for counter bookings (DOMAIN.md). */
export const BookingPolicy = z.object({
  /** The last bookable date is today + daysAhead. */
  daysAhead: z.number().int().min(1).max(60),
  /** Whether today's remaining slots can be booked. */
  sameDay: z.boolean(),
  /** A slot must start at least this long after the booking. */
  minLeadMinutes: z.number().int().min(0).max(1440),
  cancel: z.object({
    /** end_of_day_before: until 23:59:59 of the day before; hours_before: until N hours before the slot. */
    mode: z.enum(['end_of_day_before', 'hours_before']),
    hours: z.number().int().min(0).max(168),
  }),
  /** Active (booked or checked-in) bookings a citizen may hold at once. */
  maxActive: z.number().int().min(1).max(20),
  noShow: z.object({
    limit: z.number().int().min(1).max(20),
    windowDays: z.number().int().min(1).max(365),
    blockDays: z.number().int().min(0).max(365),
  }),
  checkIn: z.object({
    /** Self check-in opens this long before the slot starts. */
    earlyMinutes: z.number().int().min(0).max(240),
    /** …and closes this long after it starts; later arrivals queue as walk-ins, and the booking turns no-show. */
    lateMinutes: z.number().int().min(0).max(240),
  }),
})
export type BookingPolicy = z.infer<typeof BookingPolicy>
export const BookingPolicyUpdate = BookingPolicy.strict()

export const DEFAULT_POLICY: BookingPolicy = {
  daysAhead: 7,
  sameDay: true,
  minLeadMinutes: 30,
  cancel: { mode: 'end_of_day_before', hours: 24 },
  maxActive: 3,
  noShow: { limit: 3, windowDays: 90, blockDays: 30 },
  checkIn: { earlyMinutes: 60, lateMinutes: 30 },
}

export const DayAvailability = z.object({
  date: DateString,
  open: z.boolean(),
  /** Why a day is closed: holiday, local closure, no opening hours that weekday. */
  closedReason: z.enum(['holiday', 'closure', 'no_hours']).nullable(),
  holidayName: z.string().nullable(),
  capacity: z.number().int(),
  remaining: z.number().int(),
})
export type DayAvailability = z.infer<typeof DayAvailability>

export const Slot = z.object({
  id: z.string(),
  date: DateString,
  startTime: TimeOfDay,
  endTime: TimeOfDay,
  startsAt: z.string(),
  capacity: z.number().int(),
  remaining: z.number().int(),
  /** Starts too soon or has passed: shown but not selectable. */
  bookable: z.boolean(),
})
export type Slot = z.infer<typeof Slot>

export const BookingState = z.enum(['booked', 'checked_in', 'done', 'cancelled', 'no_show', 'missed'])
export type BookingState = z.infer<typeof BookingState>

export const TicketState = z.enum(['waiting', 'called', 'serving', 'done', 'no_show', 'transferred', 'cancelled'])
export type TicketState = z.infer<typeof TicketState>

export const BookingCreate = z.strictObject({
  slotId: z.string().uuid(),
  name: z.string().trim().min(2, 'Enter your full name').max(30),
  idNumber: IdCardNumber,
  plate: PlateNumber.optional(),
})
export type BookingCreate = z.infer<typeof BookingCreate>

export const BookingReschedule = z.strictObject({ slotId: z.string().uuid() })

export const TicketBrief = z.object({
  id: z.string(),
  number: z.string(),
  state: TicketState,
  windowNumber: z.number().int().nullable(),
  /** Tickets ahead in this one's queue, while waiting. */
  ahead: z.number().int().nullable(),
  issuedAt: z.string(),
  calledAt: z.string().nullable(),
  completedAt: z.string().nullable(),
})
export type TicketBrief = z.infer<typeof TicketBrief>

export const Booking = z.object({
  id: z.string(),
  code: z.string(),
  state: BookingState,
  stateType: z.enum(['open', 'closed', 'fixed']),
  office: z.object({
    id: z.string(),
    name: z.string(),
    address: z.string(),
    phone: z.string().nullable(),
    directions: z.string(),
    position: Position.nullable(),
  }),
  service: z.object({ id: z.string(), name: z.string(), materials: z.array(z.string()), vehicleNeeded: z.boolean(), durationMinutes: z.number().int() }),
  date: DateString,
  startTime: TimeOfDay,
  endTime: TimeOfDay,
  startsAt: z.string(),
  endsAt: z.string(),
  nameMasked: z.string(),
  idNumberMasked: z.string(),
  plate: z.string().nullable(),
  createdAt: z.string(),
  /** Cancelling or rescheduling is possible until then. */
  cancelDeadline: z.string(),
  checkInOpensAt: z.string(),
  checkInClosesAt: z.string(),
  /** What the reader may do now (the state machine plus the time rules). */
  actions: z.array(z.string()),
  ticket: TicketBrief.nullable(),
})
export type Booking = z.infer<typeof Booking>

export const BookingDetail = Booking.extend({ qrSvg: z.string(), timeline: z.array(TimelineEvent) })
export type BookingDetail = z.infer<typeof BookingDetail>

/** A booking as staff lists show it: personal data masked. */
export const ConsoleBooking = Booking.extend({ phoneMasked: z.string() })
export type ConsoleBooking = z.infer<typeof ConsoleBooking>

/** The console's bookings list: newest day first, each day in time order, a page at a time by keyset. */
export const ConsoleBookingQuery = KeysetQuery.extend({
  officeId: z.string().uuid().optional(),
  date: DateString.optional(),
  state: BookingState.optional(),
  code: z.string().max(20).optional(),
})
export type ConsoleBookingQuery = z.infer<typeof ConsoleBookingQuery>

export const PersonalData = z.object({ name: z.string(), idNumber: z.string(), phone: z.string().nullable() })

export const NoShowStatus = z.object({
  strikes: z.number().int(),
  limit: z.number().int(),
  windowDays: z.number().int(),
  blockDays: z.number().int(),
  blocked: z.boolean(),
  blockedUntil: z.string().nullable(),
  activeBookings: z.number().int(),
  maxActive: z.number().int(),
})
export type NoShowStatus = z.infer<typeof NoShowStatus>

export const Ticket = z.object({
  id: z.string(),
  officeId: z.string(),
  date: DateString,
  number: z.string(),
  state: TicketState,
  kind: z.enum(['booked', 'walk_in']),
  onTime: z.boolean(),
  serviceId: z.string(),
  serviceName: z.string(),
  bookingId: z.string().nullable(),
  bookingCode: z.string().nullable(),
  nameMasked: z.string(),
  slotStartsAt: z.string().nullable(),
  issuedAt: z.string(),
  calledAt: z.string().nullable(),
  callCount: z.number().int(),
  windowId: z.string().nullable(),
  windowNumber: z.number().int().nullable(),
  targetWindowId: z.string().nullable(),
  completedAt: z.string().nullable(),
  servedBy: z.string().nullable(),
  actions: z.array(z.string()),
})
export type Ticket = z.infer<typeof Ticket>

export const WindowQueue = z.object({
  window: ServiceWindow,
  current: Ticket.nullable(),
  waiting: z.array(Ticket),
  waitingCount: z.number().int(),
  /** Minutes from check-in to call, over today's called tickets of this window's services. */
  averageWaitMinutes: z.number().nullable(),
  servedToday: z.number().int(),
})
export type WindowQueue = z.infer<typeof WindowQueue>

export const CheckInByCode = z.strictObject({ code: z.string().trim().min(4).max(20) })
export const WalkInCreate = z.strictObject({ officeId: z.string().uuid(), serviceId: z.string().uuid() })
export const TicketTransfer = z.strictObject({ windowId: z.string().uuid(), serviceId: z.string().uuid().optional() })

/** What the hall TV shows: numbers only, never names. */
export const HallDisplay = z.object({
  office: z.object({ id: z.string(), name: z.string() }),
  windows: z.array(
    z.object({
      id: z.string(),
      number: z.number().int(),
      label: z.string(),
      current: z.object({ ticketId: z.string(), number: z.string(), state: TicketState, calledAt: z.string() }).nullable(),
    }),
  ),
  recentCalls: z.array(
    z.object({ ticketId: z.string(), number: z.string(), windowNumber: z.number().int(), calledAt: z.string(), callCount: z.number().int() }),
  ),
  waiting: z.array(z.object({ number: z.string(), serviceName: z.string() })),
  waitingCount: z.number().int(),
  serverTime: z.string(),
})
export type HallDisplay = z.infer<typeof HallDisplay>

export const QueueStats = z.object({
  officeId: z.string(),
  officeName: z.string(),
  date: DateString,
  issued: z.number().int(),
  waiting: z.number().int(),
  inService: z.number().int(),
  done: z.number().int(),
  noShow: z.number().int(),
  averageWaitMinutes: z.number().nullable(),
  averageServiceMinutes: z.number().nullable(),
  bookingsToday: z.number().int(),
  bookingsCheckedIn: z.number().int(),
})
export type QueueStats = z.infer<typeof QueueStats>

export const SlotAdmin = z.object({
  id: z.string(),
  serviceId: z.string(),
  date: DateString,
  startTime: TimeOfDay,
  endTime: TimeOfDay,
  capacity: z.number().int(),
  booked: z.number().int(),
})
