import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { DEMO_OPEN311_KEY } from '@tp/server/modules/reports/reports.seed'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { type Client, citizen, newClient, staffUser } from '../support/client'
import { zombie } from './reports-support'

// A busy machine (other suites, builds) can slow every request: generous per-test time.
vi.setConfig({ testTimeout: 120_000 })

// The Open311 project's own JSON Schemas (../shared/open311), each registered under its file name.
const SCHEMAS = resolve(import.meta.dirname, '../../../shared/open311')
const ajv = new Ajv({ allErrors: true, strict: false })
;(addFormats as unknown as (a: Ajv) => void)(ajv)
for (const f of ['service.json', 'services.json', 'service-definition.json', 'request.json', 'requests.json']) {
  ajv.addSchema(JSON.parse(readFileSync(resolve(SCHEMAS, f), 'utf8')), f)
}
/**
 * The answer to POST requests (GeoReport v2 "Response" of "POST Service Request"): one element with
 * the service_request_id (or a token when it is not known yet), an optional service_notice and
 * account_id; the Open311 project publishes no schema for it, so it is spelled out here.
 */
ajv.addSchema(
  {
    type: 'array',
    minItems: 1,
    maxItems: 1,
    items: {
      type: 'object',
      additionalProperties: false,
      anyOf: [{ required: ['service_request_id'] }, { required: ['token'] }],
      properties: {
        service_request_id: { type: 'string', minLength: 1 },
        token: { type: 'string', minLength: 1 },
        service_notice: { type: ['string', 'null'] },
        account_id: { type: ['string', 'null'] },
      },
    },
  },
  'post-response.json',
)
const valid = (schema: string, data: unknown) => {
  const v = ajv.getSchema(schema)
  if (!v) throw new Error(`no schema ${schema}`)
  const ok = v(data)
  return ok ? true : JSON.stringify(v.errors)
}

let t: TestApp
let anon: Client
beforeAll(async () => {
  t = await createTestApp({ seed: true })
  anon = newClient(t)
}, 240_000)
afterAll(() => t?.close())

