import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import type { ExtractTablesWithRelations } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { ROOT_DIR } from '../config'

type NoSchema = Record<string, never>
/** A drizzle handle on either driver; a transaction is one too, so services take either. */
export type Db = PgDatabase<PgQueryResultHKT, NoSchema>
export type Tx = PgTransaction<PgQueryResultHKT, NoSchema, ExtractTablesWithRelations<NoSchema>>

export const MIGRATIONS_DIR = resolve(ROOT_DIR, 'drizzle')

export interface Database {
  kind: 'pglite' | 'postgres'
  db: Db
  /**
   * For console reports and statistics only: the read replica (DATABASE_REPLICA_URL) when there is
   * one, else `db`. A replica lags the primary by its replication delay, so nothing that must see
   * its own writes reads here.
   */
  reports: Db
  /** Applies pending migrations (idempotent). */
  migrate(): Promise<void>
  /** Throws when the database cannot answer. */
  ping(): Promise<void>
  /**
   * Routine upkeep the server itself must schedule: the embedded store runs no autovacuum (no
   * background workers), so dead rows and stale planner statistics would pile up; it is vacuumed and
   * analysed here. Null on PostgreSQL, whose autovacuum does it.
   */
  maintain: (() => Promise<void>) | null
  /** LISTEN/NOTIFY on PostgreSQL; null on the embedded store (one process owns it). */
  pubsub: {
    listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>
    notify(channel: string, payload: string): Promise<void>
  } | null
  close(): Promise<void>
}

export interface DatabaseOptions {
  url?: string
  /** PGlite data directory; omitted: in memory. */
  dataDir?: string
  /** An already-open PGlite (tests clone a migrated template). */
  pglite?: PGlite
  maxConnections?: number
  /** A read replica of the PostgreSQL database at `url`, for `reports`. */
  replicaUrl?: string
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.replicaUrl && !opts.url) throw new Error('a read replica needs a PostgreSQL primary')
  if (opts.url) return withReplica(openPostgres(opts.url, opts.maxConnections ?? 10), opts.replicaUrl, opts.maxConnections ?? 10)
  return openPglite(opts)
}

function connect(url: string, max: number, name: string) {
  return postgres(url, {
    max,
    onnotice: () => {},
    connect_timeout: 5,
    // Fail fast while the database is unreachable instead of queueing forever.
    idle_timeout: 60,
    connection: { application_name: name },
  })
}

/**
 * postgres.js sends a statement it is told not to prepare in two round trips (describe, then
 * execute) and cannot pipeline it; drizzle marks every query but `.prepare()`d ones that way. Through
 * this handle every statement is prepared: named per connection, parsed and planned once, one round
 * trip, pipelined. (A PgBouncer in front must therefore pool by session, or track prepared statements.)
 */
