import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkConsistency } from '@tp/server/backup'
import { openDatabase } from '@tp/server/platform/db'
import { localStorage } from '@tp/server/platform/storage'
import { sql } from 'drizzle-orm'
import postgres from 'postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { JPEG } from '../api/hardening-support'
import { Client } from '../support/client'
import { createStore, KINDS, PG_URL, ROOT, type Server, type Store, send, startServer, stopServer } from './support'

/**
 * Backup and restore, as the README describes it: `pnpm --filter @tp/server db:dump <file>` and
 * `db:restore <file>` (pg_dump -Fc / pg_restore on PostgreSQL; PGlite's data directory as a tarball
 * on the embedded store), the uploaded files copied alongside, then `db:check`. The restored copy
 * must have the same rows in every table, pass every invariant (every report has its first event,
 * slot counters equal bookings, every stored file's bytes present …), and serve the same data —
 * even the old sessions. The check itself must be able to fail: a tampered copy is reported.
 */

const figures: Record<string, unknown>[] = []
afterAll(() => {
  mkdirSync(join(ROOT, 'tests/.artifacts'), { recursive: true })
  writeFileSync(join(ROOT, 'tests/.artifacts/faults-backup.json'), JSON.stringify(figures, null, 1))
  for (const f of figures) console.log(`backup/restore: ${JSON.stringify(f)}`)
})

