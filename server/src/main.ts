import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { createApp } from './app'
import { loadConfig } from './config'
import { modules } from './modules'
import { systemCtx } from './platform/context'
import { openDatabase } from './platform/db'
import { createDeps } from './platform/deps'
import { isDatabaseUnavailable } from './platform/http'
import { createLogger } from './platform/logger'
import { notReadyReason } from './platform/readiness'
import { closeAllStreams } from './platform/sse'
import { seedDemo } from './seed'

const started = performance.now()
const config = loadConfig()
const log = createLogger(config.logLevel)
// A database that is not reachable yet (PostgreSQL starting, a network blip) is waited for, with
// backoff, instead of exiting into a supervisor's restart loop.
const database = await openDatabase({ url: config.databaseUrl, replicaUrl: config.databaseReplicaUrl, dataDir: join(config.dataDir, 'pglite') })
for (let delay = 1000; ; delay = Math.min(delay * 2, 15_000)) {
  try {
    await database.ping()
    break
  } catch (err) {
    if (!isDatabaseUnavailable(err)) throw err
    log.warn({ err, retryInMs: delay }, 'database unreachable at startup; waiting for it')
    await new Promise((r) => setTimeout(r, delay))
  }
}
const deps = await createDeps(config, { database, log })
// Every start but the first after an upgrade finds the newest shipped migration applied: skip the
// migrator's file reading and catalogue statements (~0.1 s of CPU on the embedded store).
if (await notReadyReason(deps.database)) await deps.database.migrate()
if (config.seedDemo && (await seedDemo(deps))) {
  log.info('seeded demo data')
  await deps.database.maintain?.()
}

const app = createApp(deps)
const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => {
  const url = `http://localhost:${info.port}`
  log.info({ ms: Math.round(performance.now() - started), database: deps.database.kind }, 'listening')
  if (!config.production) {
    console.log(
      [
        '',
        `  Citizen H5:     ${url}/`,
        `  Staff console:  ${url}/console/`,
        `  API reference:  ${url}/api/docs`,
        config.seedDemo ? `  Demo staff:     admin / dispatcher / legal / head / window  (password: ${config.demoPassword})` : '',
        config.seedDemo ? '  Demo citizen:   13800138000 (the sign-in code is shown on screen in development)' : '',
        '',
      ].join('\n'),
    )
  }
})

// Periodic jobs (reminders, overdue scans): each run is idempotent, so several processes may run them.
// The catch-up run of a run-on-start job waits a little, so it does not stand in the first requests'
// way (on the embedded store every query takes its turn on the one thread).
const CATCH_UP_AFTER_MS = 5_000
const MAINTAIN_EVERY_MS = 6 * 3_600_000
const maintain = deps.database.maintain
const timers = [
  ...modules.flatMap((m) =>
    (m.jobs ?? []).flatMap((job) => {
      const run = () => job.run(systemCtx(deps)).catch((err) => log.error({ err, job: job.name }, 'job failed'))
      return [setInterval(run, job.everyMs), ...(job.runOnStart ? [setTimeout(run, CATCH_UP_AFTER_MS)] : [])]
    }),
  ),
  ...(maintain ? [setInterval(() => maintain().catch((err) => log.error({ err }, 'database upkeep failed')), MAINTAIN_EVERY_MS)] : []),
]

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  log.info({ signal }, 'shutting down: draining requests')
  for (const t of timers) clearTimeout(t)
  closeAllStreams()
  const force = setTimeout(() => process.exit(1), 15_000)
  force.unref()
  // In-flight requests finish; keep-alive connections are closed as soon as they fall idle.
  const idle = setInterval(() => (server as { closeIdleConnections?: () => void }).closeIdleConnections?.(), 100)
  await new Promise<void>((resolve) => server.close(() => resolve()))
  clearInterval(idle)
  await deps.bus.close()
  await deps.database.close()
  log.info('stopped')
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))
