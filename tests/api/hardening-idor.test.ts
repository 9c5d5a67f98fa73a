import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { appeals } from '@tp/server/modules/appeals/appeals.tables'
import { bookings, queueTickets } from '@tp/server/modules/bookings/bookings.tables'
import { citizens, units, vehicles } from '@tp/server/modules/identity/identity.tables'
import { ratingFollowUps } from '@tp/server/modules/ratings/ratings.tables'
import { reports } from '@tp/server/modules/reports/reports.tables'
import { files } from '@tp/server/platform/platform.tables'
import { eq, isNull, or } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { Client, type Res } from '../support/client'
import { importTickets } from './appeals-support'
import { file, JPEG, type OpenApiDoc, PLAIN_PDF, png, validBody } from './hardening-support'

/**
 * IDOR probes on every citizen and console route that takes an id: for each id of citizen A's
 * resources (reports, appeals, bookings, queue tickets, vehicles, uploaded photos and evidence) and
 * of unit X's cases, citizen B and staff of another unit (every role) must get 404 — the same answer
 * as for an id that does not exist, so the answer is no existence oracle — and never the content.
 * Beyond the real ids: sequential neighbours (the last hex digits ±1…4), random UUIDs, the nil UUID
 * and small integers. Routes are taken from the OpenAPI document, so new ones are probed too.
 *
 * Framing: every response, the H5 and console HTML pages included, carries CSP frame-ancestors
 * allowing only itself and the mini-program origin.
 */

let t: TestApp
let doc: OpenApiDoc
let webDir: string
let A: Client
let B: Client
const owner = { citizenA: '' }
type Kind = 'report' | 'appeal' | 'booking' | 'ticket' | 'vehicle' | 'file' | 'followup' | 'citizen'
const ids: Record<Kind, string[]> = { report: [], appeal: [], booking: [], ticket: [], vehicle: [], file: [], followup: [], citizen: [] }
const OTHER_ROLES = ['admin', 'unit_head', 'dispatcher', 'legal_officer', 'window_staff']
/** Staff of another unit, one per role of OTHER_ROLES, in that order. */
const otherUnitStaff: Client[] = []
let ipSeq = 1
const ip = () => `203.0.113.${ipSeq++ % 250}`
const stats = { probes: 0, routes: new Set<string>() }
/** Per suite: the id-taking routes probed, and those whose probe reached the ownership/scope rule. */
const reach: Record<string, { routes: Set<string>; reached: Set<string>; missed: string[] }> = {}
/**
 * Records whether a probe with a nonexistent id got past validation to the lookup (403/404): only
 * then does the equal answer for a foreign id prove the ownership/scope rule.
 */
function record(suite: string, p: Probe, ghost: Res): boolean {
  reach[suite] ??= { routes: new Set(), reached: new Set(), missed: [] }
  const r = reach[suite]
  const key = `${p.method} ${p.path}`
  r.routes.add(key)
  const reached = ghost.status === 403 || ghost.status === 404
  if (reached) r.reached.add(key)
  else if (!r.reached.has(key)) r.missed.push(`${key} → ${ghost.status} ${JSON.stringify(ghost.body).slice(0, 100)}`)
  return reached
}
/** At least this share of the id-taking routes must be answered by the rule, not by validation. */
const REACH_FLOOR = 0.9
function expectReach(suite: string) {
  const r = reach[suite]!
  const missed = [...new Set(r.missed.map((m) => m.split(' → ')[0]))].filter((k) => !r.reached.has(k as string))
  console.log(
    `IDOR ${suite}: ${r.reached.size}/${r.routes.size} id-taking routes reached the ownership/scope rule; not reached: ${missed.join(', ') || 'none'}`,
  )
  expect(r.reached.size / r.routes.size, r.missed.join('\n')).toBeGreaterThanOrEqual(REACH_FLOOR)
}

