import { z } from '@hono/zod-openapi'
import { CalendarDay, CalendarOverrideBody, CalendarOverrideView } from '@tp/shared/appeals/schemas'
import { OFFICIAL_YEARS } from '@tp/shared/calendar'
import { CalendarDate } from '@tp/shared/dates'
import { ANY_STAFF, staffRoles } from '../../platform/access'
import { createRouter, jsonBody, jsonContent, route } from '../../platform/openapi'
import { calendarYear, deleteOverride, listOverrides, putOverride } from './calendar.service'
import { refreshDuesAround } from './jobs'

const tags = ['Calendar']
const DateParam = z.object({ date: CalendarDate })

/** The working-day calendar behind every clock: China's official calendar plus admin overrides. */
export const calendarRoutes = createRouter()
  .openapi(
    route({
      method: 'get',
      path: '/api/console/calendar',
      tags,
      access: ANY_STAFF,
      summary: 'Every day of a year: working or not, and why (official data or override)',
      request: { query: z.object({ year: z.coerce.number().int().min(2000).max(2100) }) },
      responses: {
        200: jsonContent(z.object({ year: z.number().int(), officialYears: z.object({ from: z.number(), to: z.number() }), days: z.array(CalendarDay) })),
      },
    }),
    async (c) => {
      const { year } = c.req.valid('query')
      return c.json({ year, officialYears: OFFICIAL_YEARS, days: await calendarYear(c.get('ctx'), year) }, 200)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/calendar/overrides',
      tags,
      access: ANY_STAFF,
      summary: 'All overrides',
      responses: { 200: jsonContent(z.object({ items: z.array(CalendarOverrideView) })) },
    }),
    async (c) => c.json({ items: await listOverrides(c.get('ctx')) }, 200),
  )
  .openapi(
    route({
      method: 'put',
      path: '/api/console/calendar/overrides/{date}',
      tags,
      access: staffRoles('admin'),
      summary: 'Set a day as working or closed (holiday, make-up day, local closure)',
      request: { params: DateParam, body: jsonBody(CalendarOverrideBody) },
      responses: { 200: jsonContent(CalendarOverrideView) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const { date } = c.req.valid('param')
      const saved = await putOverride(ctx, date, c.req.valid('json'))
      await refreshDuesAround(ctx, date)
      return c.json(saved, 200)
    },
  )
  .openapi(
    route({
      method: 'delete',
      path: '/api/console/calendar/overrides/{date}',
      tags,
      access: staffRoles('admin'),
      summary: 'Remove an override (the official calendar applies again)',
      request: { params: DateParam },
      responses: { 200: jsonContent(z.object({ ok: z.literal(true) })) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const { date } = c.req.valid('param')
      await deleteOverride(ctx, date)
      await refreshDuesAround(ctx, date)
      return c.json({ ok: true as const }, 200)
    },
  )
