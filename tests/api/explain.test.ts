/**
 * Every key list query is served by an index at scale. The whole app runs on a database seeded
 * with tens of thousands of rows (set-based SQL, the bench's city seed at a smaller scale), each
 * endpoint is called once through a drizzle logger, and every statement it ran is EXPLAINed
 * (FORMAT JSON) with its own parameters: no plan may read a large table with a sequential scan.
 * Each is EXPLAINed under its generic plan too (what a prepared statement ends up reusing), where a
 * parallel plan (workers started per request) is a finding as well. On PostgreSQL this is what
 * matters; the embedded PGlite is PostgreSQL 17 and must plan the same.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createApp } from '@tp/server/app'
import { loadConfig } from '@tp/server/config'
import { type Database, type Db, openDatabase } from '@tp/server/platform/db'
import { createDeps } from '@tp/server/platform/deps'
import { createLogger } from '@tp/server/platform/logger'
import { seedDemo } from '@tp/server/seed'
import { toChinaDate } from '@tp/shared/calendar'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeSessions, pgSeedDb, type SessionToken, sessionsSql } from '../bench/db'
import { type CityCounts, citizenUuid, seedCity, uuidOf } from '../bench/seed-city'
import { freshDatabase, TEST_DB } from '../support/database'

/** PostgreSQL takes the bigger city in seconds; the embedded store (WASM) gets half, still tens of thousands. */
const SCALE = TEST_DB === 'pg' ? 2 : 1
const COUNTS: CityCounts = { citizens: 5_000 * SCALE, reports: 20_000 * SCALE, appeals: 10_000 * SCALE, bookings: 10_000 * SCALE, ratings: 2_500 * SCALE }
const EXTRA = 20_000 * SCALE
/** Tables the seed makes large: a sequential scan of one of these in a list query is a finding. */
const LARGE = new Set([
  'citizens',
  'reports',
  'report_events',
  'tickets',
  'appeals',
  'slots',
  'bookings',
  'queue_tickets',
  'ratings',
  'audit_log',
  'notifications',
])

interface Statement {
  sql: string
  params: unknown[]
}
interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Actual Rows'?: number
  'Actual Loops'?: number
  'Rows Removed by Filter'?: number
  Plans?: PlanNode[]
}