function pnpm(script: string, args: string[], env: Record<string, string>) {
  const r = spawnSync('pnpm', ['--silent', '--filter', '@tp/server', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', DATABASE_URL: '', ...env },
    encoding: 'utf8',
    timeout: 300_000,
  })
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` }
}

for (const kind of KINDS) {
  describe(`backup and restore (${kind})`, () => {
    let source: Store
    const cleanups: (() => Promise<void> | void)[] = []
    let server: Server | null = null
    afterAll(async () => {
      if (server) await stopServer(server, 'SIGKILL')
      for (const c of cleanups.reverse()) await c()
      await source?.drop()
    })

    it('dumps, restores into an empty store, and the copy is complete and consistent', async () => {
      source = await createStore(kind)
      // Some fresh writes with an uploaded photo, besides the demo data.
      let reportId = ''
      let photoId = ''
      let session = { cookie: '', csrf: '' }
      {
        const db = await source.open()
        const t = await source.app(db)
        const me = await new Client(t, '10.80.0.1').signInCitizen('13540000001')
        const form = new FormData()
        form.append('photo', new File([new Uint8Array(JPEG)], 'a.jpg', { type: 'image/jpeg' }))
        photoId = (await me.post('/api/reports/photos', form)).body.id
        const created = await me.post('/api/reports', {
          kind: 'congestion',
          lat: 30.6702,
          lng: 104.0601,
          locationSource: 'gps',
          address: '春熙路与总府路路口',
          description: '备份测试：路口拥堵',
          photoIds: [photoId],
        })
        expect(created.status).toBe(201)
        reportId = created.body.id
        session = { cookie: me.cookie, csrf: me.csrf }
        await t.close()
        await db.close()
      }
      const env = (store: { dataDir: string; url: string }) => ({ DATA_DIR: store.dataDir, DATABASE_URL: store.url })

      const before = await (async () => {
        const db = await source.open()
        const c = await checkConsistency(db, localStorage(join(source.dataDir, 'files')))
        await db.close()
        return c
      })()
      expect(before.problems).toEqual([])
      const checked = pnpm('db:check', [], env(source))
      expect(checked.code, checked.out).toBe(0)
      expect(checked.out).toContain('Consistent')

      // Dump.
      const work = mkdtempSync(join(tmpdir(), 'tp-backup-'))
      cleanups.push(() => rmSync(work, { recursive: true, force: true }))
      const file = join(work, kind === 'pg' ? 'portal.dump' : 'portal.tar.gz')
      const t0 = performance.now()
      const dumped = pnpm('db:dump', [file], env(source))
      const dumpMs = Math.round(performance.now() - t0)
      expect(dumped.code, dumped.out).toBe(0)
      expect(statSync(file).size).toBeGreaterThan(1000)

      // Restore into an empty store: a new DATA_DIR, or a new empty PostgreSQL database.
      const target = { dataDir: join(work, 'restored'), url: '' }
      mkdirSync(target.dataDir)
      if (kind === 'pg') {
        const name = `tp_restore_${randomBytes(5).toString('hex')}`
        const admin = postgres(PG_URL as string, { max: 1, onnotice: () => {} })
        await admin.unsafe(`create database ${name}`)
        await admin.end()
        const u = new URL(PG_URL as string)
        u.pathname = `/${name}`
        target.url = u.toString()
        cleanups.push(async () => {
          const a = postgres(PG_URL as string, { max: 1, onnotice: () => {} })
          await a.unsafe(`drop database if exists ${name} with (force)`)
          await a.end()
        })
      }
      const t1 = performance.now()
      const restored = pnpm('db:restore', [file], env(target))
      const restoreMs = Math.round(performance.now() - t1)
      expect(restored.code, restored.out).toBe(0)
      cpSync(join(source.dataDir, 'files'), join(target.dataDir, 'files'), { recursive: true })

      const db = await openDatabase({ url: target.url || undefined, dataDir: join(target.dataDir, 'pglite') })
      const after = await checkConsistency(db, localStorage(join(target.dataDir, 'files')))
      await db.close()
      expect(after.problems).toEqual([])
      expect(after.counts).toEqual(before.counts)
      expect(after.counts.reports).toBeGreaterThan(0)
      const afterCheck = pnpm('db:check', [], env(target))
      expect(afterCheck.code, afterCheck.out).toBe(0)

      // The restored copy serves the same data, even to the old session.
      server = await startServer({ ...source, dataDir: target.dataDir, url: target.url } as Store)
      const who = { ...session, ip: '10.80.0.2' }
      const detail = await send(server.base, who, 'GET', `/api/reports/${reportId}`)
      expect(detail.status).toBe(200)
      expect(detail.body.description).toBe('备份测试：路口拥堵')
      expect((await send(server.base, who, 'GET', `/api/reports/files/${photoId}`)).status).toBe(200)
      await stopServer(server)
      server = null

      figures.push({
        store: kind,
        tables: Object.keys(after.counts).length,
        rows: Object.values(after.counts).reduce((a, b) => a + Math.max(0, b), 0),
        dumpBytes: statSync(file).size,
        dumpMs,
        restoreMs,
        countsEqual: true,
        problemsAfterRestore: after.problems.length,
      })

      // The check can fail: tamper with the copy (a slot counter, a report's first event, a file).
      const tamper = await openDatabase({ url: target.url || undefined, dataDir: join(target.dataDir, 'pglite') })
      await tamper.db.execute(sql.raw(`update slots set booked = booked + 1 where id = (select id from slots where booked < capacity limit 1)`))
      await tamper.db.execute(sql.raw(`delete from report_events where report_id = '${reportId}' and action = 'submit'`))
      await tamper.close()
      rmSync(join(target.dataDir, 'files'), { recursive: true, force: true })
      const bad = pnpm('db:check', [], env(target))
      expect(bad.code).toBe(1)
      expect(bad.out).toContain('slot whose counter differs from its bookings')
      expect(bad.out).toContain('report without its first timeline event')
      expect(bad.out).toContain('stored file missing')
    })

    it('refuses to restore over existing data or from a file that is not a dump', async () => {
      const work = mkdtempSync(join(tmpdir(), 'tp-backup-bad-'))
      cleanups.push(() => rmSync(work, { recursive: true, force: true }))
      const junk = join(work, 'junk.dump')
      writeFileSync(junk, 'this is not a dump')
      if (kind === 'pglite') {
        // The source store is not empty: no silent overwrite.
        const over = pnpm('db:restore', [junk], { DATA_DIR: source.dataDir, DATABASE_URL: '' })
        expect(over.code).not.toBe(0)
        expect(over.out).toContain('not empty')
        const empty = join(work, 'empty')
        mkdirSync(empty)
        const garbage = pnpm('db:restore', [junk], { DATA_DIR: empty, DATABASE_URL: '' })
        expect(garbage.code).not.toBe(0)
        expect(garbage.out).toContain('not an embedded-store dump')
        expect(existsSync(join(empty, 'pglite'))).toBe(false)
      } else {
        const garbage = pnpm('db:restore', [junk], { DATA_DIR: work, DATABASE_URL: source.url })
        expect(garbage.code).not.toBe(0)
        expect(garbage.out).toMatch(/pg_restore failed/)
      }
      const missing = pnpm('db:restore', [join(work, 'nope.dump')], { DATA_DIR: work, DATABASE_URL: source.url })
      expect(missing.code).not.toBe(0)
      expect(missing.out).toContain('No such file')
    })
  })
}