beforeAll(async () => {
  webDir = mkdtempSync(join(tmpdir(), 'tp-web-'))
  mkdirSync(join(webDir, 'console'), { recursive: true })
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>H5</title>')
  writeFileSync(join(webDir, 'console/index.html'), '<!doctype html><title>Console</title>')
  t = await createTestApp({ seed: true, env: { WEB_DIST: webDir } })
  doc = (await (await t.app.request('/api/openapi.json')).json()) as OpenApiDoc
  const db = t.deps.database.db

  // Citizen A: the demo citizen with seeded cases in every feature, plus fresh uploads.
  A = await new Client(t, ip()).signInCitizen('13800138000')
  B = await new Client(t, ip()).signInCitizen('13600010002')
  const [a] = await db.select({ id: citizens.id }).from(citizens).where(eq(citizens.phone, '13800138000'))
  owner.citizenA = a!.id
  const form = new FormData()
  form.append('photo', file(JPEG, 'a.jpg', 'image/jpeg'))
  const photo = await A.post('/api/reports/photos', form)
  expect(photo.status).toBe(201)
  const report = await A.post('/api/reports', {
    kind: 'congestion',
    lat: 30.6702,
    lng: 104.0601,
    locationSource: 'gps',
    address: '春熙路与总府路路口',
    description: '路口车辆排队很长，通行缓慢',
    photoIds: [photo.body.id],
  })
  expect(report.status).toBe(201)
  const unattached = await A.post('/api/reports/photos', form)
  expect(unattached.status).toBe(201)
  const admin = await new Client(t, ip()).signInStaff('admin')
  const [ticket] = await importTickets(admin, [{ plate: '川A77001' }])
  const ev = new FormData()
  for (const [k, v] of Object.entries({
    decisionNo: ticket!.decisionNo,
    plate: '川A77001',
    grounds: 'camera_misread',
    statement: '抓拍照片中的车辆不是我的车，号牌尾号识别错误，请核实。',
    contactPhone: '13800138000',
  }))
    ev.append(k, v)
  ev.append('evidence', file(PLAIN_PDF, 'scan.pdf', 'application/pdf'))
  ev.append('evidence', file(png(), 'p.png', 'image/png'))
  expect((await A.post('/api/appeals', ev)).status).toBe(201)

  const col = <T>(rows: T[], pick: (r: T) => string | null) => rows.map(pick).filter((x): x is string => !!x)
  ids.report = col(await db.select({ id: reports.id }).from(reports).where(eq(reports.citizenId, owner.citizenA)), (r) => r.id)
  ids.appeal = col(await db.select({ id: appeals.id }).from(appeals).where(eq(appeals.citizenId, owner.citizenA)), (r) => r.id)
  ids.booking = col(await db.select({ id: bookings.id }).from(bookings).where(eq(bookings.citizenId, owner.citizenA)), (r) => r.id)
  ids.ticket = col(await db.select({ id: queueTickets.id }).from(queueTickets).where(eq(queueTickets.citizenId, owner.citizenA)), (r) => r.id)
  ids.vehicle = col(await db.select({ id: vehicles.id }).from(vehicles).where(eq(vehicles.citizenId, owner.citizenA)), (r) => r.id)
  ids.file = col(
    await db
      .select({ id: files.id })
      .from(files)
      .where(or(eq(files.ownerId, owner.citizenA), eq(files.entityType, 'appeal'), eq(files.entityType, 'report'))),
    (r) => r.id,
  )
  ids.followup = col(await db.select({ id: ratingFollowUps.id }).from(ratingFollowUps), (r) => r.id)
  ids.citizen = [owner.citizenA]
  for (const k of ['report', 'appeal', 'booking', 'file'] as const) expect(ids[k].length, k).toBeGreaterThan(0)

  // Another unit with one staff member per role and no data of its own.
  const [root] = await db.select().from(units).where(isNull(units.parentId))
  const other = await admin.post('/api/console/admin/units', { name: 'IDOR外单位大队', kind: 'brigade', parentId: root!.id })
  expect(other.status).toBe(201)
  for (const role of OTHER_ROLES) {
    const created = await admin.post('/api/console/staff', { username: `idor.${role}`, name: `外单位${role}`, role, unitId: other.body.id })
    expect(created.status).toBe(201)
    const s = await new Client(t, ip()).signInStaff(`idor.${role}`, created.body.temporaryPassword)
    expect((await s.post('/api/auth/staff/password', { currentPassword: created.body.temporaryPassword, newPassword: 'Idor-pass-2026' })).status).toBe(200)
    otherUnitStaff.push(s)
  }
}, 180_000)