let app: ReturnType<typeof createApp>
let close: () => Promise<void>
let raw: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>
/** The statement prepared and EXPLAINed (FORMAT JSON) under its generic plan, the one a prepared statement ends up reusing. */
let explainGeneric: (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>
const log: Statement[] = []
const who: Record<string, SessionToken> = {}
const ids: Record<string, string> = {}

/** A PGlite of the server's own copy (the tests package does not depend on it directly). */
async function newPglite() {
  const path = createRequire(join(import.meta.dirname, '../../server/package.json')).resolve('@electric-sql/pglite')
  const { PGlite } = (await import(pathToFileURL(path).href)) as {
    PGlite: { create(): Promise<{ query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>; close(): Promise<void> }> }
  }
  return PGlite.create()
}

beforeAll(async () => {
  const logger = { logQuery: (sql: string, params: unknown[]) => log.push({ sql, params }) }
  let database: Database
  let seed: () => Promise<void>
  if (TEST_DB === 'pg') {
    const base = await freshDatabase()
    const client = postgres(base.url as string, { max: 10, onnotice: () => {} })
    raw = (sql, params = []) => client.unsafe(sql, params as never[]) as unknown as Promise<Record<string, unknown>[]>
    // A connection of its own: the app's connections hold the driver's named statements, which a
    // stray DEALLOCATE there would pull from under it.
    const generic = postgres(base.url as string, { max: 1, onnotice: () => {}, connection: { plan_cache_mode: 'force_generic_plan' } })
    explainGeneric = async (sql, params) => {
      await generic.unsafe(`prepare tp_generic as ${sql}`)
      try {
        return (await generic.unsafe(`explain (format json) execute tp_generic${literals(params)}`)) as unknown as Record<string, unknown>[]
      } finally {
        await generic.unsafe('deallocate tp_generic')
      }
    }
    database = {
      ...base,
      db: drizzlePostgres(client, { logger }) as unknown as Db,
      maintain: null,
      pubsub: null,
      close: async () => {
        await generic.end({ timeout: 5 })
        await client.end({ timeout: 5 })
        await base.close()
      },
    }
    // Bulk-load settings stay on the seed's own connections, never on the app's pool.
    seed = async () => {
      const bulk = postgres(base.url as string, { max: 3, onnotice: () => {} })
      const db = await pgSeedDb(bulk)
      await seedCity(db, COUNTS, new Date())
      db.release()
      await bulk.end({ timeout: 5 })
    }
  } else {
    const client = await newPglite()
    const base = await openDatabase({ pglite: client as never })
    await base.migrate()
    raw = async (sql, params = []) => (await client.query<Record<string, unknown>>(sql, params)).rows
    explainGeneric = async (sql, params) => {
      await raw(`prepare tp_generic as ${sql}`)
      try {
        await raw('set plan_cache_mode = force_generic_plan')
        return await raw(`explain (format json) execute tp_generic${literals(params)}`)
      } finally {
        await raw('deallocate tp_generic')
        await raw('reset plan_cache_mode')
      }
    }
    database = { ...base, db: drizzlePglite(client as never, { logger }) as unknown as Db }
    const exec = (sql: string) => raw(sql)
    seed = () =>
      seedCity(
        {
          exec,
          rows: <T>(sql: string) => raw(sql) as Promise<T[]>,
          parallel: async (sqls) => {
            for (const sql of sqls) await exec(sql)
          },
        },
        COUNTS,
        new Date(),
      ).then(() => {})
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'tp-explain-'))
  const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, WEB_DIST: join(dataDir, 'no-web'), LOG_LEVEL: 'silent' })
  const deps = await createDeps(config, { database, log: createLogger('silent') })
  await seedDemo(deps)
  await seed()

  // More of what grows: the audit log, inboxes, a busy hall today and its history.
  // The vehicle office that offers both services used below (offices seeded together share created_at).
  const [office] = await raw(
    `select o.id, o.unit_id from offices o where o.kind = 'vehicle_office'
       and (select count(*) from office_services os join services v on v.id = os.service_id where os.office_id = o.id and v.code in ('licence', 'violation')) = 2
     order by o.created_at, o.id limit 1`,
  )
  const [violation] = await raw(`select id from services where code = 'violation'`)
  ids.office = office?.id as string
  ids.service = violation?.id as string
  const [licence] = await raw(`select id from services where code = 'licence'`)
  ids.licence = licence?.id as string
  const [win] = await raw(
    `select w.id from service_windows w join window_services s on s.window_id = w.id where w.office_id = $1 and s.service_id = $2 limit 1`,
    [ids.office, ids.service],
  )
  ids.window = win?.id as string
  const today = toChinaDate(new Date())
  await raw(`insert into audit_log (at, actor_type, actor_id, actor_role, unit_id, entity_type, entity_id, action, after)
    select now() - i * interval '1 minute', case when i % 3 = 0 then 'staff' else 'citizen' end, ${uuidOf('c0000000', `(1 + i % ${COUNTS.citizens / 2})`)}::text,
           case when i % 3 = 0 then 'dispatcher' else 'citizen' end, u.ids[1 + i % array_length(u.ids, 1)], 'report', i::text, 'report.create', '{}'::jsonb
    from generate_series(1, ${EXTRA}) i cross join (select array_agg(id) ids from units) u`)
  await raw(`insert into notifications (recipient_type, recipient_id, message_key, params, link, created_at)
    select 'citizen', ${uuidOf('c0000000', `(1 + i % ${COUNTS.citizens / 2})`)}, 'reports.notify.submitted', '{}'::jsonb, null, now() - i * interval '1 minute'
    from generate_series(1, ${EXTRA}) i`)
  await raw(
    `insert into queue_tickets (office_id, date, service_id, number, seq, kind, state, issued_at, completed_at)
    select $1, to_char((now() - (i % 60) * interval '1 day') at time zone 'Asia/Shanghai', 'YYYY-MM-DD'), $2, 'E' || lpad((i % 999)::text, 3, '0'), i % 999,
           'walk_in', case when i % 60 = 0 then 'waiting' else 'done' end, now() - (i % 60) * interval '1 day', now()
    from generate_series(1, 30000) i`,
    [ids.office, ids.service],
  )
  ids.today = today
  const [open] = await raw(
    `select date from slots where office_id = $1 and service_id = $2 and date > $3 and capacity > 0 group by date order by date limit 1`,
    [ids.office, ids.licence, today],
  )
  ids.slotDate = (open?.date as string) ?? today
  await raw('analyze')

  // Sessions: a citizen with cases everywhere, and the staff who work the queues.
  const staff = await raw(`select id, username from staff where username in ('dispatcher', 'legal', 'admin', 'head1', 'window')`)
  const byName = Object.fromEntries(staff.map((s) => [s.username as string, s.id as string]))
  const [citizen] = makeSessions([citizenUuid(1)]) as [SessionToken]
  who.citizen = citizen
  await raw(sessionsSql('citizen', [citizen]))
  for (const name of ['dispatcher', 'legal', 'admin', 'head1', 'window']) {
    const [s] = makeSessions([byName[name] as string]) as [SessionToken]
    who[name] = s
    await raw(sessionsSql('staff', [s]))
  }
  ids.citizen = citizenUuid(1)
  app = createApp(deps)
  close = async () => {
    await deps.bus.close()
    await database.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}, 600_000)

