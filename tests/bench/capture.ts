/**
 * Captures the SQL the portal issues for each scenario: the whole app in process, on the bench
 * database, through a drizzle logger. The bench compares it with the ceiling's statements (so a
 * change in the portal's queries shows up as drift instead of a silently unfair ceiling), and
 * writes it to tests/.artifacts/bench/portal-sql.json for reading.
 *
 *   npx tsx bench/capture.ts <database url>    (a seeded bench database with fixtures)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '@tp/server/app'
import type { Database, Db } from '@tp/server/platform/db'
import { drizzle } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import { benchDeps } from './db'
import type { Fixtures } from './fixtures'
import { bookingAttempt, callNextRequest, type Req, SCENARIOS } from './scenarios'

export interface Statement {
  sql: string
  params: unknown[]
}

/** Statements that belong to signing in (session, unit scope, sliding expiry), not to the scenario. */
export const isAuthStatement = (sql: string) =>
  /from "sessions"/.test(sql) || /^update "sessions"/.test(sql) || /select "id" from "units" where \$1 = any\("units"."path"\)/.test(sql)

export const normalise = (sql: string) => sql.replace(/\s+/g, ' ').trim()

export interface Capture {
  /** Portal statements per scenario key (auth statements removed), in order. */
  statements: Record<string, Statement[]>
  /** Status codes of the captured requests (a failed capture is a broken fixture). */
  statuses: Record<string, number>
}

export async function captureScenarios(url: string, f: Fixtures): Promise<Capture> {
  const log: Statement[] = []
  const client = postgres(url, { max: 4, onnotice: () => {} })
  const db = drizzle(client, { logger: { logQuery: (sql, params) => log.push({ sql, params }) } }) as unknown as Db
  const database: Database = {
    kind: 'postgres',
    db,
    reports: db,
    migrate: async () => {},
    ping: async () => {
      await client`select 1`
    },
    maintain: null,
    pubsub: null,
    close: () => client.end({ timeout: 5 }),
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'tp-bench-capture-'))
  const deps = await benchDeps(database, dataDir)
  const app = createApp(deps)
  const send = async (r: Req) => {
    const res = await app.request(r.path, { method: r.method, headers: r.headers, body: r.body })
    await res.arrayBuffer()
    return res.status
  }
  const out: Capture = { statements: {}, statuses: {} }
  const record = async (key: string, first: Req, second: Req) => {
    await send(first) // warms caches (unit scope, kinds) the way a running server has them
    log.length = 0
    out.statuses[key] = await send(second)
    out.statements[key] = log.filter((s) => !isAuthStatement(s.sql)).map((s) => ({ sql: normalise(s.sql), params: s.params }))
  }
  try {
    for (const s of SCENARIOS) await record(s.key, s.portal(f, 1, 'capture'), s.portal(f, 2, 'capture'))
    // Contention: the last run's slot, two citizens (the bench's runs use the others).
    const last = f.contention.length - 1
    await record('booking', bookingAttempt(f, last, 998, 'portal', 'capture'), bookingAttempt(f, last, 999, 'portal', 'capture'))
    await record('call-next', callNextRequest(f, 0, 'portal'), callNextRequest(f, 1, 'portal'))
  } finally {
    await deps.bus.close()
    await database.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  return out
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.argv[2]
  if (!url) throw new Error('usage: capture.ts <database url> (fixtures read from /tmp/tp-bench-fixtures.json)')
  const { readFileSync } = await import('node:fs')
  const f = JSON.parse(readFileSync('/tmp/tp-bench-fixtures.json', 'utf8')) as Fixtures
  const c = await captureScenarios(url, f)
  for (const [k, list] of Object.entries(c.statements)) {
    console.log(`\n## ${k} (HTTP ${c.statuses[k]})`)
    for (const s of list) console.log(`- ${s.sql}\n    ${JSON.stringify(s.params)}`)
  }
}
