import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { ExtractTablesWithRelations } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
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
  /** Applies pending migrations (idempotent). */
  migrate(): Promise<void>
  /** Throws when the database cannot answer. */
  ping(): Promise<void>
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
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) return openPostgres(opts.url, opts.maxConnections ?? 10)
  return openPglite(opts)
}

function openPostgres(url: string, max: number): Database {
  const sql = postgres(url, {
    max,
    onnotice: () => {},
    connect_timeout: 5,
    // Fail fast while the database is unreachable instead of queueing forever.
    idle_timeout: 60,
    connection: { application_name: 'traffic-portal' },
  })
  const db = drizzlePostgres(sql) as unknown as Db
  return {
    kind: 'postgres',
    db,
    migrate: () => migratePostgres(drizzlePostgres(sql), { migrationsFolder: MIGRATIONS_DIR }),
    ping: async () => {
      await sql`select 1`
    },
    pubsub: {
      async listen(channel, onMessage) {
        const sub = await sql.listen(channel, onMessage)
        return () => sub.unlisten()
      },
      async notify(channel, payload) {
        await sql.notify(channel, payload)
      },
    },
    close: () => sql.end({ timeout: 5 }),
  }
}

async function openPglite(opts: DatabaseOptions): Promise<Database> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true })
  const client = opts.pglite ?? (await PGlite.create(opts.dataDir ? resolve(opts.dataDir) : undefined))
  const db = drizzlePglite(client) as unknown as Db
  return {
    kind: 'pglite',
    db,
    migrate: () => migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_DIR }),
    ping: async () => {
      await client.query('select 1')
    },
    pubsub: null,
    close: () => client.close(),
  }
}
