import { z } from '@hono/zod-openapi'
import { keysetOf, TimelineEvent } from '@tp/shared'
import {
  BookingPolicy,
  BookingPolicyUpdate,
  CapacityOverride,
  CapacityOverrideInput,
  ConsoleBooking,
  ConsoleBookingQuery,
  DateString,
  DayOverride,
  DayOverrideInput,
  OfficeAdmin,
  OfficeCreate,
  OfficeServicesUpdate,
  OfficeUpdate,
  PersonalData,
  Service,
  ServiceCreate,
  ServiceUpdate,
  ServiceWindow,
  SlotAdmin,
  WindowCreate,
  WindowUpdate,
} from '@tp/shared/bookings/schemas'
import { ANY_STAFF, staffRoles } from '../../platform/access'
import { createRouter, jsonBody, jsonContent, route } from '../../platform/openapi'
import { cancelByOffice, consoleBooking, listConsoleBookings, revealPersonalData } from './bookings.service'
import {
  createOffice,
  createService,
  createWindow,
  deleteCapacityOverride,
  deleteDayOverride,
  getConsoleOffice,
  getPolicy,
  listCapacityOverrides,
  listConsoleOffices,
  listDayOverrides,
  listServices,
  officeSlots,
  putCapacityOverride,
  putDayOverride,
  setOfficeServices,
  setPolicy,
  updateOffice,
  updateService,
  updateWindow,
} from './config.service'
import { listWindows } from './queue.service'

const tags = ['Bookings console']
const HALL = staffRoles('window_staff', 'unit_head', 'admin')
const CONFIG = staffRoles('unit_head', 'admin')
const ADMIN = staffRoles('admin')
const IdParam = z.object({ id: z.string().uuid() })
const Ok = z.object({ ok: z.literal(true) })

