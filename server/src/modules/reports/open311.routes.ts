import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { PUBLIC } from '../../platform/access'
import type { AppEnv } from '../../platform/context'
import { AppError } from '../../platform/errors'
import { isDatabaseUnavailable } from '../../platform/http'
import { route } from '../../platform/openapi'
import { findRequest, findRequests, findToken, type Lang, Open311Error, postRequest, serviceDefinition, services, toXml } from './open311.service'

/**
 * Open311 GeoReport v2. Errors use the standard's own shape, `[{"code","description"}]`, not the
 * portal's envelope, so this router has its own validation hook and error handler.
 */
const tags = ['Open311']

const o311Error = z.array(z.object({ code: z.number().int(), description: z.string() }))
const errors = {
  400: { description: 'Invalid request', content: { 'application/json': { schema: o311Error } } },
  403: { description: 'Invalid api_key', content: { 'application/json': { schema: o311Error } } },
  404: { description: 'Not found', content: { 'application/json': { schema: o311Error } } },
}

const Service = z.object({
  service_code: z.string(),
  service_name: z.string(),
  description: z.string().nullable(),
  metadata: z.boolean(),
  type: z.enum(['realtime', 'batch', 'blackbox']),
  keywords: z.string().nullable(),
  group: z.string().nullable(),
})
const ServiceDefinition = z.object({
  service_code: z.string(),
  attributes: z.array(
    z.object({
      variable: z.boolean(),
      code: z.string(),
      datatype: z.string(),
      required: z.boolean(),
      datatype_description: z.string().nullable(),
      order: z.number().int(),
      description: z.string(),
      values: z.array(z.object({ key: z.string(), name: z.string() })).optional(),
    }),
  ),
})
const Request = z.object({
  service_request_id: z.string(),
  status: z.enum(['open', 'closed']),
  status_notes: z.string().nullable(),
  service_name: z.string().nullable(),
  service_code: z.string(),
  description: z.string().nullable(),
  agency_responsible: z.string().nullable(),
  service_notice: z.string().nullable(),
  requested_datetime: z.string(),
  updated_datetime: z.string().nullable(),
  expected_datetime: z.string().nullable(),
  address: z.string().nullable(),
  address_id: z.string().nullable(),
  zipcode: z.string().nullable(),
  lat: z.number().nullable(),
  long: z.number().nullable(),
  media_url: z.string().nullable(),
})
const RequestsQuery = z.object({
  jurisdiction_id: z.string().max(100).optional(),
  service_request_id: z.string().max(2000).optional().describe('Comma-separated ids; other filters are then ignored'),
  service_code: z.string().max(400).optional(),
  start_date: z.string().max(40).optional(),
  end_date: z.string().max(40).optional(),
  status: z.string().max(20).optional(),
})
const PostForm = z.looseObject({
  api_key: z.string().max(200).optional(),
  jurisdiction_id: z.string().max(100).optional(),
  service_code: z.string().max(40).optional(),
  lat: z.string().max(30).optional(),
  long: z.string().max(30).optional(),
  address_string: z.string().max(200).optional(),
  address_id: z.string().max(100).optional(),
  description: z.string().max(4000).optional(),
  media_url: z.string().max(1000).optional().describe('Accepted and not fetched'),
  email: z.string().max(200).optional().describe('Accepted and discarded: Open311 reports carry no reporter'),
  device_id: z.string().max(200).optional(),
  account_id: z.string().max(200).optional(),
  first_name: z.string().max(100).optional(),
  last_name: z.string().max(100).optional(),
  phone: z.string().max(40).optional(),
})
const PostAnswer = z.array(
  z.object({ service_request_id: z.string(), token: z.string(), service_notice: z.string().nullable(), account_id: z.string().nullable() }),
)

const lang = (c: Context<AppEnv>): Lang => (/^en\b/i.test(c.req.header('accept-language') ?? '') ? 'en' : 'zh-CN')
const isXml = (c: Context<AppEnv>) => c.req.path.endsWith('.xml')

/** `{id}.json` / `{id}.xml` in one path segment (Hono cannot split a parameter from its suffix). */
const withFormat = (name: string, pattern: string) =>
  z
    .string()
    .regex(new RegExp(`^${pattern}\\.(json|xml)$`))
    .describe(`The ${name} followed by .json or .xml`)
const strip = (s: string) => s.replace(/\.(json|xml)$/, '')

function respond(c: Context<AppEnv>, root: string, item: string, rows: Record<string, unknown>[], status: 200 | 201 = 200) {
  if (isXml(c)) return c.body(toXml(root, item, rows), status, { 'content-type': 'application/xml; charset=utf-8' })
  return c.json(rows, status)
}

export const open311Routes = new OpenAPIHono<AppEnv>({
  defaultHook: (result) => {
    if (!result.success) {
      const i = result.error.issues[0]
      throw new Open311Error(400, `${i?.path.join('.') || 'request'}: ${i?.message ?? 'invalid'}`)
    }
  },
})

