import { z } from '@hono/zod-openapi'
import { pageOf } from '@tp/shared'
import {
  ConsoleListQuery,
  ConsoleReportDetail,
  Grid,
  GridImport,
  GridPatch,
  KindConfig,
  MergeBody,
  NoteBody,
  Officer,
  Open311Key,
  Open311KeyCreate,
  Open311KeyCreated,
  ReportStats,
  ReportSummary,
  StaffActionBody,
  StatsQuery,
} from '@tp/shared/reports/index'
import { staffRoles } from '../../platform/access'
import { reportsCtx } from '../../platform/context'
import { binary, createRouter, jsonBody, jsonContent, route } from '../../platform/openapi'
import { exportGrids, importGrids, listGrids, patchGrid } from './grids.service'
import { listKinds, updateKind } from './kinds.service'
import { createKey, listKeys, revokeKey } from './open311.service'
import { addNote, consoleDetail, consoleList, mergeDuplicates, officersFor, queueCounts, revealReporter, staffAct } from './queue.service'
import { exportCsv, exportXlsx, reportStats } from './stats.service'

const tags = ['Reports console']
const IdParam = z.object({ id: z.uuid() })
/** The command centre, grid officers (dispatcher role), unit heads and admins. */
const DESK = staffRoles('dispatcher', 'unit_head', 'admin')
const MANAGE = staffRoles('unit_head', 'admin')
const ADMIN = staffRoles('admin')

