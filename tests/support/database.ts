import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { type Database, openDatabase } from '@tp/server/platform/db'
import postgres from 'postgres'
import { inject } from 'vitest'

/** 'pg' when the api-pg project runs (TEST_DATABASE_URL set), else the embedded store. */
export const TEST_DB = process.env.TEST_DB === 'pg' ? 'pg' : 'pglite'

export function adminUrl(): string {
  const url = process.env.TEST_DATABASE_URL
  if (!url) throw new Error('TEST_DATABASE_URL is not set')
  return url
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/**
 * A fresh, migrated database for one test file: an in-memory PGlite loaded from the run's migrated
 * data directory (global-setup-pglite.ts), or on PostgreSQL a new database cloned from the run's
 * migrated template (global-setup.ts). Dropped on close.
 */
export async function freshDatabase(): Promise<Database & { url?: string }> {
  if (TEST_DB === 'pglite') {
    const template = inject('pgliteTemplate')
    if (!template) throw new Error('no migrated data directory: the api-pglite global setup did not run')
    const db = await openDatabase({ pglite: await PGlite.create({ loadDataDir: new Blob([readFileSync(template)]) }) })
    // Cheap when nothing is pending; keeps a file correct if the migrations changed since setup.
    await db.migrate()
    return db
  }
  const template = inject('pgTemplate')
  if (!template) throw new Error('no template database: the api-pg global setup did not run')
  const name = `tp_test_${randomBytes(6).toString('hex')}`
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name} template ${template}`)
  await admin.end()
  const url = withDatabase(adminUrl(), name)
  const db = await openDatabase({ url, maxConnections: 20 })
  const close = db.close
  return {
    ...db,
    url,
    close: async () => {
      await close()
      const a = postgres(adminUrl(), { max: 1, onnotice: () => {} })
      await a.unsafe(`drop database if exists ${name} with (force)`)
      await a.end()
    },
  }
}