const form = (fields: Record<string, string>) =>
  anon.request('POST', '/open311/v2/requests.json', new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded' })

describe('Open311 GeoReport v2: discovery', () => {
  it('lists services (JSON, valid against services.json) and XML', async () => {
    const res = await anon.get('/open311/v2/services.json')
    expect(res.status).toBe(200)
    expect(valid('services.json', res.body)).toBe(true)
    expect(res.body.map((s: { service_code: string }) => s.service_code)).toEqual(['congestion', 'zombie_car', 'hazard'])
    expect(res.body[1]).toMatchObject({ service_name: '僵尸车', metadata: true, type: 'realtime' })
    const en = await anon.get('/open311/v2/services.json', { 'accept-language': 'en' })
    expect(en.body[1].service_name).toBe('Zombie car')
    const xml = await anon.get('/open311/v2/services.xml')
    expect(xml.headers.get('content-type')).toContain('application/xml')
    expect(String(xml.body)).toMatch(/^<\?xml[^>]*\?><services><service><service_code>congestion<\/service_code>/)
  })

  it('describes a service definition (valid against service-definition.json)', async () => {
    const res = await anon.get('/open311/v2/services/zombie_car.json')
    expect(res.status).toBe(200)
    expect(valid('service-definition.json', res.body)).toBe(true)
    expect(res.body.attributes.map((a: { code: string }) => a.code)).toEqual(['plate', 'parked_for'])
    expect(res.body.attributes[1].values).toHaveLength(4)
  })

  it('answers unknown services with a 404 in the Open311 error shape', async () => {
    const res = await anon.get('/open311/v2/services/flooding.json')
    expect(res.status).toBe(404)
    expect(res.body).toEqual([{ code: 404, description: expect.stringContaining('flooding') }])
    const bad = await anon.get('/open311/v2/services/../../x.json')
    expect(bad.status).toBeGreaterThanOrEqual(400)
  })
})

describe('Open311: reading requests', () => {
  it('lists requests valid against requests.json, with no reporter and coarse zombie-car locations', async () => {
    const me = await citizen(t, '13600000601')
    const r = await me.post(
      '/api/reports',
      await zombie(me, { plate: '川A4U8W2', lat: 30.68191, lng: 104.09123, description: '车牌川A4U8W2的车停了很久，联系我13600000601' }),
    )
    const res = await anon.get('/open311/v2/requests.json')
    expect(res.status).toBe(200)
    expect(valid('requests.json', res.body)).toBe(true)
    expect(res.body.length).toBeGreaterThan(20)
    const mine = res.body.find((x: { service_request_id: string }) => x.service_request_id === r.body.number)
    expect(mine).toMatchObject({ status: 'open', service_code: 'zombie_car', agency_responsible: '城区一大队' })
    expect(mine.lat).not.toBe(30.68191)
    expect(mine.requested_datetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/)
    const text = JSON.stringify(res.body)
    for (const secret of ['13600000601', '川A4U8W2', '张三', '13800138000']) expect(text).not.toContain(secret)
  })

  it('filters by status, service_code, dates and ids', async () => {
    const closed = await anon.get('/open311/v2/requests.json?status=closed&service_code=congestion')
    expect(closed.body.length).toBeGreaterThan(0)
    expect(closed.body.every((x: { status: string; service_code: string }) => x.status === 'closed' && x.service_code === 'congestion')).toBe(true)
    const old = await anon.get('/open311/v2/requests.json?start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00Z')
    expect(old.body).toEqual([])
    const two = closed.body.slice(0, 2).map((x: { service_request_id: string }) => x.service_request_id)
    const byId = await anon.get(`/open311/v2/requests.json?service_request_id=${two.join(',')}`)
    expect(byId.body.map((x: { service_request_id: string }) => x.service_request_id).sort()).toEqual(two.sort())
    const one = await anon.get(`/open311/v2/requests/${two[0]}.json`)
    expect(valid('requests.json', one.body)).toBe(true)
    expect(one.body).toHaveLength(1)
    const xml = await anon.get(`/open311/v2/requests/${two[0]}.xml`)
    expect(String(xml.body)).toContain(`<service_request_id>${two[0]}</service_request_id>`)
  })

  it('answers bad filters and unknown ids in the Open311 error shape', async () => {
    const bad = await anon.get('/open311/v2/requests.json?status=pending')
    expect(bad.status).toBe(400)
    expect(bad.body[0]).toMatchObject({ code: 400 })
    const date = await anon.get('/open311/v2/requests.json?start_date=yesterday')
    expect(date.status).toBe(400)
    const missing = await anon.get('/open311/v2/requests/R000000000.json')
    expect(missing.status).toBe(404)
    expect(missing.body).toEqual([{ code: 404, description: expect.any(String) }])
    const xmlErr = await anon.get('/open311/v2/requests/R000000000.xml')
    expect(String(xmlErr.body)).toContain('<errors><error><code>404</code>')
  })
})

describe('Open311: posting requests', () => {
  it('creates a request with a valid api_key (form-encoded), discarding personal fields', async () => {
    const res = await form({
      api_key: DEMO_OPEN311_KEY,
      service_code: 'congestion',
      lat: '30.6648',
      long: '104.0655',
      address_string: '东大街',
      description: '东大街双向拥堵，车辆排队很长',
      email: 'someone@example.com',
      phone: '13912345678',
      first_name: '李',
      'attribute[severity]': 'jammed',
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(valid('post-response.json', res.body)).toBe(true)
    expect(res.body[0]).toMatchObject({ service_request_id: expect.stringMatching(/^R/), token: expect.any(String) })
    const token = await anon.get(`/open311/v2/tokens/${res.body[0].token}.json`)
    expect(token.body).toEqual([{ service_request_id: res.body[0].service_request_id, token: res.body[0].token }])
    const back = await anon.get(`/open311/v2/requests/${res.body[0].service_request_id}.json`)
    expect(back.body[0]).toMatchObject({ status: 'open', service_code: 'congestion', agency_responsible: '城区一大队' })
    const dispatcher = await staffUser(t, 'dispatcher')
    const list = await dispatcher.get(`/api/console/reports?q=${res.body[0].service_request_id}`)
    const detail = await dispatcher.get(`/api/console/reports/${list.body.items[0].id}`)
    expect(detail.body).toMatchObject({ source: 'open311', citizen: null, gridName: '春熙网格' })
    expect(JSON.stringify(detail.body)).not.toContain('13912345678')
  })

  it('locates a request by a known road name when lat/long are missing', async () => {
    const res = await form({ api_key: DEMO_OPEN311_KEY, service_code: 'hazard', address_string: '科创大道', description: '科创大道信号灯不亮' })
    expect(res.status).toBe(201)
    expect(valid('post-response.json', res.body)).toBe(true)
    const back = await anon.get(`/open311/v2/requests/${res.body[0].service_request_id}.json`)
    expect(valid('requests.json', back.body)).toBe(true)
    expect(back.body[0]).toMatchObject({ service_code: 'hazard', address: '科创大道' })
  })

  it('refuses a missing or wrong api_key (403), unknown service (404), bad input (400)', async () => {
    const base = { service_code: 'congestion', lat: '30.66', long: '104.06', description: '测试拥堵上报内容' }
    expect((await form(base)).status).toBe(403)
    const wrong = await form({ ...base, api_key: 'o311_wrong' })
    expect(wrong.status).toBe(403)
    expect(wrong.body).toEqual([{ code: 403, description: 'Invalid api_key' }])
    expect((await form({ ...base, api_key: DEMO_OPEN311_KEY, service_code: 'flood' })).status).toBe(404)
    const short = await form({ ...base, api_key: DEMO_OPEN311_KEY, description: '堵' })
    expect(short.status).toBe(400)
    expect(short.body[0].description).toMatch(/^description/)
    const noPlace = await form({ api_key: DEMO_OPEN311_KEY, service_code: 'congestion', description: '测试拥堵上报内容' })
    expect(noPlace.status).toBe(400)
    const plate = await form({
      ...base,
      api_key: DEMO_OPEN311_KEY,
      service_code: 'zombie_car',
      'attribute[plate]': '川AI0000',
      'attribute[parked_for]': 'gt30d',
    })
    expect(plate.status).toBe(400)
    expect(plate.body[0].description).toContain('plate')
  })

  it('lets an admin issue and revoke keys (the plaintext once); others may not', async () => {
    const dispatcher = await staffUser(t, 'dispatcher')
    expect((await dispatcher.post('/api/console/open311/keys', { name: '第三方' })).status).toBe(403)
    const admin = await staffUser(t, 'admin')
    const created = await admin.post('/api/console/open311/keys', { name: '市民服务热线' })
    expect(created.status).toBe(201)
    const key = created.body.apiKey
    expect(key).toMatch(/^o311_/)
    const list = await admin.get('/api/console/open311/keys')
    expect(JSON.stringify(list.body)).not.toContain(key)
    const ok = await form({ api_key: key, service_code: 'congestion', lat: '30.66', long: '104.06', description: '热线转来的拥堵上报' })
    expect(ok.status).toBe(201)
    expect((await admin.post(`/api/console/open311/keys/${created.body.id}/revoke`)).status).toBe(200)
    const after = await form({ api_key: key, service_code: 'congestion', lat: '30.66', long: '104.06', description: '热线转来的拥堵上报' })
    expect(after.status).toBe(403)
  })
})
