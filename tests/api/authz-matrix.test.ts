import { citizens, staff, units } from '@tp/server/modules/identity/identity.tables'
import { createSession } from '@tp/server/modules/identity/sessions'
import { hashPassword } from '@tp/server/modules/identity/staff.service'
import { createUnit } from '@tp/server/modules/identity/units'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { Client } from '../support/client'
import { type OpenApiDoc, type Schema, sample as sampleOf, validBody } from './hardening-support'

/**
 * The authorization matrix: EVERY operation of /api/openapi.json × {anonymous, citizen A,
 * citizen B, each staff role, staff of another unit for each role}, against the access rule the
 * operation publishes (`x-access`). Routes added by any feature are picked up automatically.
 *
 * - Not allowed by the rule: anonymous → 401, anyone signed in → 403 (never 2xx).
 * - Public: never refused because of a session (a route with its own credential, such as an
 *   evaluator's device token, may refuse everyone alike).
 * - Allowed: never 401/403 (requests carry a deliberately invalid body where the operation has one,
 *   so authorization is proven without changing anything), never 5xx.
 * - Lists: citizen B never sees citizen A's rows, other-unit staff never see unit X's rows.
 * - Path ids are real: discovered from the collection route (`/x/{id}` → `GET /x`) as citizen A or
 *   as staff of the jurisdiction (unit X), or given by a fixture below. Citizen B and staff of
 *   another unit then try them with a minimal VALID body (built from the operation's request
 *   schema, multipart where it takes files) and must get 404 or 403; a validation answer (400) is
 *   tolerated only under a floor — at least 90 % of the foreign attempts must meet the ownership/
 *   scope rule, and those that did not are listed. The foreign attempts run before the owner's, so
 *   they meet the resource in its original state.
 */

type Json = Record<string, unknown>
interface Param {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required?: boolean
  schema?: Schema
}
interface Access {
  public?: boolean
  citizen?: boolean
  staff?: 'any' | string[]
  apiKey?: boolean
}
interface Operation {
  method: string
  path: string
  access: Access
  params: Param[]
  body?: { content: Record<string, { schema?: Schema }> }
}

type Kind = 'anonymous' | 'citizen' | 'staff'
interface Identity {
  name: string
  kind: Kind
  role?: string
  subjectId?: string
  /** Citizen B, or staff of the other unit: must never reach citizen A's or unit X's resources. */
  foreign: boolean
  ip: string
  get?: { cookie: string; csrf: string }
}

const ROLES: Record<string, string> = { admin: 'admin', head: 'unit_head', dispatcher: 'dispatcher', legal: 'legal_officer', window: 'window_staff' }
/** Who lists a staff collection to find an id of unit X: the first allowed of these. */
const OWNER_ORDER = ['admin', 'head', 'dispatcher', 'legal', 'window']
const NIL_UUID = '00000000-0000-4000-8000-000000000000'
const INVALID_BODY = { __authz_matrix__: true }

// -------------------------------------------------------------------------------------------------
// Per-route fixtures, only where discovery cannot work or would do harm.

interface Fixture {
  /** Path parameter values; marks them as belonging to citizen A / unit X (foreign checks apply). */
  params?: () => Record<string, string>
  /** The resource is shared by design (e.g. a jurisdiction-wide catalogue): no foreign checks. */
  shared?: boolean
  /** Any citizen may act on it (e.g. "me too" on someone else's report): no citizen-B check. */
  anyCitizen?: boolean
  /** A list that legitimately shows the same rows to everyone allowed (a catalogue): no isolation check. */
  sharedList?: boolean
}

const fx: { victimStaff: string; spareUnit: string; citizenA: string } = { victimStaff: '', spareUnit: '', citizenA: '' }
const FIXTURES: Record<string, Fixture> = {
  // Never reset or deactivate a staff member the matrix signs in as: use a dedicated one in unit X.
  'GET /api/console/staff/{id}': { params: () => ({ id: fx.victimStaff }) },
  'PATCH /api/console/staff/{id}': { params: () => ({ id: fx.victimStaff }) },
  'POST /api/console/staff/{id}/reset-password': { params: () => ({ id: fx.victimStaff }) },
  // An empty squadron in unit X that the admin may rename, move and finally delete.
  'PATCH /api/console/admin/units/{id}': { params: () => ({ id: fx.spareUnit }) },
  'DELETE /api/console/admin/units/{id}': { params: () => ({ id: fx.spareUnit }) },
  // The audited "show" action: citizen A has no case in the other unit.
  'GET /api/console/citizens/{id}': { params: () => ({ id: fx.citizenA }) },
  // Supporting someone else's report is the point of "me too".
  'POST /api/reports/{id}/me-too': { anyCitizen: true },
  // Jurisdiction-wide configuration, not unit data.
  'PUT /api/console/calendar/overrides/{date}': { shared: true },
  'PUT /api/console/appeals/types/{key}': { shared: true },
  'POST /api/console/appeals/options/{list}': { shared: true },
  'PUT /api/console/appeals/options/{list}/{key}': { shared: true },
  'POST /api/console/appeals/options/{list}/order': { shared: true },
  'DELETE /api/console/calendar/overrides/{date}': { shared: true },
  'PUT /api/console/report-kinds/{code}': { shared: true },
  'PATCH /api/console/bookings/services/{id}': { shared: true },
  'POST /api/console/open311/keys/{id}/revoke': { shared: true },
  'DELETE /api/console/api-keys/{id}': { shared: true },
  // Catalogues and configuration every allowed member of staff sees alike.
  'GET /api/console/bookings/services': { sharedList: true },
  'GET /api/console/open311/keys': { sharedList: true },
  'GET /api/console/report-kinds': { sharedList: true },
  'GET /api/console/api-keys': { sharedList: true },
}