afterAll(async () => {
  console.log(
    `IDOR: ${stats.probes} probes on ${stats.routes.size} routes; ids: ${Object.entries(ids)
      .map(([k, v]) => `${k} ${v.length}`)
      .join(', ')}`,
  )
  await t?.close()
  rmSync(webDir, { recursive: true, force: true })
})

/** Which of A's ids a route's path parameter takes. */
function kindOf(path: string, param: string): Kind | null {
  if (/\/files\/\{id\}/.test(path)) return 'file'
  if (param === 'ticketId' || /\/tickets\/\{id\}/.test(path)) return 'ticket'
  if (param === 'bookingId' || /\/bookings\/(bookings\/)?\{id\}/.test(path)) return 'booking'
  if (/\/reports\/\{id\}/.test(path)) return 'report'
  if (/\/appeals\/\{id\}/.test(path)) return 'appeal'
  if (/\/vehicles\/\{id\}/.test(path)) return 'vehicle'
  if (/\/followups\/\{id\}/.test(path)) return 'followup'
  if (/\/citizens\/\{id\}/.test(path)) return 'citizen'
  return null
}

interface Probe {
  method: string
  path: string
  param: string
  kind: Kind
  access: { citizen?: boolean; staff?: 'any' | string[]; public?: boolean }
  requestBody: unknown
}

function probes(): Probe[] {
  const out: Probe[] = []
  for (const [path, methods] of Object.entries(doc.paths)) {
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string)
    if (params.length !== 1) continue
    for (const [method, op] of Object.entries(methods)) {
      const kind = kindOf(path, params[0] as string)
      if (!kind) continue
      // "Me too" on someone else's open report is the point of it.
      if (path === '/api/reports/{id}/me-too') continue
      out.push({ method: method.toUpperCase(), path, param: params[0] as string, kind, access: op['x-access'] as Probe['access'], requestBody: op.requestBody })
    }
  }
  return out
}

/** Sequential neighbours of a UUID: the last hex digits plus/minus 1…4. */
function neighbours(id: string): string[] {
  const head = id.slice(0, -4)
  const tail = Number.parseInt(id.slice(-4), 16)
  return [1, 2, 3, 4, -1, -2].map((d) => `${head}${((tail + d + 0x10000) % 0x10000).toString(16).padStart(4, '0')}`)
}
const RANDOM = ['00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-000000000001', crypto.randomUUID(), crypto.randomUUID()]

async function send(c: Client, p: Probe, id: string): Promise<Res> {
  stats.probes++
  stats.routes.add(`${p.method} ${p.path}`)
  const url = p.path.replace(`{${p.param}}`, encodeURIComponent(id))
  // A minimal valid body from the operation's own schema, so ownership — not validation — answers.
  return c.request(p.method, url, validBody(doc, p.requestBody))
}

function leaked(res: Res, id: string): boolean {
  if (res.status < 400) return true
  return JSON.stringify(res.body ?? '').includes(id)
}

describe('citizen B against citizen A', () => {
  it('gets 404 for every id of A on every citizen route, the same answer as for ids that do not exist', async () => {
    const failures: string[] = []
    for (const p of probes().filter((x) => x.access?.citizen)) {
      const ghost = await send(B, p, RANDOM[2] as string)
      record('citizen B', p, ghost)
      for (const id of ids[p.kind]) {
        const res = await send(B, p, id)
        if (leaked(res, id) || res.status !== ghost.status || res.body?.error?.code !== ghost.body?.error?.code)
          failures.push(`${p.method} ${p.path} ${p.kind} ${id} → ${res.status} ${JSON.stringify(res.body).slice(0, 120)} (nonexistent: ${ghost.status})`)
      }
    }
    expect(failures).toEqual([])
    expectReach('citizen B')
  }, 240_000)

  it('finds nothing by sequential neighbours, random UUIDs or small integers', async () => {
    const failures: string[] = []
    for (const p of probes().filter((x) => x.access?.citizen && x.method === 'GET')) {
      const guesses = [...(ids[p.kind].slice(0, 3).flatMap(neighbours) ?? []), ...RANDOM, '1', '2', '100']
      for (const g of guesses) {
        const res = await send(B, p, g)
        if (res.status < 400 || ![400, 404].includes(res.status)) failures.push(`${p.method} ${p.path} ${g} → ${res.status}`)
      }
    }
    expect(failures).toEqual([])
  }, 240_000)

  it("never serves A's photos or evidence to B by URL, while A and staff in scope get them", async () => {
    let served = 0
    for (const id of ids.file) {
      for (const url of [`/api/reports/files/${id}`, `/api/reports/files/${id}/thumb`, `/api/appeals/files/${id}`, `/api/appeals/files/${id}?thumb=1`]) {
        const res = await B.get(url)
        expect(res.status, url).toBe(404)
        expect(typeof res.body === 'object' && res.body?.error?.code).toBe('not_found')
        if ((await A.get(url)).status === 200) served++
      }
    }
    expect(served).toBeGreaterThan(0)
    const legal = await new Client(t, ip()).signInStaff('legal')
    const [evidence] = await t.deps.database.db.select({ id: files.id }).from(files).where(eq(files.entityType, 'appeal'))
    expect((await legal.get(`/api/appeals/files/${evidence!.id}`)).status).toBe(200)
  })
})

