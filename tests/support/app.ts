import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '@tp/server/app'
import { loadConfig } from '@tp/server/config'
import type { AppDeps } from '@tp/server/platform/context'
import { createDeps } from '@tp/server/platform/deps'
import { createLogger } from '@tp/server/platform/logger'
import type { DemoRefs } from '@tp/server/platform/module'
import { seedDemo } from '@tp/server/seed'
import { freshDatabase } from './database'

export interface TestApp {
  app: ReturnType<typeof createApp>
  deps: AppDeps
  /** Move the clock: tests of deadlines set `now.value`. */
  now: { value: Date }
  close(): Promise<void>
}

/**
 * The whole app on a fresh database for one test file. `seed: true` loads the demo data
 * (jurisdiction, staff `admin`/`dispatcher`/`legal`/`head`/`window`, citizens 13800138000 …).
 */
export async function createTestApp(opts: { seed?: boolean; env?: Record<string, string>; now?: Date; startAt?: Date } = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tp-test-'))
  const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, WEB_DIST: join(dataDir, 'no-web'), LOG_LEVEL: 'silent', ...opts.env })
  const database = await freshDatabase()
  const now = { value: opts.now ?? new Date() }
  // `now` stops the clock where a test moves it; `startAt` runs it from a fixed instant, so results
  // that depend on today's place in the calendar (holidays, weekends) do not change with the date.
  const offset = opts.startAt ? opts.startAt.getTime() - Date.now() : 0
  const clock = opts.now ? () => now.value : () => new Date(Date.now() + offset)
  const deps = await createDeps(config, { database, log: createLogger('silent'), clock })
  if (opts.seed) await seedDemo(deps)
  return {
    app: createApp(deps),
    deps,
    now,
    async close() {
      await deps.bus.close()
      await database.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export type { DemoRefs }
