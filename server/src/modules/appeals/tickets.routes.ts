import { z } from '@hono/zod-openapi'
import { keysetOf } from '@tp/shared'
import { ApiKeyCreate, ApiKeyView, ImportResult, TicketImportBody, TicketLookupQuery, TicketStatus, TicketView } from '@tp/shared/appeals/schemas'
import { CITIZEN, staffRoles } from '../../platform/access'
import { AppError, badRequest } from '../../platform/errors'
import { binary, createRouter, FileField, jsonBody, jsonContent, route } from '../../platform/openapi'
import { apiKeyAuth, createApiKey, listApiKeys, revokeApiKey } from './api-keys'
import { importFailed, importTemplate, importTickets, parseCsv, readXlsx, recordsFromTable } from './tickets.import'
import { listImports, listTickets, lookupTicket, myTickets } from './tickets.service'

const tags = ['Appeals: tickets']
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

const IMPORTERS = staffRoles('admin', 'legal_officer')
const ADMIN = staffRoles('admin')
const StaffTicketRow = TicketView.extend({
  officerName: z.string(),
  officerNo: z.string(),
  source: z.string(),
  vinLast6: z.string().nullable().describe('Last six of the VIN on the record, when it names one'),
  occurredUnitName: z.string().nullable().describe('The unit where the violation happened, when not the issuing unit'),
})
const DryRun = z.object({ dryRun: z.enum(['true', 'false']).optional() })
const ImportForm = z.strictObject({
  file: FileField,
  dryRun: z.enum(['true', 'false']).optional(),
})

const router = createRouter()
router.use('/api/tickets/import', apiKeyAuth())

export const ticketRoutes = router
  .openapi(
    route({
      method: 'get',
      path: '/api/tickets',
      tags,
      access: CITIZEN,
      summary: 'Tickets of the vehicles bound to my account',
      responses: { 200: jsonContent(z.object({ items: z.array(TicketView) })) },
    }),
    async (c) => c.json({ items: await myTickets(c.get('ctx')) }, 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/tickets/lookup',
      tags,
      access: CITIZEN,
      summary: 'Find a ticket by decision number and plate (rate-limited)',
      request: { query: TicketLookupQuery },
      responses: { 200: jsonContent(TicketView) },
    }),
    async (c) => {
      const q = c.req.valid('query')
      return c.json(await lookupTicket(c.get('ctx'), q.decisionNo, q.plate), 200)
    },
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/tickets/import',
      tags,
      access: { staff: ['admin'], apiKey: true },
      summary: 'Import tickets from the police system (JSON; all or nothing; idempotent by decision number)',
      description:
        'Authenticate with `Authorization: Bearer <api key>` (or `X-Api-Key`), or as a signed-in admin. Every row is checked; any problem → 422 `import_invalid` with `rowErrors` (row = 1-based index into `tickets`) and nothing is written. Rows whose decision number already exists with identical data count as `unchanged`. `?dryRun=true` checks only.',
      request: { query: DryRun, body: jsonBody(TicketImportBody) },
      responses: { 200: jsonContent(ImportResult) },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const records = body.tickets.map((data, i) => ({ row: i + 1, data }))
      return c.json(await importTickets(c.get('ctx'), records, { source: 'api', dryRun: c.req.valid('query').dryRun === 'true', request: c.req.raw }), 200)
    },
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/tickets/import',
      tags,
      access: IMPORTERS,
      summary: 'Import tickets from a CSV or XLSX file (all or nothing, row-level errors)',
      request: { body: { required: true, content: { 'multipart/form-data': { schema: ImportForm } } } },
      responses: { 200: jsonContent(ImportResult) },
    }),
    async (c) => {
      const form = c.req.valid('form')
      const file = form.file
      if (!(file instanceof File) || file.size === 0) throw badRequest('A CSV or XLSX file is required', [{ path: 'body.file', message: 'Expected a file' }])
      if (file.size > 10 * 1024 * 1024) throw new AppError(413, 'file_too_large', 'The file is larger than 10 MB')
      const bytes = new Uint8Array(await file.arrayBuffer())
      const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b
      const source = isZip ? ('xlsx' as const) : ('csv' as const)
      let table: string[][]
      if (isZip) table = await readXlsx(bytes)
      else {
        const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes)
        if (text.includes('\u0000')) throw new AppError(415, 'unsupported_file_type', 'Upload a CSV (UTF-8) or an XLSX file')
        table = parseCsv(text)
      }
      const { records, errors } = recordsFromTable(table)
      if (errors.length) throw importFailed(errors, records.length)
      return c.json(await importTickets(c.get('ctx'), records, { source, fileName: file.name.slice(0, 200), dryRun: form.dryRun === 'true' }), 200)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/tickets/import-template.xlsx',
      tags,
      access: IMPORTERS,
      summary: 'The XLSX import template',
      responses: { 200: binary(XLSX) },
    }),
    async (c) =>
      c.body(new Uint8Array(await importTemplate()), 200, {
        'content-type': XLSX,
        'content-disposition': `attachment; filename="tickets-template.xlsx"; filename*=UTF-8''${encodeURIComponent('违法记录导入模板.xlsx')}`,
      }),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/tickets/imports',
      tags,
      access: IMPORTERS,
      summary: 'Recent imports',
      responses: {
        200: jsonContent(
          z.object({
            items: z.array(
              z.object({
                id: z.string(),
                source: z.string(),
                fileName: z.string().nullable(),
                actorType: z.string(),
                total: z.number(),
                created: z.number(),
                unchanged: z.number(),
                createdAt: z.string(),
              }),
            ),
          }),
        ),
      },
    }),
    async (c) => c.json({ items: await listImports(c.get('ctx')) }, 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/tickets',
      tags,
      access: staffRoles('admin', 'legal_officer', 'unit_head'),
      summary: 'The ticket registry in my unit scope',
      request: {
        query: z.object({
          cursor: z.string().max(300).optional(),
          pageSize: z.coerce.number().int().min(1).max(200).default(20),
          q: z
            .string()
            .trim()
            .max(40)
            .refine((s) => !s.includes('\u0000'), 'Invalid character')
            .optional(),
          status: TicketStatus.optional(),
          unitId: z.string().uuid().optional(),
        }),
      },
      responses: {
        200: jsonContent(keysetOf(StaffTicketRow)),
      },
    }),
    async (c) => c.json(await listTickets(c.get('ctx'), c.req.valid('query')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/api-keys',
      tags,
      access: ADMIN,
      summary: 'API keys for the police system',
      responses: { 200: jsonContent(z.object({ items: z.array(ApiKeyView) })) },
    }),
    async (c) => c.json({ items: await listApiKeys(c.get('ctx')) }, 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/api-keys',
      tags,
      access: ADMIN,
      idempotent: true,
      summary: 'Create an API key (the secret is shown once)',
      request: { body: jsonBody(ApiKeyCreate) },
      responses: { 201: jsonContent(ApiKeyView.extend({ key: z.string() })) },
    }),
    async (c) => c.json(await createApiKey(c.get('ctx'), c.req.valid('json').name), 201),
  )
  .openapi(
    route({
      method: 'delete',
      path: '/api/console/api-keys/{id}',
      tags,
      access: ADMIN,
      summary: 'Revoke an API key',
      request: { params: z.object({ id: z.string().uuid() }) },
      responses: { 200: jsonContent(ApiKeyView) },
    }),
    async (c) => c.json(await revokeApiKey(c.get('ctx'), c.req.valid('param').id), 200),
  )