let doc: OpenApiDoc
const sample = (schema: Schema | undefined) => sampleOf(doc, schema)

// -------------------------------------------------------------------------------------------------

let t: TestApp
let ops: Operation[] = []
const identities: Identity[] = []
const stats = { requests: 0, foreignChecks: 0, foreignReachedRule: 0 }
/** Foreign-id attempts answered by validation (400) rather than by the ownership/scope rule. */
const notReached = new Set<string>()
/** At least this share of the foreign-id attempts must meet the ownership/scope rule. */
const REACH_FLOOR = 0.9

function allows(access: Access, who: Identity): boolean {
  if (access.public) return true
  if (who.kind === 'citizen') return !!access.citizen
  if (who.kind === 'staff') return access.staff === 'any' || (Array.isArray(access.staff) && access.staff.includes(who.role ?? ''))
  return false
}

/** A session for one request: GETs share one per identity; anything else gets a fresh one. */
async function sessionFor(who: Identity, method: string) {
  if (who.kind === 'anonymous' || !who.subjectId) return null
  if (method === 'GET' && who.get) return who.get
  const s = await createSession(t.deps.database.db, { type: who.kind === 'staff' ? 'staff' : 'citizen', id: who.subjectId }, 3_600_000, new Date())
  const session = { cookie: `tp_sid=${s.token}`, csrf: s.csrfToken }
  if (method === 'GET') who.get = session
  return session
}

async function call(who: Identity, method: string, url: string, body?: unknown) {
  stats.requests++
  const s = await sessionFor(who, method)
  const headers: Record<string, string> = { 'x-test-ip': who.ip }
  if (s) {
    headers.cookie = s.cookie
    if (method !== 'GET') headers['x-csrf-token'] = s.csrf
  }
  const form = body instanceof FormData
  if (body !== undefined && !form) headers['content-type'] = 'application/json'
  const res = await t.app.request(url, { method, headers, body: body === undefined ? undefined : form ? body : JSON.stringify(body) })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {}
  return { status: res.status, body: parsed as Json }
}

function queryString(op: Operation): string {
  const q = new URLSearchParams()
  for (const p of op.params) if (p.in === 'query' && p.required) q.set(p.name, String(sample(p.schema)))
  const s = q.toString()
  return s ? `?${s}` : ''
}

function fill(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? NIL_UUID))
}

function pickId(item: unknown, param: string): string | undefined {
  if (!item || typeof item !== 'object') return undefined
  const o = item as Json
  const v = o[param] ?? (/id$/i.test(param) ? o.id : undefined) ?? o.id
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined
}

function firstItem(body: unknown): unknown {
  if (Array.isArray(body)) return body[0]
  const b = body as Json | null
  if (b && Array.isArray(b.items)) return b.items[0]
  return undefined
}

interface Resolved {
  values: Record<string, string>
  /** Whose: citizen A's or unit X's (null: not discovered, so no foreign check). */
  owner: 'citizen' | 'staff' | null
}

/** Path parameter values: from a fixture, or discovered by listing the collection route. */
async function resolveParams(op: Operation): Promise<Resolved> {
  const names = op.params.filter((p) => p.in === 'path').map((p) => p.name)
  if (names.length === 0) return { values: {}, owner: null }
  const f = FIXTURES[`${op.method} ${op.path}`]
  if (f?.params) return { values: f.params(), owner: op.access.citizen && !op.access.staff ? 'citizen' : 'staff' }
  const values: Record<string, string> = {}
  let owner: Resolved['owner'] = null
  for (const name of names) {
    const param = op.params.find((p) => p.in === 'path' && p.name === name)
    const cut = op.path.indexOf(`/{${name}}`)
    const collectionPath = op.path.slice(0, cut)
    const listOp = ops.find((o) => o.method === 'GET' && o.path === collectionPath)
    let found: string | undefined
    if (listOp) {
      const lister = listerFor(listOp.access)
      if (lister) {
        const res = await call(lister, 'GET', `${fill(collectionPath, values)}${queryString(listOp)}`)
        if (res.status === 200) found = pickId(firstItem(res.body), name)
        if (found && !listOp.access.public) owner = lister.kind === 'citizen' ? 'citizen' : 'staff'
      }
    }
    values[name] = found ?? String(sample(param?.schema))
  }
  return { values, owner }
}