export const consoleRoutes = createRouter()
  .openapi(
    route({
      method: 'get',
      path: '/api/console/reports',
      tags,
      access: DESK,
      summary: 'The live queue: filters by kind, state, grid, unit, overdue, officer',
      request: { query: ConsoleListQuery },
      responses: { 200: jsonContent(pageOf(ReportSummary)) },
    }),
    async (c) => c.json(await consoleList(c.get('ctx'), c.req.valid('query')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/reports/counts',
      tags,
      access: DESK,
      summary: 'Counters for the queue header and dashboards',
      responses: {
        200: jsonContent(z.object({ open: z.number(), submitted: z.number(), overdue: z.number(), dueSoon: z.number(), mine: z.number(), today: z.number() })),
      },
    }),
    async (c) => c.json(await queueCounts(c.get('ctx')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/reports/stats',
      tags,
      access: DESK,
      summary: 'Statistics: per day, time to accept/resolve (median, P90), overdue, hotspots, congestion by road, zombie cars cleared',
      request: { query: StatsQuery },
      responses: { 200: jsonContent(ReportStats) },
    }),
    async (c) => c.json(await reportStats(reportsCtx(c.get('ctx')), c.req.valid('query')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/reports/export.csv',
      tags,
      access: MANAGE,
      summary: 'Reports of the period as CSV (audited)',
      request: { query: StatsQuery },
      responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } } },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const body = await exportCsv(c.get('ctx'), q)
      return c.body(body, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="reports-${q.from}-${q.to}.csv"` })
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/reports/export.xlsx',
      tags,
      access: MANAGE,
      summary: 'Reports of the period and the statistics as XLSX (audited)',
      request: { query: StatsQuery },
      responses: { 200: binary('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'XLSX') },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const bytes = await exportXlsx(c.get('ctx'), q)
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'content-disposition': `attachment; filename="reports-${q.from}-${q.to}.xlsx"`,
      })
    },
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/reports/merge',
      tags,
      access: DESK,
      summary: 'Bulk close duplicates: merge reports into one',
      request: { body: jsonBody(MergeBody) },
      responses: { 200: jsonContent(z.object({ merged: z.number().int(), intoId: z.string() })) },
    }),
    async (c) => {
      const b = c.req.valid('json')
      return c.json(await mergeDuplicates(c.get('ctx'), b.intoId, b.ids, b.note), 200)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/reports/{id}',
      tags,
      access: DESK,
      summary: 'Report detail: photos, location, nearby and merged reports, history, notes',
      request: { params: IdParam },
      responses: { 200: jsonContent(ConsoleReportDetail) },
    }),
    async (c) => c.json(await consoleDetail(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/reports/{id}/actions',
      tags,
      access: DESK,
      summary: 'Take a state-machine action (accept, dispatch, reassign, arrive, resolve, verify, post_notice, tow …)',
      request: { params: IdParam, body: jsonBody(StaffActionBody) },
      responses: { 200: jsonContent(ConsoleReportDetail) },
    }),
    async (c) => c.json(await staffAct(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/reports/{id}/notes',
      tags,
      access: DESK,
      summary: 'Add an internal note',
      request: { params: IdParam, body: jsonBody(NoteBody) },
      responses: { 200: jsonContent(ConsoleReportDetail) },
    }),
    async (c) => c.json(await addNote(c.get('ctx'), c.req.valid('param').id, c.req.valid('json').text), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/reports/{id}/reporter',
      tags,
      access: DESK,
      summary: "Show the reporter's full name and phone (audited)",
      request: { params: IdParam },
      responses: { 200: jsonContent(z.object({ name: z.string(), phone: z.string() })) },
    }),
    async (c) => c.json(await revealReporter(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/reports/{id}/officers',
      tags,
      access: DESK,
      summary: "On-duty officers to dispatch: the grid's officer first",
      request: { params: IdParam },
      responses: { 200: jsonContent(z.object({ items: z.array(Officer) })) },
    }),
    async (c) => c.json({ items: await officersFor(c.get('ctx'), c.req.valid('param').id) }, 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/report-kinds',
      tags,
      access: DESK,
      summary: 'Every report kind with its configuration, inactive ones too (names for the console, the kinds editor)',
      responses: { 200: jsonContent(z.object({ items: z.array(KindConfig) })) },
    }),
    async (c) => c.json({ items: await listKinds(c.get('ctx')) }, 200),
  )
  .openapi(
    route({
      method: 'put',
      path: '/api/console/report-kinds/{code}',
      tags,
      access: ADMIN,
      summary: "Change a kind's configuration (fields, photo rules, response targets, periods)",
      request: { params: z.object({ code: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/) }), body: jsonBody(KindConfig) },
      responses: { 200: jsonContent(KindConfig) },
    }),
    async (c) => c.json(await updateKind(c.get('ctx'), c.req.valid('param').code, c.req.valid('json')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/grids',
      tags,
      access: DESK,
      summary: 'Grids of my scope with roads, officer and open reports',
      responses: { 200: jsonContent(z.object({ items: z.array(Grid) })) },
    }),
    async (c) => c.json({ items: await listGrids(c.get('ctx')) }, 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/grids/export',
      tags,
      access: MANAGE,
      summary: 'Grids as a GeoJSON FeatureCollection (the import format)',
      responses: { 200: jsonContent(z.object({ type: z.literal('FeatureCollection'), features: z.array(z.any()) })) },
    }),
    async (c) => c.json(await exportGrids(c.get('ctx')), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/grids/import',
      tags,
      access: MANAGE,
      summary: 'Import grids from GeoJSON (upsert by code; `replace` deactivates grids missing from the file)',
      request: { body: jsonBody(GridImport) },
      responses: { 200: jsonContent(z.object({ created: z.number().int(), updated: z.number().int(), deactivated: z.number().int() })) },
    }),
    async (c) => c.json(await importGrids(c.get('ctx'), c.req.valid('json')), 200),
  )
  .openapi(
    route({
      method: 'patch',
      path: '/api/console/grids/{id}',
      tags,
      access: MANAGE,
      summary: "Change a grid's name, officer, assistants, roads or active flag",
      request: { params: IdParam, body: jsonBody(GridPatch) },
      responses: { 200: jsonContent(z.object({ id: z.string(), version: z.number().int() })) },
    }),
    async (c) => {
      const g = await patchGrid(c.get('ctx'), c.req.valid('param').id, c.req.valid('json'))
      return c.json({ id: g.id, version: g.version }, 200)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/open311/keys',
      tags,
      access: ADMIN,
      summary: 'Open311 API keys',
      responses: { 200: jsonContent(z.object({ items: z.array(Open311Key) })) },
    }),
    async (c) => c.json({ items: await listKeys(c.get('ctx')) }, 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/open311/keys',
      tags,
      access: ADMIN,
      idempotent: true,
      summary: 'Issue an Open311 API key (shown once)',
      request: { body: jsonBody(Open311KeyCreate) },
      responses: { 201: jsonContent(Open311KeyCreated) },
    }),
    async (c) => c.json(await createKey(c.get('ctx'), c.req.valid('json').name), 201),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/open311/keys/{id}/revoke',
      tags,
      access: ADMIN,
      summary: 'Revoke an Open311 API key',
      request: { params: IdParam },
      responses: { 200: jsonContent(z.object({ ok: z.literal(true) })) },
    }),
    async (c) => c.json(await revokeKey(c.get('ctx'), c.req.valid('param').id), 200),
  )