/** Parameters written as SQL literals for EXECUTE (the statement's own types apply to them). */
function literals(params: unknown[]): string {
  if (params.length === 0) return ''
  const one = (v: unknown) =>
    v === null || v === undefined
      ? 'null'
      : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint'
        ? String(v)
        : `'${(v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v)).replace(/'/g, "''")}'`
  return `(${params.map(one).join(', ')})`
}

/** Per case: each statement with its plan (text) and the rows it read from large tables. */
const report: { case: string; statements: { sql: string; rowsRead: number; plan: string }[] }[] = []

afterAll(async () => {
  const dir = join(import.meta.dirname, '../.artifacts/explain')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, `${TEST_DB}.json`), JSON.stringify(report, null, 1))
  await close?.()
})

/**
 * Calls the endpoint and EXPLAINs every statement it ran (ANALYZE: these are reads); returns the
 * status and the sequential scans of large tables, and records each plan with the rows it read.
 */
async function explainRequest(name: string, path: string, as?: string) {
  const headers: Record<string, string> = {}
  if (as) headers.cookie = (who[as] as SessionToken).cookie
  log.length = 0
  const res = await app.request(path, { headers })
  const body = await res.text()
  const statements = [...log]
  const findings: string[] = []
  const touched = new Set<string>()
  const entry: (typeof report)[number] = { case: name, statements: [] }
  for (const s of statements) {
    if (!/^\s*select/i.test(s.sql)) continue
    const [row] = await raw(`explain (analyze, format json) ${s.sql}`, s.params)
    const value = Object.values(row ?? {})[0]
    const plan = (typeof value === 'string' ? JSON.parse(value) : value) as { Plan: PlanNode }[]
    let rowsRead = 0
    const walk = (n: PlanNode) => {
      const rel = n['Relation Name']
      if (rel) touched.add(rel)
      if (rel && LARGE.has(rel)) rowsRead += ((n['Actual Rows'] ?? 0) + (n['Rows Removed by Filter'] ?? 0)) * (n['Actual Loops'] ?? 1)
      if (n['Node Type'] === 'Seq Scan' && rel && LARGE.has(rel)) findings.push(`Seq Scan on ${rel} in: ${s.sql.slice(0, 400)}${s.sql.length > 400 ? '…' : ''}`)
      for (const c of n.Plans ?? []) walk(c)
    }
    for (const p of plan) walk(p.Plan)
    // The generic plan as well: a prepared statement reuses it, and a predicate it cannot prove
    // from parameters (a partial index's) leaves it a parallel scan of every matching row.
    const [genericRow] = await explainGeneric(s.sql, s.params)
    const genericValue = Object.values(genericRow ?? {})[0]
    const generic = (typeof genericValue === 'string' ? JSON.parse(genericValue) : genericValue) as { Plan: PlanNode }[]
    const walkGeneric = (n: PlanNode) => {
      const rel = n['Relation Name']
      if (n['Node Type'] === 'Seq Scan' && rel && LARGE.has(rel)) findings.push(`Seq Scan on ${rel} (generic plan) in: ${s.sql.slice(0, 400)}`)
      if (n['Node Type'].startsWith('Gather')) findings.push(`${n['Node Type']} (parallel workers per request, generic plan) in: ${s.sql.slice(0, 400)}`)
      for (const c of n.Plans ?? []) walkGeneric(c)
    }
    for (const p of generic) walkGeneric(p.Plan)
    const text = (await raw(`explain ${s.sql}`, s.params)).map((r) => Object.values(r)[0]).join('\n')
    entry.statements.push({ sql: s.sql, rowsRead, plan: text })
  }
  report.push(entry)
  return { status: res.status, body, statements: statements.length, findings, touched }
}