/** Citizen A for citizen collections; else the jurisdiction's staff member of the first allowed role. */
function listerFor(access: Access): Identity | undefined {
  if (access.citizen) return identities.find((i) => i.name === 'citizen A')
  for (const key of OWNER_ORDER) {
    const who = identities.find((i) => i.name === `staff ${key}`)
    if (who && allows(access, who)) return who
  }
  return access.public ? identities.find((i) => i.kind === 'anonymous') : undefined
}

// -------------------------------------------------------------------------------------------------

t = await createTestApp({ seed: true })
doc = (await (await t.app.request('/api/openapi.json')).json()) as OpenApiDoc
ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, raw]) => ({
    method: method.toUpperCase(),
    path,
    access: raw['x-access'] as Access,
    params: (raw.parameters as Param[] | undefined) ?? [],
    body: raw.requestBody as Operation['body'],
  })),
)

beforeAll(async () => {
  const db = t.deps.database.db
  let ip = 1
  const nextIp = () => `10.123.${Math.floor(ip / 250)}.${ip++ % 250}`
  const admin = await new Client(t, nextIp()).signInStaff('admin')
  const [b1] = await db.select().from(units).where(eq(units.name, '城区一大队'))

  // Another unit: a separate organisation tree (a second 支队) with no data, one staff member per
  // role. Being outside the jurisdiction's tree, nothing of unit X is in their scope and nothing of
  // theirs is in unit X's, so any row both see in a list is a leak.
  const other = await createUnit(db, { name: '矩阵外单位支队', kind: 'detachment', parentId: null })
  const passwordHash = await hashPassword('Matrix-pass-2026')
  const otherStaff: Record<string, string> = {}
  for (const [key, role] of Object.entries(ROLES)) {
    const [row] = await db
      .insert(staff)
      .values({ username: `mx.${key}`, name: `矩阵${key}`, role: role as 'admin', unitId: other.id, passwordHash })
      .returning({ id: staff.id })
    otherStaff[key] = row?.id as string
  }
  const victim = await admin.post('/api/console/staff', { username: 'mx.victim', name: '矩阵受试', role: 'dispatcher', unitId: b1?.id })
  fx.victimStaff = victim.body.staff.id
  fx.spareUnit = (await admin.post('/api/console/admin/units', { name: '矩阵备用中队', kind: 'squadron', parentId: b1?.id })).body.id

  const idOfPhone = async (phone: string) => (await db.select({ id: citizens.id }).from(citizens).where(eq(citizens.phone, phone)))[0]?.id
  fx.citizenA = (await idOfPhone('13800138000')) as string
  identities.push({ name: 'anonymous', kind: 'anonymous', foreign: false, ip: nextIp() })
  identities.push({ name: 'citizen B', kind: 'citizen', subjectId: await idOfPhone('13900139000'), foreign: true, ip: nextIp() })
  for (const key of Object.keys(ROLES)) {
    identities.push({ name: `other-unit ${key}`, kind: 'staff', role: ROLES[key], subjectId: otherStaff[key], foreign: true, ip: nextIp() })
  }
  identities.push({ name: 'citizen A', kind: 'citizen', subjectId: fx.citizenA, foreign: false, ip: nextIp() })
  for (const [key, role] of Object.entries(ROLES)) {
    const [row] = await db.select({ id: staff.id }).from(staff).where(eq(staff.username, key))
    identities.push({ name: `staff ${key}`, kind: 'staff', role, subjectId: row?.id, foreign: false, ip: nextIp() })
  }
}, 300_000)

afterAll(async () => {
  console.log(
    `authorization matrix: ${ops.length} operations × ${identities.length} identities = ${ops.length * identities.length} cells; ` +
      `${stats.requests} requests; ${stats.foreignChecks} foreign-id attempts, ${stats.foreignReachedRule} answered 403/404 by the ownership/scope rule; ` +
      `not reached: ${[...notReached].join('; ') || 'none'}`,
  )
  await t.close()
})