function preparingAll<T extends postgres.Sql | postgres.TransactionSql>(sql: T): T {
  return new Proxy(sql, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown
      if (prop === 'unsafe') {
        return (query: string, params?: never[], options?: postgres.UnsafeQueryOptions) => target.unsafe(query, params, { ...options, prepare: true })
      }
      if (prop === 'begin' || prop === 'savepoint') {
        return (...args: unknown[]) => {
          const work = args.pop() as (tx: postgres.TransactionSql) => unknown
          return (value as (...a: unknown[]) => unknown).call(target, ...args, (tx: postgres.TransactionSql) => work(preparingAll(tx)))
        }
      }
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/** Points `reports` at a pool on the replica, closed with the primary's. */
function withReplica(primary: Database, replicaUrl: string | undefined, max: number): Database {
  if (!replicaUrl) return primary
  const replica = connect(replicaUrl, max, 'traffic-portal-reports')
  return {
    ...primary,
    reports: drizzlePostgres(preparingAll(replica)) as unknown as Db,
    close: async () => {
      await Promise.all([primary.close(), replica.end({ timeout: 5 })])
    },
  }
}

/** LISTEN/NOTIFY heartbeat (see `listen`): a payload no event can have. */
const HEARTBEAT = '♥'
const HEARTBEAT_MS = 3_000

function openPostgres(url: string, max: number): Database {
  const sql = connect(url, max, 'traffic-portal')
  const db = drizzlePostgres(preparingAll(sql)) as unknown as Db
  return {
    kind: 'postgres',
    db,
    reports: db,
    migrate: () => migratePostgres(drizzlePostgres(sql), { migrationsFolder: MIGRATIONS_DIR }),
    ping: async () => {
      await sql`select 1`
    },
    maintain: null,
    pubsub: {
      async listen(channel, onMessage) {
        // LISTEN on a connection of its own. postgres.js re-issues LISTEN once when that connection
        // drops; if the database is still away at that moment the channel stays broken and live
        // events silently stop. So a heartbeat NOTIFY proves the subscription works, and after two
        // missed beats a fresh connection listens again (older ones are ended and silenced).
        let generation = 0
        let lastHeard = Date.now()
        let conn: postgres.Sql | null = null
        const subscribe = async () => {
          const mine = ++generation
          await conn?.end({ timeout: 0 }).catch(() => {})
          conn = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5, connection: { application_name: 'traffic-portal-listen' } })
          await conn.listen(channel, (payload) => {
            if (mine !== generation) return
            lastHeard = Date.now()
            if (payload !== HEARTBEAT) onMessage(payload)
          })
          lastHeard = Date.now()
        }
        await subscribe()
        let busy = false
        let suspect = false
        const timer = setInterval(() => {
          if (busy) return
          busy = true
          void (async () => {
            try {
              // After a failed beat (the database was away) listen afresh at once, not two beats later.
              if (suspect || Date.now() - lastHeard > 2.5 * HEARTBEAT_MS) {
                // Never wait on a hanging connection attempt for more than a few beats.
                let timeout: NodeJS.Timeout | undefined
                await Promise.race([
                  subscribe(),
                  new Promise((_, reject) => {
                    timeout = setTimeout(() => reject(new Error('LISTEN timed out')), 3 * HEARTBEAT_MS)
                  }),
                ]).finally(() => clearTimeout(timeout))
              }
              await sql.notify(channel, HEARTBEAT)
              suspect = false
            } catch {
              suspect = true // the database is away: the next beat tries again
            } finally {
              busy = false
            }
          })()
        }, HEARTBEAT_MS)
        timer.unref()
        return async () => {
          clearInterval(timer)
          generation++
          await conn?.end({ timeout: 1 })
        }
      },
      async notify(channel, payload) {
        await sql.notify(channel, payload)
      },
    },
    close: () => sql.end({ timeout: 5 }),
  }
}

/**
 * The embedded PostgreSQL's buffer pool. PGlite's default, 128 MB, is zero-filled inside the
 * WebAssembly memory when PostgreSQL boots: about 100 MB resident before the first request, and
 * WebAssembly memory never shrinks. Pages outside the pool are read from the data directory
 * through the OS page cache, which for one process on a small city's data costs little (measured
 * with tests/bench/pglite.ts; see the bench README). Durability settings stay PGlite's own.
 */
const PGLITE_SHARED_BUFFERS = '32MB'

async function openPglite(opts: DatabaseOptions): Promise<Database> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true })
  // Loaded only when the embedded store is used: a PostgreSQL deployment never needs them.
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }, { preparingClient }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
    import('./pglite-client'),
  ])
  const client =
    opts.pglite ??
    (await PGlite.create(opts.dataDir ? resolve(opts.dataDir) : undefined, {
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    }))
  // Every statement prepared once (see pglite-client.ts); the migrator keeps PGlite's plain client.
  const db = drizzlePglite(preparingClient(client)) as unknown as Db
  return {
    kind: 'pglite',
    db,
    reports: db,
    migrate: () => migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_DIR }),
    ping: async () => {
      await client.query('select 1')
    },
    maintain: async () => {
      await client.exec('vacuum (analyze)')
    },
    pubsub: null,
    close: () => client.close(),
  }
}
