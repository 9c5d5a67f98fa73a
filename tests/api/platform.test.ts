import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { newClient } from '../support/client'

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
    expect(res.body.error).toMatchObject({ code: 'bad_request', message: 'Malformed JSON in request body' })
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
    expect(res.body.error.code).toBe('not_found')
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