describe('authorization matrix', () => {
  it('covers every operation of the OpenAPI document, each with an access rule', () => {
    expect(ops.length).toBeGreaterThan(30)
    for (const op of ops) expect(op.access, `${op.method} ${op.path}`).toBeTypeOf('object')
  })

  for (const op of ops) {
    it(`${op.method} ${op.path}  [${describeAccess(op.access)}]`, async () => {
      const { values, owner } = await resolveParams(op)
      const fixture = FIXTURES[`${op.method} ${op.path}`] ?? {}
      const url = `${fill(op.path, values)}${queryString(op)}`
      const hasBody = !!op.body
      const failures: string[] = []
      /** What anonymous got on a public route: a session must never make it forbidden. */
      let anonymousStatus = 0

      /** Ids each identity saw in a list answer (GET without path ids). */
      const seen = new Map<string, Set<string>>()

      for (const who of identities) {
        const allowed = allows(op.access, who)
        const foreignCheck =
          allowed &&
          who.foreign &&
          !op.access.public &&
          !fixture.shared &&
          ((owner === 'citizen' && who.kind === 'citizen' && !fixture.anyCitizen) || (owner === 'staff' && who.kind === 'staff'))
        let body: unknown
        // A foreign attempt carries a minimal valid body, so that the ownership/scope rule answers.
        if (hasBody) body = foreignCheck ? validBody(doc, op.body) : INVALID_BODY
        const res = await call(who, op.method, url, body)
        if (op.method === 'GET' && !op.path.includes('{') && res.status === 200) seen.set(who.name, listIds(res.body))
        const where = `${who.name} → ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`
        if (who.kind === 'anonymous') anonymousStatus = res.status
        if (res.status >= 500) failures.push(`5xx: ${where}`)
        else if (op.access.public) {
          // Public at the session level; a route may still check its own credential (a device token,
          // an Open311 api_key) and answer 401/403 — but then it must do so for everyone alike.
          const ownCredential = anonymousStatus === 401 || anonymousStatus === 403
          if (!ownCredential && (res.status === 401 || res.status === 403)) failures.push(`public route refused a session: ${where}`)
        } else if (!allowed) {
          const expected = who.kind === 'anonymous' ? 401 : 403
          if (res.status !== expected) failures.push(`expected ${expected}: ${where}`)
        } else if (foreignCheck) {
          stats.foreignChecks++
          // 400: the body was refused before the rule (counted against the floor below). Anything
          // else — 2xx, 401, or a state answer such as 409/422 — reveals or touches the resource.
          if (res.status === 403 || res.status === 404) stats.foreignReachedRule++
          else if (res.status === 400) notReached.add(`${op.method} ${op.path} (${who.name}: ${JSON.stringify(res.body).slice(0, 100)})`)
          else failures.push(`foreign id must give 404/403: ${where}`)
        } else if (res.status === 401 || res.status === 403) {
          failures.push(`allowed but refused: ${where}`)
        }
      }
      // List isolation: citizen B never sees citizen A's rows; staff of the other unit never see
      // what staff of unit X (the jurisdiction) see in the same list.
      if (!op.access.public && !fixture.sharedList) {
        const overlap = (a: string, b: string) => {
          const x = seen.get(a)
          const y = seen.get(b)
          return x && y ? [...x].filter((id) => y.has(id)) : []
        }
        const pairs: [string, string][] = [['citizen A', 'citizen B']]
        for (const key of Object.keys(ROLES)) pairs.push([`staff ${key}`, `other-unit ${key}`])
        for (const [owner, foreign] of pairs) {
          const leaked = overlap(owner, foreign)
          if (leaked.length) failures.push(`list shows ${owner}'s rows to ${foreign}: ${leaked.slice(0, 3).join(', ')}`)
        }
      }
      expect(failures, `${op.method} ${url}`).toEqual([])
    })
  }

  it('foreign ids meet the ownership/scope rule, not validation', () => {
    expect(stats.foreignChecks).toBeGreaterThan(100)
    expect(stats.foreignReachedRule / stats.foreignChecks, `not reached:\n${[...notReached].join('\n')}`).toBeGreaterThanOrEqual(REACH_FLOOR)
  })
})

/** The ids of a list answer (`items[].id` or an array of `{ id }`). */
function listIds(body: unknown): Set<string> {
  const items = Array.isArray(body) ? body : Array.isArray((body as Json | null)?.items) ? ((body as Json).items as unknown[]) : []
  const ids = new Set<string>()
  for (const it of items) {
    const id = it && typeof it === 'object' ? (it as Json).id : undefined
    if (typeof id === 'string' || typeof id === 'number') ids.add(String(id))
  }
  return ids
}

function describeAccess(a: Access): string {
  if (a.public) return 'public'
  const parts: string[] = []
  if (a.citizen) parts.push('citizen')
  if (a.staff === 'any') parts.push('any staff')
  else if (a.staff) parts.push(a.staff.join('/'))
  if (a.apiKey) parts.push('api key')
  return parts.join(', ')
}
