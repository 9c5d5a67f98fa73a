import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { openDatabase } from '@tp/server/platform/db'
import type { TestProject } from 'vitest/node'

/**
 * On the embedded store: one migrated data directory per run, dumped to a file; each test file
 * loads its own copy (PGlite's initdb and the migrations run once, not once per file).
 */
export default async function setup(project: TestProject) {
  const client = await PGlite.create()
  const db = await openDatabase({ pglite: client })
  await db.migrate()
  const dump = await client.dumpDataDir('none')
  await db.close()
  const dir = mkdtempSync(join(tmpdir(), 'tp-pglite-template-'))
  const file = join(dir, 'migrated.tar')
  writeFileSync(file, new Uint8Array(await dump.arrayBuffer()))
  project.provide('pgliteTemplate', file)
  return () => rmSync(dir, { recursive: true, force: true })
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string
  }
}
