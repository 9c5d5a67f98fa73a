/**
 * Backup, restore and a consistency check, for the embedded store and for PostgreSQL.
 *
 *   pnpm --filter @tp/server db:dump <file>               # stop the server first on the embedded store
 *   pnpm --filter @tp/server db:restore <file> [--force]  # into an empty store (--force: replace it)
 *   pnpm --filter @tp/server db:check                     # row counts and invariants; exit 1 on a problem
 *
 * The store is the one the server would use (DATABASE_URL, else DATA_DIR/pglite). On PostgreSQL the
 * dump is `pg_dump -Fc` and the restore `pg_restore --clean --if-exists --no-owner` (the client tools
 * must match the server's major version); on the embedded store the dump is PGlite's data directory
 * as a gzipped tarball. Uploaded files live in DATA_DIR/files (back that directory up alongside) or,
 * with S3_BUCKET, in the bucket (keep it versioned or replicated); db:check reads either.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import { loadConfig } from './config'
import { type Database, openDatabase } from './platform/db'
import { createStorage } from './platform/deps'
import type { Storage } from './platform/storage'

type Row = Record<string, unknown>
async function rows(db: Database, text: string): Promise<Row[]> {
  const r = (await db.db.execute(sql.raw(text))) as unknown as Row[] | { rows: Row[] }
  return Array.isArray(r) ? r : r.rows
}

export interface Consistency {
  /** Rows per table (public schema), and the applied migrations. */
  counts: Record<string, number>
  /** Broken invariants, one line each (empty when consistent). */
  problems: string[]
}

/** Invariants that a crash, a partial restore or a bug would break. Each query lists offenders. */
const INVARIANTS: [string, string][] = [
  [
    'report without its first timeline event (submit)',
    `select r.id from reports r where not exists (select 1 from report_events e where e.report_id = r.id and e.action = 'submit')
     or (select e.action from report_events e where e.report_id = r.id order by e.seq limit 1) <> 'submit'`,
  ],
  ['booking without a timeline event', 'select b.id from bookings b where not exists (select 1 from booking_events e where e.booking_id = b.id)'],
  [
    'slot whose counter differs from its bookings',
    `select s.id from slots s where s.booked <> (select count(*) from bookings b where b.slot_id = s.id and b.state <> 'cancelled')`,
  ],
  ['slot booked beyond capacity', 'select id from slots where booked > capacity or booked < 0'],
  ['appeal without a timeline event', 'select a.id from appeals a where not exists (select 1 from appeal_events e where e.appeal_id = a.id)'],
  ['idempotency key left in progress', 'select key from idempotency_keys where status = 0'],
]

/** Counts rows and checks the invariants; with `storage`, also that every stored file's bytes exist there. */
export async function checkConsistency(db: Database, storage?: Storage): Promise<Consistency> {
  const tables = await rows(db, `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`)
  const counts: Record<string, number> = {}
  for (const t of tables) {
    const name = String(t.table_name)
    const [c] = await rows(db, `select count(*)::int as n from "${name.replace(/"/g, '""')}"`)
    counts[name] = Number(c?.n ?? 0)
  }
  const [m] = await rows(db, 'select count(*)::int as n from drizzle.__drizzle_migrations').catch(() => [{ n: -1 }])
  counts['drizzle.__drizzle_migrations'] = Number(m?.n ?? -1)
  const problems: string[] = []
  for (const [what, query] of INVARIANTS) {
    const offenders = await rows(db, query).catch((err: Error) => [{ error: err.message }])
    if (offenders.length) problems.push(`${what}: ${offenders.length} (${JSON.stringify(offenders.slice(0, 3))})`)
  }
  if (storage) {
    const missing: string[] = []
    for (const f of await rows(db, 'select storage_key, thumb_key from files')) {
      for (const key of [f.storage_key, f.thumb_key]) {
        if (typeof key === 'string' && !(await storage.exists(key).catch(() => false))) missing.push(key)
      }
    }
    if (missing.length) problems.push(`stored file missing from ${storage.where}: ${missing.length} (${missing.slice(0, 3).join(', ')})`)
  }
  return { counts, problems }
}

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' })
  if (r.error) throw new Error(`${cmd}: ${r.error.message} (are the PostgreSQL client tools installed?)`)
  if (r.status !== 0) throw new Error(`${cmd} failed (exit ${r.status}):\n${r.stderr.trim()}`)
}

