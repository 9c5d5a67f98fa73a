/**
 * The embedded PGlite default, measured on its own: a data directory holding the demo data and a
 * small city, the portal bundle started on it (cold start, idle RSS), then citizen "my cases"
 * under load (req/s, p99, errors, peak RSS). `run.ts` runs it as one step; `BENCH_ONLY=pglite
 * pnpm bench` runs nothing else (no PostgreSQL needed). BENCH_PGLITE_DIR=<dir> keeps (or reuses)
 * the prepared data directory instead of a temporary one, for repeated runs while tuning.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '@tp/server/platform/db'
import { seedDemo } from '@tp/server/seed'
import { sql as dsql } from 'drizzle-orm'
import { benchDeps, makeSessions, type SessionToken, sessionsSql } from './db'
import type { Fixtures } from './fixtures'
import { type LoadResult, load, medianResult, type Server, startPortal, withRss } from './lib'
import { SCENARIOS, type Scenario } from './scenarios'
import { type CityCounts, citizenUuid, seedCity } from './seed-city'

export const PGLITE_CITY: CityCounts = { citizens: 5_000, reports: 20_000, appeals: 5_000, bookings: 10_000, ratings: 1_000 }
const SIGNED_IN = 500

export interface PgliteRun {
  counts: CityCounts
  /** Preparing the data directory (0 when an existing one was reused). */
  prepMs: number
  coldStartMs: number
  idleRssMb: number
  rounds: (LoadResult & { cpuMsPerRequest: number })[]
  median: LoadResult
  rssPeakMb: number
}

/** User + system CPU milliseconds a process has used (Linux /proc, 100 ticks a second). */
function cpuMs(pid: number | undefined): number {
  const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** Migrates, seeds the demo data and the city into `dir`/pglite, and signs in citizens; their sessions. */
async function prepare(dir: string, counts: CityCounts): Promise<SessionToken[]> {
  const database = await openDatabase({ dataDir: join(dir, 'pglite') })
  await database.migrate()
  const deps = await benchDeps(database, dir)
  await seedDemo(deps)
  await deps.bus.close()
  const exec = async (s: string) => database.db.execute(dsql.raw(s) as never)
  await seedCity(
    {
      exec,
      rows: async <T>(s: string) => ((await exec(s)) as unknown as { rows: T[] }).rows,
      parallel: async (sqls) => {
        for (const s of sqls) await exec(s)
      },
    },
    counts,
    new Date(),
  )
  await exec('analyze')
  const people = makeSessions(Array.from({ length: SIGNED_IN }, (_, i) => citizenUuid(1 + i * 5)))
  await exec(sessionsSql('citizen', people))
  await database.close()
  return people
}

/** Fresh sessions for the citizens of an already prepared directory (the tokens are not stored in clear). */
async function signInAgain(dir: string): Promise<SessionToken[]> {
  const database = await openDatabase({ dataDir: join(dir, 'pglite') })
  const people = makeSessions(Array.from({ length: SIGNED_IN }, (_, i) => citizenUuid(1 + i * 5)))
  await database.db.execute(dsql.raw(sessionsSql('citizen', people)) as never)
  await database.close()
  return people
}

export async function runPglite(opts: {
  connections: number
  durationSec: number
  warmupSec: number
  rounds: number
  log: (...a: unknown[]) => void
  /** Keep the data directory here (reused when it already holds one) instead of a temporary one. */
  keepDir?: string
  /** Registers the started portal so the caller can stop it on interruption. */
  track?: (s: Server) => void
}): Promise<PgliteRun> {
  const reuse = opts.keepDir !== undefined && existsSync(join(opts.keepDir, 'pglite'))
  const dir = opts.keepDir ?? mkdtempSync(join(tmpdir(), 'tp-bench-pglite-'))
  mkdirSync(dir, { recursive: true })
  let portal: Server | null = null
  try {
    const t = performance.now()
    const people = reuse ? await signInAgain(dir) : await prepare(dir, PGLITE_CITY)
    const prepMs = reuse ? 0 : Math.round(performance.now() - t)
    portal = await startPortal('portal-pglite', { DATA_DIR: dir, SEED_DEMO: 'false', TRUST_PROXY: 'true', DATABASE_URL: '' })
    opts.track?.(portal)
    const idleRssMb = portal.rssMb()
    opts.log(
      `PGlite portal up in ${portal.coldStartMs} ms, idle RSS ${idleRssMb} MB (data ${reuse ? 'reused' : `prepared in ${(prepMs / 1000).toFixed(1)} s`})`,
    )
    const read = SCENARIOS[0] as Scenario
    const f = { citizens: people } as Fixtures
    const server = portal
    await load({ url: server.url, connections: opts.connections, durationSec: opts.warmupSec, request: (i) => read.portal(f, i, 'pglite-warm') })
    const rounds: PgliteRun['rounds'] = []
    let rssPeakMb = 0
    for (let r = 0; r < opts.rounds; r++) {
      const cpu0 = cpuMs(server.child.pid)
      const { result, peakMb } = await withRss([server], () =>
        load({ url: server.url, connections: opts.connections, durationSec: opts.durationSec, request: (i) => read.portal(f, i + r * 100_000, 'pglite') }),
      )
      const cpuMsPerRequest = Math.round(((cpuMs(server.child.pid) - cpu0) / Math.max(1, result.total)) * 100) / 100
      rssPeakMb = Math.max(rssPeakMb, peakMb)
      rounds.push({ ...result, cpuMsPerRequest })
      opts.log(
        `PGlite ${read.key} round ${r + 1}: ${result.rps} req/s p50 ${result.p50} ms p99 ${result.p99} ms, errors ${result.errors + result.non2xx}, server CPU ${cpuMsPerRequest} ms/request, RSS peak ${peakMb} MB`,
      )
    }
    const median = medianResult(rounds)
    median.errors += median.non2xx
    return { counts: PGLITE_CITY, prepMs, coldStartMs: portal.coldStartMs, idleRssMb, rounds, median, rssPeakMb }
  } finally {
    await portal?.stop()
    if (opts.keepDir === undefined) rmSync(dir, { recursive: true, force: true })
  }
}
