import { z } from '@hono/zod-openapi'
import { AuditQuery, AuditRow, CitizenDetail, CitizenListItem, CitizenQuery } from '@tp/shared'
import { ANY_STAFF, staffRoles } from '../../platform/access'
import { binary, createRouter, jsonContent, route } from '../../platform/openapi'
import { exportAudit, searchAudit } from './audit.service'
import { citizenDetail, searchCitizens } from './citizens.service'

const ADMIN_OR_HEAD = staffRoles('admin', 'unit_head')
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export const auditRoutes = createRouter()
  .openapi(
    route({
      method: 'get',
      path: '/api/console/audit',
      tags: ['Audit'],
      access: ADMIN_OR_HEAD,
      summary: 'Search the audit log (newest first; unit heads see their unit subtree; personal data masked)',
      request: { query: AuditQuery },
      responses: { 200: jsonContent(z.object({ items: z.array(AuditRow), nextCursor: z.string().nullable() })) },
    }),
    async (c) => c.json(await searchAudit(c.get('ctx'), c.req.valid('query')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/audit/export',
      tags: ['Audit'],
      access: ADMIN_OR_HEAD,
      summary: 'The same search as an XLSX workbook (at most 10 000 rows); audited',
      request: { query: AuditQuery },
      responses: { 200: binary(XLSX, 'XLSX workbook') },
    }),
    async (c) => {
      const { limit: _l, cursor: _c, ...filters } = c.req.valid('query')
      const { buffer, truncated } = await exportAudit(c.get('ctx'), filters)
      return c.body(new Uint8Array(buffer), 200, {
        'Content-Type': XLSX,
        'Content-Disposition': `attachment; filename="audit-${new Date().toISOString().slice(0, 10)}.xlsx"`,
        'Cache-Control': 'no-store',
        'X-Truncated': String(truncated),
      }) as never
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/citizens',
      tags: ['Citizens'],
      access: ANY_STAFF,
      summary: 'Find citizens by an exact mobile or plate number (masked)',
      request: { query: CitizenQuery },
      responses: { 200: jsonContent(z.object({ items: z.array(CitizenListItem) })) },
    }),
    async (c) => c.json({ items: await searchCitizens(c.get('ctx'), c.req.valid('query').q) }, 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/citizens/{id}',
      tags: ['Citizens'],
      access: ANY_STAFF,
      summary: "Show a citizen's full personal data (unmasked); every call is written to the audit log",
      description: 'Staff of a root unit, or staff whose units hold one of the citizen’s cases (as each feature reports); 404 otherwise.',
      request: { params: z.object({ id: z.uuid() }) },
      responses: { 200: jsonContent(CitizenDetail) },
    }),
    async (c) => c.json(await citizenDetail(c.get('ctx'), c.req.valid('param').id), 200),
  )