open311Routes.onError((err, c) => {
  let status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503 = 500
  let description = 'Internal error'
  if (err instanceof Open311Error) {
    status = err.status
    description = err.description
  } else if (err instanceof AppError) {
    status = err.status
    description = err.message
  } else if (isDatabaseUnavailable(err)) {
    // The database is away: a temporary condition the client can retry, not a server fault.
    status = 503
    description = 'The service is temporarily unavailable; please try again shortly'
    c.header('Retry-After', '5')
  } else if (err instanceof HTTPException && err.status < 500) {
    // e.g. the form validator refusing a body that is not form-encoded.
    status = err.status === 413 ? 400 : (([400, 403, 404, 429].includes(err.status) ? err.status : 400) as 400 | 403 | 404 | 429)
    description = err.message || 'Invalid request: send application/x-www-form-urlencoded'
  } else {
    c.get('ctx')?.deps.log.error({ err, path: c.req.path }, 'open311 error')
  }
  const body = [{ code: status, description }]
  if (isXml(c)) return c.body(toXml('errors', 'error', body), status, { 'content-type': 'application/xml; charset=utf-8' })
  return c.json(body, status)
})

const servicesRoute = (format: 'json' | 'xml') =>
  route({
    method: 'get',
    path: `/open311/v2/services.${format}`,
    tags,
    access: PUBLIC,
    summary: `Service list (${format.toUpperCase()})`,
    request: { query: z.object({ jurisdiction_id: z.string().max(100).optional() }) },
    responses: { 200: { description: 'Services', content: { [`application/${format}`]: { schema: z.array(Service) } } }, ...errors },
  })

const requestsRoute = (format: 'json' | 'xml') =>
  route({
    method: 'get',
    path: `/open311/v2/requests.${format}`,
    tags,
    access: PUBLIC,
    summary: `Service requests (${format.toUpperCase()}): last 90 days by default, at most 1000`,
    request: { query: RequestsQuery },
    responses: { 200: { description: 'Requests', content: { [`application/${format}`]: { schema: z.array(Request) } } }, ...errors },
  })

open311Routes
  .openapi(servicesRoute('json'), async (c) => respond(c, 'services', 'service', await services(c.get('ctx'), lang(c))))
  .openapi(servicesRoute('xml'), async (c) => respond(c, 'services', 'service', await services(c.get('ctx'), lang(c))))
  .openapi(
    route({
      method: 'get',
      path: '/open311/v2/services/{service_code}',
      tags,
      access: PUBLIC,
      summary: 'Service definition (attributes); path ends in .json or .xml',
      request: { params: z.object({ service_code: withFormat('service_code', '[a-z][a-z0-9_]{1,39}') }) },
      responses: { 200: jsonContent311(ServiceDefinition), ...errors },
    }),
    async (c) => {
      const def = await serviceDefinition(c.get('ctx'), strip(c.req.valid('param').service_code), lang(c))
      if (isXml(c)) return c.body(toXml('service_definition', 'service', [def]), 200, { 'content-type': 'application/xml; charset=utf-8' })
      return c.json(def, 200)
    },
  )
  .openapi(requestsRoute('json'), async (c) => respond(c, 'service_requests', 'request', await findRequests(c.get('ctx'), c.req.valid('query'), lang(c))))
  .openapi(requestsRoute('xml'), async (c) => respond(c, 'service_requests', 'request', await findRequests(c.get('ctx'), c.req.valid('query'), lang(c))))
  .openapi(
    route({
      method: 'post',
      path: '/open311/v2/requests.json',
      tags,
      access: PUBLIC,
      summary: 'Create a service request (form-encoded, with api_key)',
      description: 'Personal fields (email, phone, names, device_id) are accepted and discarded. media_url is not fetched.',
      request: { body: { required: true, content: { 'application/x-www-form-urlencoded': { schema: PostForm } } } },
      responses: { 201: jsonContent311(PostAnswer), ...errors },
    }),
    async (c) => {
      const form = await c.req.parseBody()
      const fields: Record<string, string> = {}
      for (const [k, v] of Object.entries(form)) if (typeof v === 'string') fields[k] = v
      return c.json(await postRequest(c.get('ctx'), fields), 201)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/open311/v2/requests/{service_request_id}',
      tags,
      access: PUBLIC,
      summary: 'One service request; path ends in .json or .xml',
      request: { params: z.object({ service_request_id: withFormat('service_request_id', '[A-Za-z0-9_-]{1,40}') }) },
      responses: { 200: jsonContent311(z.array(Request)), ...errors },
    }),
    async (c) => respond(c, 'service_requests', 'request', await findRequest(c.get('ctx'), strip(c.req.valid('param').service_request_id), lang(c))),
  )
  .openapi(
    route({
      method: 'get',
      path: '/open311/v2/tokens/{token}',
      tags,
      access: PUBLIC,
      summary: 'The service_request_id for a token; path ends in .json or .xml',
      request: { params: z.object({ token: withFormat('token', '[A-Za-z0-9_-]{8,64}') }) },
      responses: { 200: jsonContent311(z.array(z.object({ service_request_id: z.string(), token: z.string() }))), ...errors },
    }),
    async (c) => respond(c, 'service_requests', 'request', await findToken(c.get('ctx'), strip(c.req.valid('param').token))),
  )

/** JSON or XML by the path's extension (typed loosely: the XML variant is a plain body). */
function jsonContent311<T>(schema: T) {
  const content: Record<string, { schema: T }> = { 'application/json': { schema }, 'application/xml': { schema } }
  return { description: 'OK', content }
}
