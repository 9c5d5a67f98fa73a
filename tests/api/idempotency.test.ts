import { z } from '@hono/zod-openapi'
import { sessionMiddleware } from '@tp/server/modules/identity/sessions'
import { PUBLIC } from '@tp/server/platform/access'
import { errorHandler, requestContext } from '@tp/server/platform/http'
import { createRouter, jsonBody, jsonContent, route } from '@tp/server/platform/openapi'
import { notifications } from '@tp/server/platform/platform.tables'
import { count, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'

// A minimal creating route on the real middleware stack, so the platform's idempotency is tested
// independently of any feature: it inserts one inbox row per request.
const RECIPIENT = '00000000-0000-4000-8000-000000000001'
let t: TestApp
let app: ReturnType<typeof createRouter>

beforeAll(async () => {
  t = await createTestApp()
  app = createRouter()
  app.onError(errorHandler(t.deps))
  app.use('*', requestContext(t.deps))
  app.use('*', sessionMiddleware(t.deps))
  app.openapi(
    route({
      method: 'post',
      path: '/things',
      access: PUBLIC,
      idempotent: true,
      request: { body: jsonBody(z.strictObject({ name: z.string().min(1) })) },
      responses: { 201: jsonContent(z.object({ id: z.string(), name: z.string() })) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const { name } = c.req.valid('json')
      if (name === 'fail') throw new Error('boom after writing')
      const [row] = await ctx.db
        .insert(notifications)
        .values({ recipientType: 'citizen', recipientId: RECIPIENT, messageKey: name })
        .returning({ id: notifications.id })
      return c.json({ id: row!.id, name }, 201)
    },
  )
  app.openapi(
    route({
      method: 'post',
      path: '/uploads',
      access: PUBLIC,
      idempotent: true,
      request: {
        body: { required: true, content: { 'multipart/form-data': { schema: z.object({ name: z.string(), photo: z.any() }) } } },
      },
      responses: { 201: jsonContent(z.object({ id: z.string(), name: z.string(), bytes: z.number() })) },
    }),
    async (c) => {
      const form = await c.req.parseBody()
      const name = String(form.name)
      const photo = form.photo as File
      const [row] = await c
        .get('ctx')
        .db.insert(notifications)
        .values({ recipientType: 'citizen', recipientId: RECIPIENT, messageKey: name })
        .returning({ id: notifications.id })
      return c.json({ id: row!.id, name, bytes: photo.size }, 201)
    },
  )
})
afterAll(() => t.close())

const post = (body: unknown, key?: string) =>
  app.request('/things', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  })

/** A fresh FormData per call, as a client retrying after a timeout builds it: a new multipart boundary each time. */
function upload(key: string, name: string, bytes: number[], fieldOrder: 'name-first' | 'photo-first' = 'name-first') {
  const form = new FormData()
  const photo = new File([new Uint8Array(bytes)], 'evidence.jpg', { type: 'image/jpeg' })
  if (fieldOrder === 'name-first') form.append('name', name)
  form.append('photo', photo)
  if (fieldOrder === 'photo-first') form.append('name', name)
  return new Request('http://localhost/uploads', { method: 'POST', headers: { 'idempotency-key': key }, body: form })
}

async function rowsNamed(name: string) {
  const [r] = await t.deps.database.db.select({ n: count() }).from(notifications).where(eq(notifications.messageKey, name))
  return r!.n
}

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body, creating once', async () => {
    const a = await post({ name: 'alpha' }, 'key-1')
    const b = await post({ name: 'alpha' }, 'key-1')
    expect(a.status).toBe(201)
    expect(b.status).toBe(201)
    expect(b.headers.get('idempotent-replayed')).toBe('true')
    expect(await b.json()).toEqual(await a.json())
    expect(await rowsNamed('alpha')).toBe(1)
  })

  it('refuses the same key with a different body (422)', async () => {
    await post({ name: 'beta' }, 'key-2')
    const res = await post({ name: 'gamma' }, 'key-2')
    expect(res.status).toBe(422)
    expect((await res.json()).error.code).toBe('idempotency_key_reused')
    expect(await rowsNamed('gamma')).toBe(0)
  })

  it('answers malformed JSON with a key as without one (400, nothing stored), and the created answer in full', async () => {
    const raw = (body: string, key: string) =>
      app.request('/things', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body })
    const bad = await raw('{"name": "json-body"', 'key-json')
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.message).toBe('Malformed JSON in request body')
    const good = await raw('{"name": "json-body"}', 'key-json')
    expect(good.status).toBe(201)
    expect(await good.json()).toEqual({ id: expect.any(String), name: 'json-body' })
    expect(await rowsNamed('json-body')).toBe(1)
  })

  it('creates every time without a key', async () => {
    await post({ name: 'delta' })
    await post({ name: 'delta' })
    expect(await rowsNamed('delta')).toBe(2)
  })

  it('stores nothing for a failed request, so a retry runs afresh', async () => {
    const bad = await post({ name: '' }, 'key-3')
    expect(bad.status).toBe(400)
    const retry = await post({ name: 'epsilon' }, 'key-3')
    expect(retry.status).toBe(201)
    expect(await rowsNamed('epsilon')).toBe(1)
  })

  it('creates exactly once when the same request arrives concurrently', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => post({ name: 'zeta' }, 'key-4')))
    const statuses = results.map((r) => r.status)
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1)
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true)
    const ids = new Set(await Promise.all(results.filter((r) => r.status === 201).map(async (r) => (await r.json()).id)))
    expect(ids.size).toBe(1)
    expect(await rowsNamed('zeta')).toBe(1)
  })

  it('replays a multipart upload whose form was rebuilt (new boundary, same fields and file)', async () => {
    const first = upload('key-6', 'eta', [0xff, 0xd8, 1, 2, 3])
    const retry = upload('key-6', 'eta', [0xff, 0xd8, 1, 2, 3], 'photo-first')
    expect(retry.headers.get('content-type')).not.toBe(first.headers.get('content-type'))
    const a = await app.request(first)
    const b = await app.request(retry)
    expect(a.status).toBe(201)
    expect(b.status).toBe(201)
    expect(b.headers.get('idempotent-replayed')).toBe('true')
    expect(await b.json()).toEqual(await a.json())
    expect(await rowsNamed('eta')).toBe(1)
  })

  it('refuses the same key with a different file or field in a multipart upload (422)', async () => {
    expect((await app.request(upload('key-7', 'theta', [0xff, 0xd8, 1]))).status).toBe(201)
    const otherFile = await app.request(upload('key-7', 'theta', [0xff, 0xd8, 2]))
    expect(otherFile.status).toBe(422)
    expect((await otherFile.json()).error.code).toBe('idempotency_key_reused')
    const otherField = await app.request(upload('key-7', 'iota', [0xff, 0xd8, 1]))
    expect(otherField.status).toBe(422)
    expect(await rowsNamed('theta')).toBe(1)
    expect(await rowsNamed('iota')).toBe(0)
  })

  it('rolls back the writes of a request that crashes, keeping the key free', async () => {
    const crash = await post({ name: 'fail' }, 'key-5')
    expect(crash.status).toBe(500)
    expect((await crash.json()).error.requestId).toEqual(expect.any(String))
    expect(await rowsNamed('fail')).toBe(0)
  })
})