describe('staff of another unit against unit X', () => {
  it('gets 404 (or 403 by role) for every case, file and citizen of unit X on every console route', async () => {
    const failures: string[] = []
    const consoleProbes = probes().filter((x) => x.access?.staff)
    for (const [i, s] of otherUnitStaff.entries()) {
      const role = OTHER_ROLES[i] as string
      for (const p of consoleProbes) {
        const byRole = p.access.staff === 'any' || !!p.access.staff?.includes(role)
        const ghost = await send(s, p, RANDOM[2] as string)
        // Refused by role: 403 whatever the id. Allowed: the nonexistent id must reach the lookup.
        if (byRole) record('other-unit staff', p, ghost)
        else if (ghost.status !== 403) failures.push(`${p.method} ${p.path} as ${role} (not allowed) → ${ghost.status}`)
        for (const id of [...ids[p.kind].slice(0, 6), ...neighbours(ids[p.kind][0] ?? RANDOM[2]!).slice(0, 2)]) {
          const res = await send(s, p, id)
          if (leaked(res, id) || res.status !== (byRole ? ghost.status : 403))
            failures.push(`${p.method} ${p.path} as ${role} ${id} → ${res.status} ${JSON.stringify(res.body).slice(0, 120)} (nonexistent: ${ghost.status})`)
        }
      }
      for (const id of ids.file.slice(0, 6)) {
        for (const url of [`/api/reports/files/${id}`, `/api/appeals/files/${id}`, `/api/console/ratings/files/${id}`]) {
          const res = await s.get(url)
          if (res.status !== 404 && res.status !== 403) failures.push(`GET ${url} → ${res.status}`)
        }
      }
    }
    expect(failures).toEqual([])
    expectReach('other-unit staff')
  }, 300_000)
})

describe('citizen A (control, last: it changes her cases)', () => {
  it('gets past validation and the lookup with the same bodies on her own ids, so the 404s above are the ownership rule', async () => {
    const failures: string[] = []
    for (const p of probes().filter((x) => x.access?.citizen && x.method !== 'GET')) {
      // The first of her ids the action applies to (an answer such as 409 for a case in another state counts).
      let last: Res | undefined
      for (const id of ids[p.kind].slice(0, 10)) {
        last = await send(A, p, id)
        if (last.status !== 400 && last.status !== 404) break
      }
      if (last?.status === 400 || last?.status === 404) failures.push(`${p.method} ${p.path} → ${last.status} ${JSON.stringify(last.body).slice(0, 160)}`)
    }
    expect(failures).toEqual([])
  })
})

describe('framing', () => {
  const EXPECTED = "frame-ancestors 'self' https://servicewechat.com"
  it('lets only the site itself and the mini-program frame the H5 and the console pages', async () => {
    for (const path of ['/', '/reports/123', '/console/', '/console/reports', '/console/hall/abc', '/api/health', '/api/nope']) {
      const res = await t.app.request(path)
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp, path).toContain(EXPECTED)
      expect(csp.match(/frame-ancestors[^;]*/)?.[0], path).toBe(EXPECTED)
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff')
    }
    const html = await t.app.request('/console/')
    expect(html.headers.get('content-type')).toMatch(/text\/html/)
    expect(await html.text()).toContain('Console')
  })
})
