import { z } from '@hono/zod-openapi'
import { PageQuery, pageOf } from '@tp/shared'
import {
  Booking,
  BookingCreate,
  BookingDetail,
  BookingPolicy,
  BookingReschedule,
  DateString,
  DayAvailability,
  HallDisplay,
  NoShowStatus,
  Office,
  Service,
  Slot,
} from '@tp/shared/bookings/schemas'
import { CITIZEN, PUBLIC } from '../../platform/access'
import type { EarlyRefusal } from '../../platform/idempotency'
import { createRouter, jsonBody, jsonContent, route } from '../../platform/openapi'
import { RATE_LIMITS } from '../../platform/rate-limit'
import {
  bookingIcs,
  cancelMyBooking,
  checkInMyBooking,
  createBooking,
  getMyBooking,
  listMyBookings,
  refuseFullSlot,
  rescheduleMyBooking,
  strikes,
} from './bookings.service'
import { getPolicy, getPublicOffice, listPublicOffices, listServices } from './config.service'
import { hallDisplay } from './queue.service'
import { availability, listSlots } from './slots.service'

const tags = ['Bookings']
const IdParam = z.object({ id: z.string().uuid() })

/** A full slot is refused before any transaction; a body that does not parse is left for the route's validator. */
const fullSlot: EarlyRefusal = async (c) => {
  const body = BookingCreate.safeParse(await c.req.json().catch(() => undefined))
  return body.success ? refuseFullSlot(c.get('ctx'), body.data) : undefined
}

/** Citizen H5 and public endpoints: choose, book, manage, check in; the hall TV's data. */
export const bookingRoutes = createRouter()
  .openapi(
    route({
      method: 'get',
      path: '/api/services',
      tags,
      access: PUBLIC,
      summary: 'Services that can be booked',
      responses: { 200: jsonContent(z.object({ items: z.array(Service) })) },
    }),
    async (c) => c.json({ items: await listServices(c.get('ctx').db, { activeOnly: true }) }, 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/offices',
      tags,
      access: PUBLIC,
      summary: 'Offices taking bookings, nearest first when a position is given',
      request: {
        query: z.object({
          serviceId: z.string().uuid().optional(),
          lat: z.coerce.number().min(-90).max(90).optional(),
          lng: z.coerce.number().min(-180).max(180).optional(),
        }),
      },
      responses: { 200: jsonContent(z.object({ items: z.array(Office) })) },
    }),
    async (c) => c.json({ items: await listPublicOffices(c.get('ctx'), c.req.valid('query')) }, 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/offices/{id}',
      tags,
      access: PUBLIC,
      summary: 'One office: address, hours, directions',
      request: { params: IdParam },
      responses: { 200: jsonContent(Office) },
    }),
    async (c) => c.json(await getPublicOffice(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/slots/availability',
      tags,
      access: PUBLIC,
      summary: 'Places left per day of the booking window (closed days say why)',
      request: { query: z.object({ officeId: z.string().uuid(), serviceId: z.string().uuid() }) },
      responses: { 200: jsonContent(z.object({ items: z.array(DayAvailability) })) },
    }),
    async (c) => {
      const q = c.req.valid('query')
      return c.json({ items: await availability(c.get('ctx'), q.officeId, q.serviceId) }, 200)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/slots',
      tags,
      access: PUBLIC,
      summary: 'Time slots of one day with the places left',
      request: { query: z.object({ officeId: z.string().uuid(), serviceId: z.string().uuid(), date: DateString }) },
      responses: { 200: jsonContent(z.object({ items: z.array(Slot) })) },
    }),
    async (c) => {
      const q = c.req.valid('query')
      return c.json({ items: await listSlots(c.get('ctx'), q.officeId, q.serviceId, q.date) }, 200)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/bookings/policy',
      tags,
      access: PUBLIC,
      summary: 'The booking rules in force (window, cut-off, no-show policy)',
      responses: { 200: jsonContent(BookingPolicy) },
    }),
    async (c) => c.json(await getPolicy(c.get('ctx')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/queue/hall/{officeId}',
      tags,
      access: PUBLIC,
      summary: 'Hall display: numbers called per window and the next waiting (no personal data); live on SSE channel hall:<officeId>',
      request: { params: z.object({ officeId: z.string().uuid() }) },
      responses: { 200: jsonContent(HallDisplay) },
    }),
    async (c) => c.json(await hallDisplay(c.get('ctx'), c.req.valid('param').officeId), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/bookings/me/strikes',
      tags,
      access: CITIZEN,
      summary: 'My no-show strikes, any block, and my active bookings against the cap',
      responses: { 200: jsonContent(NoShowStatus) },
    }),
    async (c) => c.json(await strikes(c.get('ctx')), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/bookings',
      tags,
      access: CITIZEN,
      idempotent: { refuseEarly: fullSlot },
      rateLimit: RATE_LIMITS.bookingCreate,
      summary: 'Book a slot (capacity is enforced in the database: never overbooked)',
      request: { body: jsonBody(BookingCreate) },
      responses: { 201: jsonContent(BookingDetail, 'Booked') },
    }),
    async (c) => c.json(await createBooking(c.get('ctx'), c.req.valid('json')), 201),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/bookings',
      tags,
      access: CITIZEN,
      summary: 'My bookings, newest first',
      request: { query: PageQuery },
      responses: { 200: jsonContent(pageOf(Booking)) },
    }),
    async (c) => c.json(await listMyBookings(c.get('ctx'), c.req.valid('query')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/bookings/{id}',
      tags,
      access: CITIZEN,
      summary: 'My booking: code, QR, materials, queue number, timeline',
      request: { params: IdParam },
      responses: { 200: jsonContent(BookingDetail) },
    }),
    async (c) => c.json(await getMyBooking(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/bookings/{id}/ics',
      tags,
      access: CITIZEN,
      summary: 'The booking as a calendar file with alarms',
      request: { params: IdParam },
      responses: { 200: { description: 'iCalendar file', content: { 'text/calendar': { schema: z.string() } } } },
    }),
    async (c) => {
      const ics = await bookingIcs(c.get('ctx'), c.req.valid('param').id)
      return c.body(ics.body, 200, {
        'content-type': 'text/calendar; charset=utf-8',
        'content-disposition': `attachment; filename="${ics.filename}"`,
      })
    },
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/bookings/{id}/cancel',
      tags,
      access: CITIZEN,
      summary: 'Cancel (until the cut-off, by default the end of the day before)',
      request: { params: IdParam },
      responses: { 200: jsonContent(BookingDetail) },
    }),
    async (c) => c.json(await cancelMyBooking(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/bookings/{id}/reschedule',
      tags,
      access: CITIZEN,
      summary: 'Move to another slot atomically: the old place is kept unless the new one is taken',
      request: { params: IdParam, body: jsonBody(BookingReschedule) },
      responses: { 200: jsonContent(BookingDetail) },
    }),
    async (c) => c.json(await rescheduleMyBooking(c.get('ctx'), c.req.valid('param').id, c.req.valid('json').slotId), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/bookings/{id}/check-in',
      tags,
      access: CITIZEN,
      summary: 'Check in at the hall (inside the window around the slot) and get a queue number',
      request: { params: IdParam },
      responses: { 200: jsonContent(BookingDetail) },
    }),
    async (c) => c.json(await checkInMyBooking(c.get('ctx'), c.req.valid('param').id), 200),
  )
