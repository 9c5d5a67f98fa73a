import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '@tp/server/app'
import { loadConfig } from '@tp/server/config'
import { openDatabase } from '@tp/server/platform/db'
import { createDeps } from '@tp/server/platform/deps'
import { createLogger } from '@tp/server/platform/logger'
import { seedDemo } from '@tp/server/seed'
import postgres from 'postgres'
import { describe, expect, it, vi } from 'vitest'
import type { TestApp } from '../support/app'
import { staffUser } from '../support/client'
import { adminUrl, freshDatabase, TEST_DB, withDatabase } from '../support/database'

vi.setConfig({ testTimeout: 180_000 })

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)
const statsPath = `/api/console/reports/stats?from=${day(-90)}&to=${day(0)}`

describe('read replica (DATABASE_REPLICA_URL)', () => {
  it('needs a PostgreSQL primary; without one, reports read the primary', async () => {
    expect(() => loadConfig({ DATABASE_REPLICA_URL: 'postgres://replica/db' })).toThrow('DATABASE_REPLICA_URL needs DATABASE_URL')
    expect(() => loadConfig({ DATABASE_URL: 'postgres://p/db', DATABASE_REPLICA_URL: 'mysql://r/db' })).toThrow('DATABASE_REPLICA_URL')
    const db = await freshDatabase()
    try {
      expect(db.reports).toBe(db.db)
    } finally {
      await db.close()
    }
  })

  // Only PostgreSQL has replicas: a database cloned from the seeded primary stands in for one.
  if (TEST_DB === 'pg')
    it('serves console statistics from the replica and everything else from the primary', async () => {
      const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} })
      const names = { primary: `tp_primary_${randomBytes(5).toString('hex')}`, replica: `tp_replica_${randomBytes(5).toString('hex')}` }
      const dataDir = mkdtempSync(join(tmpdir(), 'tp-replica-'))
      const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, WEB_DIST: join(dataDir, 'no-web'), LOG_LEVEL: 'silent' })
      let t: TestApp | undefined
      try {
        await admin.unsafe(`create database ${names.primary}`)
        const url = { primary: withDatabase(adminUrl(), names.primary), replica: withDatabase(adminUrl(), names.replica) }
        const seeding = await openDatabase({ url: url.primary, maxConnections: 4 })
        await seeding.migrate()
        const seedDeps = await createDeps(config, { database: seeding, log: createLogger('silent') })
        await seedDemo(seedDeps)
        await seedDeps.bus.close()
        await seeding.close()
        await admin.unsafe(`create database ${names.replica} template ${names.primary}`)
        // The copies part: on the "replica" every report is five years old, so none falls in the period.
        const r = postgres(url.replica, { max: 1, onnotice: () => {} })
        await r`update reports set created_at = created_at - interval '5 years'`
        await r.end()

        const database = await openDatabase({ url: url.primary, replicaUrl: url.replica, maxConnections: 5 })
        expect(database.reports).not.toBe(database.db)
        const deps = await createDeps(config, { database, log: createLogger('silent') })
        t = { app: createApp(deps), deps, now: { value: new Date() }, close: () => deps.bus.close().then(() => database.close()) }
        // Signing in writes a session on the primary; the statistics then come from the replica.
        const dispatcher = await staffUser(t, 'dispatcher')
        const stats = await dispatcher.get(statsPath)
        expect(stats.status).toBe(200)
        expect(stats.body.total).toBe(0)
        // The queue is not a report: it reads the primary, where the reports are recent.
        const queue = await dispatcher.get('/api/console/reports?limit=5')
        expect(queue.status).toBe(200)
        expect(queue.body.items.length).toBeGreaterThan(0)

        // The same primary without the replica: the period's reports are counted.
        const direct = await openDatabase({ url: url.primary, maxConnections: 2 })
        const directDeps = await createDeps(config, { database: direct, log: createLogger('silent') })
        const plain: TestApp = { app: createApp(directDeps), deps: directDeps, now: { value: new Date() }, close: async () => {} }
        const viaPrimary = await (await staffUser(plain, 'dispatcher')).get(statsPath)
        await directDeps.bus.close()
        await direct.close()
        expect(viaPrimary.body.total).toBeGreaterThan(10)
      } finally {
        await t?.close()
        for (const name of Object.values(names)) await admin.unsafe(`drop database if exists ${name} with (force)`)
        await admin.end()
        rmSync(dataDir, { recursive: true, force: true })
      }
    })
})