/** Configuration (offices, services, windows, per-date overrides, policy) and the bookings table. */
export const consoleRoutes = createRouter()
  .openapi(
    route({
      method: 'get',
      path: '/api/console/bookings/services',
      tags,
      access: ANY_STAFF,
      summary: 'The service catalogue, inactive included',
      responses: { 200: jsonContent(z.object({ items: z.array(Service) })) },
    }),
    async (c) => c.json({ items: await listServices(c.get('ctx').db, { activeOnly: false }) }, 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/bookings/services',
      tags,
      access: ADMIN,
      idempotent: true,
      summary: 'Add a service (duration, materials, vehicle needed, queue prefix)',
      request: { body: jsonBody(ServiceCreate) },
      responses: { 201: jsonContent(Service, 'Created') },
    }),
    async (c) => c.json(await createService(c.get('ctx'), c.req.valid('json')), 201),
  )
  .openapi(
    route({
      method: 'patch',
      path: '/api/console/bookings/services/{id}',
      tags,
      access: ADMIN,
      summary: 'Change a service; offering offices’ slots are recomputed',
      request: { params: IdParam, body: jsonBody(ServiceUpdate) },
      responses: { 200: jsonContent(Service) },
    }),
    async (c) => c.json(await updateService(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/bookings/offices',
      tags,
      access: HALL,
      summary: 'Offices in my scope',
      responses: { 200: jsonContent(z.object({ items: z.array(OfficeAdmin) })) },
    }),
    async (c) => c.json({ items: await listConsoleOffices(c.get('ctx')) }, 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/bookings/offices',
      tags,
      access: CONFIG,
      idempotent: true,
      summary: 'Add an office (车管所, branch hall or 警务站) with its opening hours',
      request: { body: jsonBody(OfficeCreate) },
      responses: { 201: jsonContent(OfficeAdmin, 'Created') },
    }),
    async (c) => c.json(await createOffice(c.get('ctx'), c.req.valid('json')), 201),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/bookings/offices/{id}',
      tags,
      access: HALL,
      summary: 'One office',
      request: { params: IdParam },
      responses: { 200: jsonContent(OfficeAdmin) },
    }),
    async (c) => c.json(await getConsoleOffice(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    route({
      method: 'patch',
      path: '/api/console/bookings/offices/{id}',
      tags,
      access: CONFIG,
      summary: 'Change an office (optimistic lock on `version`); its slots are recomputed',
      request: { params: IdParam, body: jsonBody(OfficeUpdate) },
      responses: { 200: jsonContent(OfficeAdmin) },
    }),
    async (c) => c.json(await updateOffice(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(
    route({
      method: 'put',
      path: '/api/console/bookings/offices/{id}/services',
      tags,
      access: CONFIG,
      summary: 'Which services the office offers',
      request: { params: IdParam, body: jsonBody(OfficeServicesUpdate) },
      responses: { 200: jsonContent(OfficeAdmin) },
    }),
    async (c) => c.json(await setOfficeServices(c.get('ctx'), c.req.valid('param').id, c.req.valid('json').serviceIds), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/bookings/offices/{id}/day-overrides',
      tags,
      access: HALL,
      summary: 'Local closures and special opening hours from today',
      request: { params: IdParam },
      responses: { 200: jsonContent(z.object({ items: z.array(DayOverride) })) },
    }),
    async (c) => c.json({ items: await listDayOverrides(c.get('ctx'), c.req.valid('param').id) }, 200),
  )
  .openapi(
    route({
      method: 'put',
      path: '/api/console/bookings/offices/{id}/day-overrides',
      tags,
      access: CONFIG,
      summary: 'Close the office on a date, or set special hours (e.g. a Saturday duty)',
      request: { params: IdParam, body: jsonBody(DayOverrideInput) },
      responses: { 200: jsonContent(DayOverride) },
    }),
    async (c) => c.json(await putDayOverride(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(
    route({
      method: 'delete',
      path: '/api/console/bookings/offices/{id}/day-overrides/{date}',
      tags,
      access: CONFIG,
      summary: 'Remove a per-date override',
      request: { params: IdParam.extend({ date: DateString }) },
      responses: { 200: jsonContent(Ok) },
    }),
    async (c) => {
      const p = c.req.valid('param')
      await deleteDayOverride(c.get('ctx'), p.id, p.date)
      return c.json({ ok: true as const }, 200)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/bookings/offices/{id}/capacity-overrides',
      tags,
      access: HALL,
      summary: 'Per-date capacity overrides from today',
      request: { params: IdParam },
      responses: { 200: jsonContent(z.object({ items: z.array(CapacityOverride) })) },
    }),
    async (c) => c.json({ items: await listCapacityOverrides(c.get('ctx'), c.req.valid('param').id) }, 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/bookings/offices/{id}/capacity-overrides',
      tags,
      access: CONFIG,
      idempotent: true,
      summary: 'Set the capacity of a date (a service or all; a starting time or all slots); replaces an equal one',
      request: { params: IdParam, body: jsonBody(CapacityOverrideInput) },
      responses: { 201: jsonContent(CapacityOverride, 'Set') },
    }),
    async (c) => c.json(await putCapacityOverride(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 201),
  )
  .openapi(
    route({
      method: 'delete',
      path: '/api/console/bookings/offices/{id}/capacity-overrides/{overrideId}',
      tags,
      access: CONFIG,
      summary: 'Remove a capacity override',
      request: { params: IdParam.extend({ overrideId: z.string().uuid() }) },
      responses: { 200: jsonContent(Ok) },
    }),
    async (c) => {
      const p = c.req.valid('param')
      await deleteCapacityOverride(c.get('ctx'), p.id, p.overrideId)
      return c.json({ ok: true as const }, 200)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/bookings/offices/{id}/slots',
      tags,
      access: HALL,
      summary: 'The slots of a date with capacity and places booked',
      request: { params: IdParam, query: z.object({ date: DateString }) },
      responses: { 200: jsonContent(z.object({ items: z.array(SlotAdmin) })) },
    }),
    async (c) => c.json({ items: await officeSlots(c.get('ctx'), c.req.valid('param').id, c.req.valid('query').date) }, 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/bookings/windows',
      tags,
      access: HALL,
      summary: 'Windows of the offices in my scope (or of one office), with who is signed in',
      request: { query: z.object({ officeId: z.string().uuid().optional() }) },
      responses: { 200: jsonContent(z.object({ items: z.array(ServiceWindow) })) },
    }),
    async (c) => c.json({ items: await listWindows(c.get('ctx'), c.req.valid('query').officeId) }, 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/bookings/offices/{id}/windows',
      tags,
      access: CONFIG,
      idempotent: true,
      summary: 'Add a window and the services it handles',
      request: { params: IdParam, body: jsonBody(WindowCreate) },
      responses: { 201: jsonContent(ServiceWindow, 'Created') },
    }),
    async (c) => c.json(await createWindow(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 201),
  )
  .openapi(
    route({
      method: 'patch',
      path: '/api/console/bookings/windows/{id}',
      tags,
      access: CONFIG,
      summary: 'Change a window (number, label, services, in service or not)',
      request: { params: IdParam, body: jsonBody(WindowUpdate) },
      responses: { 200: jsonContent(ServiceWindow) },
    }),
    async (c) => c.json(await updateWindow(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/bookings/policy',
      tags,
      access: HALL,
      summary: 'The booking rules in force',
      responses: { 200: jsonContent(BookingPolicy) },
    }),
    async (c) => c.json(await getPolicy(c.get('ctx')), 200),
  )
  .openapi(
    route({
      method: 'put',
      path: '/api/console/bookings/policy',
      tags,
      access: ADMIN,
      summary: 'Set the booking rules (window, cut-off, cap, no-show policy, check-in window)',
      request: { body: jsonBody(BookingPolicyUpdate) },
      responses: { 200: jsonContent(BookingPolicy) },
    }),
    async (c) => c.json(await setPolicy(c.get('ctx'), c.req.valid('json')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/bookings/bookings',
      tags,
      access: HALL,
      summary: 'Bookings of the offices in my scope, newest day first (personal data masked), a page at a time by keyset',
      request: { query: ConsoleBookingQuery },
      responses: { 200: jsonContent(keysetOf(ConsoleBooking)) },
    }),
    async (c) => c.json(await listConsoleBookings(c.get('ctx'), c.req.valid('query')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/bookings/bookings/{id}',
      tags,
      access: HALL,
      summary: 'One booking with its timeline (personal data masked)',
      request: { params: IdParam },
      responses: { 200: jsonContent(ConsoleBooking.extend({ timeline: z.array(TimelineEvent) })) },
    }),
    async (c) => c.json(await consoleBooking(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/bookings/bookings/{id}/reveal',
      tags,
      access: HALL,
      summary: 'Show the full name, ID number and phone (audited)',
      request: { params: IdParam },
      responses: { 200: jsonContent(PersonalData) },
    }),
    async (c) => c.json(await revealPersonalData(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/bookings/bookings/{id}/cancel',
      tags,
      access: CONFIG,
      summary: 'Cancel a booking for the office (e.g. an unplanned closure); the citizen is told',
      request: { params: IdParam, body: jsonBody(z.strictObject({ reason: z.string().trim().min(1).max(200) })) },
      responses: { 200: jsonContent(ConsoleBooking.extend({ timeline: z.array(TimelineEvent) })) },
    }),
    async (c) => c.json(await cancelByOffice(c.get('ctx'), c.req.valid('param').id, c.req.valid('json').reason), 200),
  )