function isEmptyDir(dir: string) {
  return !existsSync(dir) || readdirSync(dir).length === 0
}

export async function dump(file: string, env: Record<string, string | undefined> = process.env): Promise<string> {
  const config = loadConfig(env)
  if (config.databaseUrl) {
    run('pg_dump', ['--format=custom', '--no-owner', `--file=${file}`, config.databaseUrl])
    return `PostgreSQL database dumped (pg_dump -Fc) to ${file}`
  }
  const dir = join(config.dataDir, 'pglite')
  if (isEmptyDir(dir)) throw new Error(`No embedded database in ${dir}`)
  const pg = await PGlite.create(dir)
  try {
    const blob = await pg.dumpDataDir('gzip')
    writeFileSync(file, new Uint8Array(await blob.arrayBuffer()))
  } finally {
    await pg.close()
  }
  return `Embedded database ${dir} dumped to ${file} (${statSync(file).size} bytes)`
}

export async function restore(file: string, opts: { force?: boolean } = {}, env: Record<string, string | undefined> = process.env): Promise<string> {
  if (!existsSync(file)) throw new Error(`No such file: ${file}`)
  const config = loadConfig(env)
  if (config.databaseUrl) {
    run('pg_restore', ['--clean', '--if-exists', '--no-owner', '--exit-on-error', `--dbname=${config.databaseUrl}`, file])
    return `Restored ${file} into the PostgreSQL database (pg_restore)`
  }
  const dir = join(config.dataDir, 'pglite')
  if (!isEmptyDir(dir)) {
    if (!opts.force) throw new Error(`${dir} is not empty: restore into an empty DATA_DIR, or pass --force to replace it`)
    rmSync(dir, { recursive: true, force: true })
  }
  const bytes = readFileSync(file)
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new Error(`${file} is not an embedded-store dump (a gzipped tarball from db:dump)`)
  const pg = await PGlite.create(dir, { loadDataDir: new Blob([bytes]) })
  try {
    await pg.query('select 1')
  } finally {
    await pg.close()
  }
  return `Restored ${file} into the embedded database ${dir}`
}

export async function check(env: Record<string, string | undefined> = process.env): Promise<Consistency> {
  const config = loadConfig(env)
  const db = await openDatabase({ url: config.databaseUrl, dataDir: join(config.dataDir, 'pglite'), maxConnections: 2 })
  try {
    return await checkConsistency(db, createStorage(config))
  } finally {
    await db.close()
  }
}

async function main(argv: string[]) {
  const [command, fileArg, ...rest] = argv
  // pnpm --filter runs in server/: resolve paths against where the command was typed.
  const at = (p: string) => resolve(process.env.INIT_CWD ?? process.cwd(), p)
  if (command === 'dump' && fileArg) return console.log(await dump(at(fileArg)))
  if (command === 'restore' && fileArg) return console.log(await restore(at(fileArg), { force: rest.includes('--force') }))
  if (command === 'check') {
    const { counts, problems } = await check()
    for (const [table, n] of Object.entries(counts)) console.log(`${String(n).padStart(8)}  ${table}`)
    if (problems.length) {
      console.error(`\nInconsistent:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
      process.exitCode = 1
    } else console.log('\nConsistent: every invariant holds.')
    return
  }
  console.error('Usage: tsx src/backup.ts dump <file> | restore <file> [--force] | check')
  process.exitCode = 2
}

if (process.argv[1] && /backup\.ts$/.test(process.argv[1])) {
  main(process.argv.slice(2)).catch((err: Error) => {
    console.error(err.message)
    process.exit(1)
  })
}
