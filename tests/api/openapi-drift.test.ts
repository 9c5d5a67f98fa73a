import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { isDeepStrictEqual, promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { newClient } from '../support/client'

/**
 * Generated files that must follow the code: the web's typed client is generated from the served
 * OpenAPI document (`pnpm api:generate`), and the migrations from the drizzle tables
 * (`pnpm db:generate`). Forgetting either fails here rather than in production.
 */

const ROOT = resolve(import.meta.dirname, '../..')

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('generated files are up to date', () => {
  it('web/src/api/openapi.json is the document the server serves (run `pnpm api:generate`)', async () => {
    const served = (await newClient(t).get('/api/openapi.json')).body
    const committed = JSON.parse(readFileSync(join(ROOT, 'web/src/api/openapi.json'), 'utf8'))
    // Name the operations that differ first: a diff of the whole document is too long to read.
    const paths = [...new Set([...Object.keys(served.paths), ...Object.keys(committed.paths)])]
    expect(paths.filter((p) => !isDeepStrictEqual(served.paths[p], committed.paths[p]))).toEqual([])
    expect(committed).toEqual(served)
  })

  it('drizzle/ has a migration for every table change (run `pnpm db:generate`)', async () => {
    // drizzle-kit generate against a copy of drizzle/: nothing to write means the schema and the
    // latest snapshot agree. It asks about renames interactively: without a terminal that ends the
    // run (or the timeout does), which counts as drift too.
    const dir = mkdtempSync(join(tmpdir(), 'tp-drift-'))
    try {
      cpSync(join(ROOT, 'drizzle'), join(dir, 'drizzle'), { recursive: true })
      const schema = ['server/src/platform/*.tables.ts', 'server/src/modules/*/*.tables.ts'].map((g) => join(ROOT, g))
      writeFileSync(join(dir, 'drizzle.config.json'), JSON.stringify({ dialect: 'postgresql', schema, out: './drizzle' }))
      const before = readdirSync(join(dir, 'drizzle')).sort()
      const run = await promisify(execFile)(join(ROOT, 'node_modules/.bin/drizzle-kit'), ['generate', '--config=drizzle.config.json'], {
        cwd: dir,
        timeout: 60_000,
      }).catch((err: { stdout?: string; stderr?: string; message: string }) => ({ stdout: err.stdout ?? '', stderr: `${err.stderr ?? ''}\n${err.message}` }))
      const output = `${run.stdout}\n${run.stderr}`
      expect(readdirSync(join(dir, 'drizzle')).sort(), output.slice(-2000)).toEqual(before)
      expect(output, output.slice(-2000)).toContain('No schema changes')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
