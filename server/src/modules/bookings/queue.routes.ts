import { z } from '@hono/zod-openapi'
import {
  CheckInByCode,
  ConsoleBooking,
  QueueStats,
  ServiceWindow,
  Ticket,
  TicketState,
  TicketTransfer,
  WalkInCreate,
  WindowQueue,
  WindowSignIn,
} from '@tp/shared/bookings/schemas'
import { staffRoles } from '../../platform/access'
import { createRouter, jsonBody, jsonContent, route } from '../../platform/openapi'
import { bookingByCode, checkInByCode } from './bookings.service'
import { callNext, createWalkIn, officeTickets, queueStats, signInToWindow, signOutOfWindow, ticketAction, transferTicket, windowQueue } from './queue.service'

const tags = ['Hall queue']
const HALL = staffRoles('window_staff', 'unit_head', 'admin')
const IdParam = z.object({ id: z.string().uuid() })

/** The hall: check-in desk, walk-ins, the window console and the dashboard figures. */
export const queueRoutes = createRouter()
  .openapi(
    route({
      method: 'get',
      path: '/api/console/bookings/by-code/{code}',
      tags,
      access: HALL,
      summary: 'Find a booking by its code (scanned from the QR or typed)',
      request: { params: z.object({ code: z.string().min(4).max(20) }) },
      responses: { 200: jsonContent(ConsoleBooking) },
    }),
    async (c) => c.json(await bookingByCode(c.get('ctx'), c.req.valid('param').code), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/bookings/check-in',
      tags,
      access: HALL,
      idempotent: true,
      summary: 'Check a booking in by code and issue its queue number (late arrivals queue as walk-ins)',
      request: { body: jsonBody(CheckInByCode) },
      responses: { 200: jsonContent(ConsoleBooking) },
    }),
    async (c) => c.json(await checkInByCode(c.get('ctx'), c.req.valid('json').code), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/bookings/walk-ins',
      tags,
      access: HALL,
      idempotent: true,
      summary: 'Issue a queue number to a walk-in',
      request: { body: jsonBody(WalkInCreate) },
      responses: { 201: jsonContent(Ticket, 'Issued') },
    }),
    async (c) => c.json(await createWalkIn(c.get('ctx'), c.req.valid('json')), 201),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/bookings/windows/{id}/sign-in',
      tags,
      access: HALL,
      summary: 'Sign in to a window (signs me out of any other)',
      request: { params: IdParam, body: jsonBody(WindowSignIn) },
      responses: { 200: jsonContent(ServiceWindow) },
    }),
    async (c) => c.json(await signInToWindow(c.get('ctx'), c.req.valid('param').id, c.req.valid('json').takeOver ?? false), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/bookings/windows/{id}/sign-out',
      tags,
      access: HALL,
      summary: 'Sign out of a window',
      request: { params: IdParam },
      responses: { 200: jsonContent(ServiceWindow) },
    }),
    async (c) => c.json(await signOutOfWindow(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/bookings/windows/{id}/queue',
      tags,
      access: HALL,
      summary: 'The window console: current number, waiting line in calling order, waiting count, average wait',
      request: { params: IdParam },
      responses: { 200: jsonContent(WindowQueue) },
    }),
    async (c) => c.json(await windowQueue(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/bookings/windows/{id}/call-next',
      tags,
      access: HALL,
      summary: 'Call the next number (叫号); two windows calling at once never get the same one',
      request: { params: IdParam },
      responses: { 200: jsonContent(z.object({ ticket: Ticket.nullable() })) },
    }),
    async (c) => c.json({ ticket: await callNext(c.get('ctx'), c.req.valid('param').id) }, 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/bookings/tickets/{id}/transfer',
      tags,
      access: HALL,
      summary: 'Send the ticket to another window (it waits there first, same number)',
      request: { params: IdParam, body: jsonBody(TicketTransfer) },
      responses: { 200: jsonContent(Ticket) },
    }),
    async (c) => c.json(await transferTicket(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/bookings/tickets/{id}/{action}',
      tags,
      access: HALL,
      summary: 'recall (call again), start, complete, skip (no-show), requeue a skipped number, cancel a waiting one',
      request: { params: IdParam.extend({ action: z.enum(['recall', 'start', 'complete', 'skip', 'requeue', 'cancel']) }) },
      responses: { 200: jsonContent(Ticket) },
    }),
    async (c) => {
      const p = c.req.valid('param')
      return c.json(await ticketAction(c.get('ctx'), p.id, p.action), 200)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/bookings/offices/{id}/tickets',
      tags,
      access: HALL,
      summary: 'Today’s tickets of an office',
      request: { params: IdParam, query: z.object({ state: TicketState.optional() }) },
      responses: { 200: jsonContent(z.object({ items: z.array(Ticket) })) },
    }),
    async (c) => c.json({ items: await officeTickets(c.get('ctx'), c.req.valid('param').id, c.req.valid('query').state) }, 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/bookings/stats',
      tags,
      access: HALL,
      summary: 'Today’s queue figures per office in my scope',
      request: { query: z.object({ officeId: z.string().uuid().optional() }) },
      responses: { 200: jsonContent(z.object({ items: z.array(QueueStats) })) },
    }),
    async (c) => c.json({ items: await queueStats(c.get('ctx'), c.req.valid('query').officeId) }, 200),
  )
