import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '@tp/server/app'
import { loadConfig } from '@tp/server/config'
import { createDeps } from '@tp/server/platform/deps'
import { errorHandler, requestContext } from '@tp/server/platform/http'
import { createLogger } from '@tp/server/platform/logger'
import { createRouter } from '@tp/server/platform/openapi'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { Client, newClient } from '../support/client'
import { freshDatabase } from '../support/database'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('platform', () => {
  it('answers health and readiness', async () => {
    const c = newClient(t)
    expect((await c.get('/api/health')).body).toEqual({ status: 'ok' })
    expect((await c.get('/api/ready')).body).toMatchObject({ status: 'ready' })
  })

  it('answers malformed JSON with 400 in the error shape', async () => {
    const res = await newClient(t).post('/api/auth/otp', '{"phone": ')
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'bad_request', message: 'Malformed JSON in request body', details: [] })
    expect(res.body.error.requestId).toEqual(expect.any(String))
  })

  it('answers wrong types and unknown fields with the offending paths', async () => {
    const res = await newClient(t).post('/api/auth/otp', { phone: 13800138000, extra: true })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('validation_failed')
    const paths = res.body.error.details.map((d: { path: string }) => d.path)
    expect(paths).toContain('body.phone')
    expect(res.body.error.details.some((d: { code: string }) => d.code === 'unrecognized_keys')).toBe(true)
  })

  it('refuses oversized bodies with 413', async () => {
    const huge = JSON.stringify({ phone: 'x'.repeat(26 * 1024 * 1024) })
    const res = await newClient(t).post('/api/auth/otp', huge)
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('payload_too_large')
  })

  it('answers unknown API paths with 404 in the error shape', async () => {
    const res = await newClient(t).get('/api/nope')
    expect(res.status).toBe(404)
    expect(res.body.error).toMatchObject({ code: 'not_found', details: [] })
  })

  it('publishes an OpenAPI 3.1 document with access rules on every operation', async () => {
    const res = await newClient(t).get('/api/openapi.json')
    expect(res.body.openapi).toBe('3.1.0')
    const ops = Object.values(res.body.paths as Record<string, Record<string, { 'x-access'?: unknown }>>).flatMap((p) => Object.values(p))
    expect(ops.length).toBeGreaterThan(5)
    for (const op of ops) expect(op['x-access']).toBeDefined()
  })

  it('sets security headers that allow framing only by the mini-program origin', async () => {
    const res = await newClient(t).get('/api/health')
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'self' https://servicewechat.com")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
  })
})

describe('readiness', () => {
  let fresh: TestApp
  beforeAll(async () => {
    fresh = await createTestApp()
  })
  afterAll(() => fresh.close())

  it('is not ready while the newest migration is not applied', async () => {
    const c = newClient(fresh)
    expect((await c.get('/api/ready')).status).toBe(200)
    const db = fresh.deps.database.db
    // As if the newest migration had not run: its record gone (then put back).
    const deleted = (await db.execute(
      sql`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations) returning hash, created_at::text as at`,
    )) as unknown as { hash: string; at: string }[] | { rows: { hash: string; at: string }[] }
    const [newest] = Array.isArray(deleted) ? deleted : deleted.rows
    const res = await c.get('/api/ready')
    expect(res.status).toBe(503)
    expect(res.body).toEqual({ status: 'not_ready', reason: 'migrations pending' })
    await db.execute(sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${newest?.hash}, ${newest?.at}::bigint)`)
    expect((await c.get('/api/ready')).status).toBe(200)
  })
})

describe('logs', () => {
  const lines: Record<string, unknown>[] = []
  const log = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) })
  let t: TestApp
  let dataDir: string
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tp-logs-'))
    const database = await freshDatabase()
    const deps = await createDeps(loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, WEB_DIST: join(dataDir, 'no-web') }), { database, log })
    t = {
      app: createApp(deps),
      deps,
      now: { value: new Date() },
      close: async () => {
        await deps.bus.close()
        await database.close()
        rmSync(dataDir, { recursive: true, force: true })
      },
    }
  })
  afterAll(() => t.close())

  it('logs each request with its id and timing, and no personal data', async () => {
    const phone = '13912345678'
    const c = new Client(t, '10.9.9.9')
    await c.signInCitizen(phone)
    const vehicle = await c.post('/api/me/vehicles', { plate: '川A7K3Q9', vinLast6: '123456' })
    expect(vehicle.status).toBe(201)
    expect((await c.patch('/api/me/profile', { name: '张三丰', idNumber: '11010519491231002X' })).status).toBe(200)
    const requests = lines.filter((l) => l.msg === 'request')
    expect(requests.map((l) => l.path)).toEqual(expect.arrayContaining(['/api/auth/otp', '/api/auth/otp/verify', '/api/me/vehicles', '/api/me/profile']))
    for (const l of requests) {
      expect(l.requestId).toEqual(expect.any(String))
      expect(l.ms).toEqual(expect.any(Number))
      expect(l.status).toEqual(expect.any(Number))
    }
    expect(requests.find((l) => l.path === '/api/me/vehicles')?.requestId).toBe(vehicle.headers.get('x-request-id'))
    const text = lines.map((l) => JSON.stringify(l)).join('\n')
    for (const secret of [phone, '川A7K3Q9', '张三丰', '11010519491231002X']) expect(text).not.toContain(secret)
  })

  it('redacts personal fields by key, also one level down', () => {
    lines.length = 0
    const person = {
      phone: '13912345678',
      contactPhone: '13912345679',
      name: '李四',
      idNumber: '11010519491231002X',
      plate: '川A7K3Q9',
      vin: 'LSVAU2180N2183294',
      address: '春熙路1号',
    }
    log.info({ ...person, body: person }, 'probe')
    const line = lines[0] as Record<string, unknown>
    for (const [k, v] of Object.entries(person)) {
      expect(line[k], k).toBe('[redacted]')
      expect((line.body as Record<string, unknown>)[k], `body.${k}`).toBe('[redacted]')
      expect(JSON.stringify(line)).not.toContain(v)
    }
  })

  it('logs an unhandled error with the request id the client was given', async () => {
    lines.length = 0
    const app = createRouter()
    app.onError(errorHandler(t.deps))
    app.use('*', requestContext(t.deps))
    app.get('/api/crash', () => {
      throw new Error('boom\nparams: 13912345678')
    })
    const res = await app.request('/api/crash')
    expect(res.status).toBe(500)
    const body = await res.json()
    expect(body.error).toMatchObject({ code: 'internal_error', details: [] })
    const requestId = res.headers.get('x-request-id')
    expect(body.error.requestId).toBe(requestId)
    const error = lines.find((l) => l.msg === 'unhandled error')
    expect(error).toMatchObject({ level: 50, requestId, path: '/api/crash' })
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ requestId, status: 500 })
    expect(JSON.stringify(lines)).not.toContain('13912345678')
  })
})
