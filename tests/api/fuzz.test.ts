import { staff } from '@tp/server/modules/identity/identity.tables'
import { createSession } from '@tp/server/modules/identity/sessions'
import { eq } from 'drizzle-orm'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { citizen } from '../support/client'

/**
 * Property-based fuzzing of every operation in the OpenAPI document: generated params, queries and
 * bodies (wrong types, huge strings, deep nesting, unicode edge cases, SQL and script payloads), as
 * anonymous, a citizen and staff. No answer may be a 5xx, and every 4xx must carry the error shape.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 8)

type Op = { method: string; path: string; op: { requestBody?: { content?: Record<string, unknown> }; parameters?: { in: string; name: string }[] } }

let t: TestApp
let ops: Op[] = []
const identities: Record<string, { cookie: string; csrf: string }> = {}

const nasty = fc.constantFrom(
  "' OR 1=1 --",
  '"; drop table appeals; --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '\u202Eevil\u202C',
  'a\u200Bb\u200Dc',
  '😀👍🏽🚗',
  '１３８００１３８０００',
  '川Ａ１２３４５',
  '../../etc/passwd',
  '%00',
  '\u0000',
  'null',
  '-1',
  '1e309',
  '9999999999999999999999',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '2026-02-30',
  '',
)
const scalar = fc.oneof(
  nasty,
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ minLength: 5000, maxLength: 20000 }),
)
const deep = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('node'), { maxKeys: 3 }),
  ),
})).node
const deeplyNested = fc.integer({ min: 50, max: 2000 }).map((n) => JSON.parse(`${'['.repeat(n)}${']'.repeat(n)}`))

function bodyFor(keys: string[]) {
  return fc.oneof(
    fc.record(Object.fromEntries(keys.map((k) => [k, fc.oneof(scalar, deep)])), { requiredKeys: [] }),
    fc.dictionary(fc.string({ maxLength: 12 }), deep, { maxKeys: 6 }),
    deep,
    deeplyNested,
  )
}

function propertyNames(op: Op['op']): string[] {
  const schema = (op.requestBody?.content?.['application/json'] as { schema?: { properties?: Record<string, unknown> } } | undefined)?.schema
  return Object.keys(schema?.properties ?? {})
}

function isErrorShape(path: string, body: unknown): boolean {
  if (path.startsWith('/open311')) {
    return Array.isArray(body) && body.every((e) => typeof e?.code === 'number' && typeof e?.description === 'string')
  }
  const e = (body as { error?: { code?: unknown; message?: unknown } })?.error
  return typeof e?.code === 'string' && typeof e?.message === 'string'
}

beforeAll(async () => {
  t = await createTestApp({ seed: true })
  const doc = (await (await t.app.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, Op['op']>> }
  ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, op })))
  const c = await citizen(t, '13800138000')
  identities.citizen = { cookie: c.cookie, csrf: c.csrf }
  identities.anonymous = { cookie: '', csrf: '' }
})
afterAll(() => t.close())

/** Fresh staff/citizen sessions per operation, so a fuzzed logout or password change cannot end the run early. */
async function sessionFor(who: string) {
  if (who === 'anonymous') return identities.anonymous!
  const db = t.deps.database.db
  if (who === 'citizen') return identities.citizen!
  const [admin] = await db.select({ id: staff.id }).from(staff).where(eq(staff.username, who))
  const s = await createSession(db, { type: 'staff', id: admin!.id }, 3_600_000, new Date())
  return { cookie: `tp_sid=${s.token}`, csrf: s.csrfToken }
}

describe('fuzzing every route', () => {
  it('never answers 5xx, and every 4xx has the error shape', async () => {
    expect(ops.length).toBeGreaterThan(5)
    const failures: string[] = []
    let cases = 0
    for (const { method, path, op } of ops) {
      if (path === '/api/events' || path === '/api/auth/logout') continue
      const params = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)
      const queryNames = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name)
      const keys = propertyNames(op)
      const multipart = !!op.requestBody?.content?.['multipart/form-data']
      for (const who of ['anonymous', 'citizen', 'admin', 'dispatcher']) {
        const s = await sessionFor(who)
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.oneof(nasty, fc.string({ maxLength: 60 }), fc.uuid()), { minLength: params.length, maxLength: params.length }),
            fc.dictionary(fc.constantFrom(...queryNames, 'limit', 'cursor', 'page', 'x'), fc.oneof(nasty, fc.string({ maxLength: 50 })), { maxKeys: 4 }),
            bodyFor(keys),
            async (pathValues, query, body) => {
              cases++
              let url = path
              params.forEach((name, i) => {
                url = url.replace(`{${name}}`, encodeURIComponent(pathValues[i] ?? ''))
              })
              const qs = new URLSearchParams(query as Record<string, string>).toString()
              const headers: Record<string, string> = { 'x-test-ip': '10.9.9.9' }
              if (s.cookie) headers.cookie = s.cookie
              if (s.csrf) headers['x-csrf-token'] = s.csrf
              let payload: RequestInit['body']
              if (method !== 'GET' && method !== 'HEAD') {
                if (multipart) {
                  const form = new FormData()
                  for (const [k, v] of Object.entries(typeof body === 'object' && body ? body : { x: body })) form.append(k, String(v).slice(0, 2000))
                  form.append('file', new Blob(['not really an image']), '../../evil.jpg')
                  payload = form
                } else {
                  payload = JSON.stringify(body)
                  headers['content-type'] = 'application/json'
                }
              }
              const res = await t.app.request(`${url}${qs ? `?${qs}` : ''}`, { method, headers, body: payload })
              const text = await res.text()
              if (res.status >= 500) failures.push(`${method} ${path} as ${who} → ${res.status} ${text.slice(0, 200)}`)
              else if (res.status >= 400) {
                let parsed: unknown = null
                try {
                  parsed = JSON.parse(text)
                } catch {}
                if (!isErrorShape(path, parsed)) failures.push(`${method} ${path} as ${who} → ${res.status} without the error shape: ${text.slice(0, 200)}`)
              }
            },
          ),
          { numRuns: RUNS, endOnFailure: true },
        )
      }
      if (failures.length > 20) break
    }
    console.log(`fuzz: ${ops.length} operations, ${cases} cases (${RUNS} per operation and identity)`)
    expect(failures).toEqual([])
  }, 900_000)
})
