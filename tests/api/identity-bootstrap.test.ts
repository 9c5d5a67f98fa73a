import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { loadConfig } from '@tp/server/config'
import { createFirstAdmin } from '@tp/server/modules/identity/bootstrap'
import { staff, units } from '@tp/server/modules/identity/identity.tables'
import { auditLog } from '@tp/server/platform/platform.tables'
import { count, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { newClient } from '../support/client'

const ROOT = resolve(import.meta.dirname, '../..')

describe('production bootstrap', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ env: { NODE_ENV: 'production' } })
  }, 300_000)
  afterAll(() => t?.close())

  it('seeds nothing in production', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).seedDemo).toBe(false)
    expect(loadConfig({ NODE_ENV: 'development' }).seedDemo).toBe(true)
    // An empty variable counts as unset (DATABASE_URL= means the embedded database).
    expect(loadConfig({ NODE_ENV: 'production', DATABASE_URL: '' }).databaseUrl).toBeUndefined()
  })

  it('creates the root unit and the first admin, who can sign in; refuses a second time', async () => {
    const db = t.deps.database.db
    expect((await db.select({ n: count() }).from(staff))[0]?.n).toBe(0)
    const made = await createFirstAdmin(t.deps, { username: 'Chen', name: '陈管理', unitName: '某市公安局交通警察支队', password: 'Strong-pass-2026' })
    expect(made).toMatchObject({ username: 'chen', unit: { name: '某市公安局交通警察支队' } })
    const [root] = await db.select().from(units)
    expect(root).toMatchObject({ kind: 'detachment', parentId: null })
    const c = await newClient(t).signInStaff('chen', 'Strong-pass-2026')
    expect((await c.get('/api/me')).body).toMatchObject({ role: 'admin', unit: { id: root?.id } })
    expect((await db.select().from(auditLog).where(eq(auditLog.action, 'staff.created'))).length).toBe(1)
    await expect(createFirstAdmin(t.deps, { username: 'li.wei', name: '', unitName: '某市公安局交通警察支队', password: 'Strong-pass-2026' })).rejects.toThrow(
      /already exists/,
    )
  })

  it('refuses weak passwords and bad usernames', { timeout: 180_000 }, async () => {
    const p = await createTestApp({ env: { NODE_ENV: 'production' } })
    try {
      await expect(createFirstAdmin(p.deps, { username: 'ok.name', name: '', unitName: '某支队', password: 'short1' })).rejects.toThrow(/12 characters/)
      await expect(createFirstAdmin(p.deps, { username: '1bad', name: '', unitName: '某支队', password: 'Strong-pass-2026' })).rejects.toThrow(/username/i)
      expect((await p.deps.database.db.select({ n: count() }).from(units))[0]?.n).toBe(0)
    } finally {
      await p.close()
    }
  })
})

describe('admin:create command', () => {
  it('reads the password from stdin, creates the admin, and refuses to run twice', { timeout: 120_000 }, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tp-bootstrap-'))
    const run = (input: string, args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'server/src/modules/identity/admin-create.ts'), '--', ...args], {
        cwd: join(ROOT, 'server'),
        input,
        encoding: 'utf8',
        env: { ...process.env, NODE_ENV: 'production', DATA_DIR: dataDir, DATABASE_URL: '', ADMIN_PASSWORD: '', LOG_LEVEL: 'silent' },
        timeout: 110_000,
      })
    try {
      const first = run('Strong-pass-2026\n', ['--username', 'chen', '--unit', '某市公安局交通警察支队'])
      expect(first.stderr).toBe('')
      expect(first.status).toBe(0)
      expect(first.stdout).toContain('Created administrator "chen"')
      expect(first.stdout).not.toContain('Strong-pass-2026')
      const second = run('Strong-pass-2026\n', ['--username', 'li.wei', '--unit', '某市公安局交通警察支队'])
      expect(second.status).toBe(1)
      expect(second.stderr).toContain('already exists')
      const usage = run('', [])
      expect(usage.status).toBe(2)
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
