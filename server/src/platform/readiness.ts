import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { type Database, MIGRATIONS_DIR } from './db'

let latest: number | null = null

/** The `when` of the newest migration shipped with this build (drizzle/meta/_journal.json). */
function latestShippedMigration(): number {
  if (latest === null) {
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as { entries: { when: number }[] }
    latest = Math.max(0, ...journal.entries.map((e) => e.when))
  }
  return latest
}

/**
 * Why the database cannot serve this build, or null when it can: it must answer, and the newest
 * migration shipped with the build must be applied (drizzle records each one's `when` as created_at).
 */
export async function notReadyReason(database: Database): Promise<string | null> {
  try {
    await database.ping()
  } catch {
    return 'database unreachable'
  }
  try {
    const result = (await database.db.execute(sql`select coalesce(max(created_at), 0)::text as applied from drizzle.__drizzle_migrations`)) as unknown as
      | { applied: string }[]
      | { rows: { applied: string }[] }
    const [row] = Array.isArray(result) ? result : result.rows
    return Number(row?.applied ?? 0) >= latestShippedMigration() ? null : 'migrations pending'
  } catch {
    return 'migrations pending'
  }
}