interface Case {
  name: string
  path: () => string
  as?: string
  /** A large table the endpoint must read (so the check is not vacuous). */
  reads: string
}

const point = { lat: 30.67, lng: 104.06 }
const CASES: Case[] = [
  { name: 'citizen: my cases across features (我的办事)', path: () => '/api/me/cases', as: 'citizen', reads: 'reports' },
  { name: 'citizen: my reports (keyset)', path: () => '/api/reports?limit=20', as: 'citizen', reads: 'reports' },
  { name: 'citizen: my appeals (keyset)', path: () => '/api/appeals?limit=20', as: 'citizen', reads: 'appeals' },
  { name: 'citizen: my bookings (keyset)', path: () => '/api/bookings?limit=20', as: 'citizen', reads: 'bookings' },
  { name: 'citizen: notifications inbox (keyset)', path: () => '/api/notifications?limit=20', as: 'citizen', reads: 'notifications' },
  { name: 'public: nearby duplicates', path: () => `/api/reports/nearby?kind=congestion&lat=${point.lat}&lng=${point.lng}`, reads: 'reports' },
  {
    name: 'dispatcher: queue filtered (open congestion)',
    path: () => '/api/console/reports?kind=congestion&stateType=open&limit=20',
    as: 'dispatcher',
    reads: 'reports',
  },
  { name: 'dispatcher: queue, overdue filter', path: () => '/api/console/reports?overdue=true&limit=20', as: 'dispatcher', reads: 'reports' },
  { name: 'legal office: queue by due date', path: () => '/api/console/appeals?sort=due', as: 'legal', reads: 'appeals' },
  { name: 'legal office: overdue filter', path: () => '/api/console/appeals?due=overdue&sort=due', as: 'legal', reads: 'appeals' },
  {
    name: 'booking: slot availability for one office and date',
    path: () => `/api/slots?officeId=${ids.office}&serviceId=${ids.licence}&date=${ids.slotDate}`,
    reads: 'slots',
  },
  { name: 'booking: places left per day', path: () => `/api/slots/availability?officeId=${ids.office}&serviceId=${ids.licence}`, reads: 'slots' },
  { name: 'hall: window queue', path: () => `/api/console/bookings/windows/${ids.window}/queue`, as: 'window', reads: 'queue_tickets' },
  {
    name: 'hall: console bookings of one day, newest first (keyset)',
    path: () => `/api/console/bookings/bookings?date=${ids.today}&pageSize=20`,
    as: 'head1',
    reads: 'bookings',
  },
  { name: 'audit search: admin, newest first', path: () => '/api/console/audit?limit=50', as: 'admin', reads: 'audit_log' },
  { name: 'audit search: brigade head (unit scope)', path: () => '/api/console/audit?limit=50', as: 'head1', reads: 'audit_log' },
  { name: 'audit search: by actor', path: () => `/api/console/audit?actor=${ids.citizen}&limit=50`, as: 'admin', reads: 'audit_log' },
]

describe(`EXPLAIN at scale (${TEST_DB}): list queries never scan a large table`, () => {
  it('has the scale it claims (about ten thousand rows or more in every listed table)', async () => {
    const counts = await raw(
      `select (select count(*) from reports)::int as reports, (select count(*) from appeals)::int as appeals, (select count(*) from bookings)::int as bookings,
              (select count(*) from audit_log)::int as audit, (select count(*) from notifications)::int as notifications, (select count(*) from queue_tickets)::int as tickets`,
    )
    for (const n of Object.values(counts[0] ?? {})) expect(Number(n)).toBeGreaterThanOrEqual(9_000)
  })

  for (const c of CASES) {
    it(c.name, async () => {
      const r = await explainRequest(c.name, c.path(), c.as)
      expect(r.status, r.body.slice(0, 300)).toBe(200)
      expect(r.touched.has(c.reads), `the endpoint ran ${r.statements} statements but none read ${c.reads}`).toBe(true)
      expect(r.findings).toEqual([])
    })
  }
})
