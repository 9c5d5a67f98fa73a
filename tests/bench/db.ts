import { createHash, randomBytes } from 'node:crypto'
import { loadConfig } from '@tp/server/config'
import type { AppDeps } from '@tp/server/platform/context'
import { type Database, openDatabase } from '@tp/server/platform/db'
import { createDeps } from '@tp/server/platform/deps'
import { createLogger } from '@tp/server/platform/logger'
import postgres from 'postgres'

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test'

export function adminUrl(): string {
  return process.env.DATABASE_URL || DEFAULT_ADMIN_URL
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/** A database of its own for one bench run (tp_bench_<timestamp>), dropped by `drop()`. */
export async function createBenchDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `tp_bench_${Date.now()}`
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  return {
    name,
    url: withDatabase(adminUrl(), name),
    async drop() {
      const a = postgres(adminUrl(), { max: 1, onnotice: () => {} })
      await a.unsafe(`drop database if exists ${name} with (force)`)
      await a.end()
    },
  }
}

/** The server's wiring on an already-open database (seeding, in-process capture). */
export async function benchDeps(database: Database, dataDir: string): Promise<AppDeps> {
  const config = loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SEED_DEMO: 'true' })
  return createDeps(config, { database, log: createLogger('silent') })
}

export async function openPostgres(url: string, maxConnections = 4): Promise<Database> {
  return openDatabase({ url, maxConnections })
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

export interface SessionToken {
  subjectId: string
  token: string
  csrf: string
  cookie: string
}

/**
 * Session tokens for subjects, made the way the server makes them (random token, its SHA-256
 * stored), as rows to insert in one statement; the cookie/CSRF pair is what a browser would send.
 */
export function makeSessions(subjectIds: readonly string[]): SessionToken[] {
  return subjectIds.map((subjectId) => {
    const token = randomBytes(32).toString('base64url')
    const csrf = randomBytes(18).toString('base64url')
    return { subjectId, token, csrf, cookie: `tp_sid=${token}` }
  })
}

/** Inserts sessions (one statement per 5,000) through any `exec(sql, params)`. */
export async function insertSessions(
  exec: (sql: string, params: unknown[]) => Promise<unknown>,
  type: 'citizen' | 'staff',
  sessions: readonly SessionToken[],
): Promise<void> {
  for (let i = 0; i < sessions.length; i += 5000) {
    const part = sessions.slice(i, i + 5000)
    await exec(
      `insert into sessions (token_hash, csrf_token, subject_type, subject_id, created_at, last_seen_at, expires_at)
       select h, c, $3, s::uuid, now(), now(), now() + interval '2 days'
       from unnest($1::text[], $2::text[], $4::text[]) as t(h, c, s)`,
      [part.map((s) => hashToken(s.token)), part.map((s) => s.csrf), type, part.map((s) => s.subjectId)],
    )
  }
}

/**
 * The seed's view of a PostgreSQL database: one reserved connection for the sequence of
 * statements (bulk-load settings on it), and independent statements two at a time on their own
 * connections (each in a transaction with the same settings).
 */
export async function pgSeedDb(sql: postgres.Sql) {
  const main = await sql.reserve()
  await main.unsafe('set synchronous_commit = off')
  await main.unsafe("set maintenance_work_mem = '256MB'")
  const bulk = (s: string) =>
    sql.begin(async (tx) => {
      await tx.unsafe('set local synchronous_commit = off')
      await tx.unsafe('set local session_replication_role = replica')
      await tx.unsafe("set local maintenance_work_mem = '256MB'")
      await tx.unsafe(s)
    })
  return {
    exec: (s: string) => main.unsafe(s),
    rows: <T>(s: string) => main.unsafe(s) as unknown as Promise<T[]>,
    async parallel(sqls: string[]) {
      const queue = [...sqls]
      await Promise.all(
        [0, 1].map(async () => {
          for (let s = queue.shift(); s !== undefined; s = queue.shift()) await bulk(s)
        }),
      )
    },
    release: () => main.release(),
  }
}

/**
 * VACUUM ANALYZE every table, two at a time, after the bulk load, as autovacuum would soon after on a live server:
 * statistics for the planner, and a visibility map so index-only scans (the legal queue's capped
 * count) need not visit the freshly written heap.
 */
export async function analyzeAll(sql: postgres.Sql): Promise<void> {
  const tables = (await sql<{ t: string }[]>`select format('%I.%I', schemaname, relname) as t from pg_stat_user_tables order by n_live_tup desc`).map(
    (r) => r.t,
  )
  await Promise.all(
    [0, 1].map(async () => {
      for (let t = tables.shift(); t !== undefined; t = tables.shift()) await sql.unsafe(`vacuum analyze ${t}`)
    }),
  )
}

/** The same sessions as one literal INSERT (for the embedded store, where the bench runs raw SQL). */
export function sessionsSql(type: 'citizen' | 'staff', sessions: readonly SessionToken[]): string {
  const values = sessions.map((s) => `('${hashToken(s.token)}', '${s.csrf}', '${type}', '${s.subjectId}'::uuid, now(), now(), now() + interval '2 days')`)
  return `insert into sessions (token_hash, csrf_token, subject_type, subject_id, created_at, last_seen_at, expires_at) values ${values.join(', ')}`
}
