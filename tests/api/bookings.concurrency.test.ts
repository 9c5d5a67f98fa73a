import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createApp } from '@tp/server/app'
import { loadConfig } from '@tp/server/config'
import { seedBookings } from '@tp/server/modules/bookings/bookings.seed'
import { bookings, slots } from '@tp/server/modules/bookings/bookings.tables'
import { seedIdentity } from '@tp/server/modules/identity/identity.seed'
import { citizens } from '@tp/server/modules/identity/identity.tables'
import { createSession } from '@tp/server/modules/identity/sessions'
import { systemCtx } from '@tp/server/platform/context'
import { type Database, openDatabase } from '@tp/server/platform/db'
import { createDeps } from '@tp/server/platform/deps'
import { createLogger } from '@tp/server/platform/logger'
import { addCalendarDays, toChinaDate } from '@tp/shared/calendar'
import { count, eq, sql } from 'drizzle-orm'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { TestApp } from '../support/app'
import { type Client, staffUser } from '../support/client'
import { adminUrl, TEST_DB, withDatabase } from '../support/database'
import { bookingsApp, cn, makeOffice, manyCitizens, person, WEEK } from './bookings-support'

const ROOT = resolve(import.meta.dirname, '../..')

/** A new office's licence slot at `date` `startTime`, its capacity set to `capacity` by an override. */
async function slotOf(t: TestApp, date: string, startTime: string, capacity: number) {
  const admin = await staffUser(t, 'admin')
  const unit = (await admin.get('/api/console/bookings/offices')).body.items[0].unitId as string
  const { office, ids } = await makeOffice(admin, unit, {
    hours: WEEK([{ from: '09:00', to: '12:00' }]),
    codes: ['licence'],
    windows: [{ number: 1, codes: ['licence'] }],
  })
  await admin.post(`/api/console/bookings/offices/${office.id}/capacity-overrides`, { date, serviceId: ids.licence, startTime, capacity, reason: '并发测试' })
  return (await admin.get(`/api/slots?officeId=${office.id}&serviceId=${ids.licence}&date=${date}`)).body.items.find((s: any) => s.startTime === startTime)
}

describe('no overbooking, ever', () => {
  let t: TestApp
  beforeAll(async () => {
    ;({ t } = await bookingsApp(cn('2026-03-10', '08:00')))
  })
  afterAll(() => t.close())

  it('gives a 10-place slot to exactly 10 of 200 simultaneous attempts', async () => {
    const slot = await slotOf(t, '2026-03-11', '10:00', 10)
    expect(slot.capacity).toBe(10)
    const people = await manyCitizens(t, 200)
    const results = await Promise.all(people.map((c, i) => c.post('/api/bookings', { slotId: slot.id, ...person(i) })))
    const statuses = results.map((r) => r.status)
    expect(statuses.filter((s) => s === 201)).toHaveLength(10)
    expect(statuses.filter((s) => s === 409)).toHaveLength(190)
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'slot_full')).toBe(true)
    const db = t.deps.database.db
    const [row] = await db.select().from(slots).where(eq(slots.id, slot.id))
    expect(row).toMatchObject({ capacity: 10, booked: 10 })
    const [n] = await db.select({ n: count() }).from(bookings).where(eq(bookings.slotId, slot.id))
    expect(n?.n).toBe(10)
    // The CHECK constraint backs the conditional update: even a buggy write cannot overbook.
    await expect(
      db
        .update(slots)
        .set({ booked: sql`${slots.capacity} + 1` })
        .where(eq(slots.id, slot.id)),
    ).rejects.toThrow()
  })

  it('refuses a full slot before the booking transaction, yet a retried success still replays and a refused key stays unused', async () => {
    const slot = await slotOf(t, '2026-03-12', '09:00', 5)
    const people = await manyCitizens(t, 40, '1991')
    const key = (i: number) => ({ 'idempotency-key': `full-slot-${i}` })
    const attempt = (i: number) => (people[i] as Client).post('/api/bookings', { slotId: slot.id, ...person(i) }, key(i))
    const first = await Promise.all(people.map((_, i) => attempt(i)))
    const won = first.flatMap((r, i) => (r.status === 201 ? [i] : []))
    expect(won).toHaveLength(5)
    expect(first.filter((r) => r.status === 409 && r.body.error.code === 'slot_full')).toHaveLength(35)

    // Every retry answers as the first attempt did: the winners' bookings replayed, not "full".
    const again = await Promise.all(people.map((_, i) => attempt(i)))
    for (const [i, r] of again.entries()) {
      expect(r.status).toBe(first[i]?.status)
      if (r.status === 201) {
        expect(r.headers.get('idempotent-replayed')).toBe('true')
        expect(r.body.id).toBe(first[i]?.body.id)
      } else expect(r.body.error.code).toBe('slot_full')
    }
    // A winner's key reused with another body is still refused as reuse, not as a full slot.
    const reused = await people[won[0] as number]?.post('/api/bookings', { slotId: slot.id, ...person(7), name: '别人' }, key(won[0] as number))
    expect(reused?.status).toBe(422)
    expect(reused?.body.error.code).toBe('idempotency_key_reused')
    // A refusal stored nothing under its key: once a place frees, the same key books.
    const loser = first.findIndex((r) => r.status === 409)
    expect((await people[won[0] as number]?.post(`/api/bookings/${first[won[0] as number]?.body.id}/cancel`, { reason: '行程有变' }))?.status).toBe(200)
    const retried = await attempt(loser)
    expect(retried.status).toBe(201)
    expect(retried.headers.get('idempotent-replayed')).toBeNull()
    // Bad input is still a 400 naming the field, full slot or not.
    const bad = await people[1]?.post('/api/bookings', { slotId: slot.id, name: '', idNumber: 'x' }, key(99))
    expect(bad?.status).toBe(400)
    expect(bad?.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['body.idNumber']))
    const [row] = await t.deps.database.db.select().from(slots).where(eq(slots.id, slot.id))
    expect(row).toMatchObject({ capacity: 5, booked: 5 })
  })
})

// ---------------------------------------------------------------------------------------------

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => ok(port))
    })
    s.on('error', fail)
  })
}

interface Server {
  base: string
  stop(): Promise<void>
}

/** A real server process (`server/src/main.ts`) on the given database. */
async function startServer(databaseUrl: string, dataDir: string): Promise<Server> {
  const port = await freePort()
  // Run from the server package, where tsx is installed.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/src/main.ts')], {
    cwd: join(ROOT, 'server'),
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      WEB_DIST: join(dataDir, 'no-web'),
      SEED_DEMO: 'false',
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 90_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`)
    try {
      if ((await fetch(`${base}/api/ready`)).ok) break
    } catch {}
    if (Date.now() > deadline) throw new Error('server did not become ready')
    await new Promise((r) => setTimeout(r, 250))
  }
  return {
    base,
    async stop() {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    },
  }
}

/** Requests against a base URL (a real server) or an in-process app, with a session cookie. */
type Send = (path: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<Response>

async function signInAdmin(send: Send) {
  const res = await send('/api/auth/staff/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'demo12345' }),
  })
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string
  const { csrfToken } = (await res.json()) as { csrfToken: string }
  return async (method: string, path: string, body?: unknown) => {
    const r = await send(path, {
      method,
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: r.status, body: (await r.json()) as any }
  }
}

describe('no overbooking across two servers', () => {
  let database: Database
  let cleanup: () => Promise<void> = async () => {}
  const servers: Send[] = []
  const dataDir = mkdtempSync(join(tmpdir(), 'tp-bk-multi-'))

  beforeAll(async () => {
    if (TEST_DB === 'pg') {
      // Two real server processes, each with its own connection pool, on one PostgreSQL database.
      const name = `tp_test_${randomBytes(6).toString('hex')}`
      const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} })
      await admin.unsafe(`create database ${name} template ${inject('pgTemplate')}`)
      await admin.end()
      const url = withDatabase(adminUrl(), name)
      database = await openDatabase({ url, maxConnections: 5 })
      const deps = await createDeps(loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { database, log: createLogger('silent') })
      await database.db.transaction(async (tx) => {
        const ctx = systemCtx(deps, tx)
        await seedBookings(ctx, await seedIdentity(ctx))
      })
      await deps.bus.close()
      const [a, b] = await Promise.all([startServer(url, join(dataDir, 'a')), startServer(url, join(dataDir, 'b'))])
      for (const s of [a, b] as Server[]) servers.push((path, init) => fetch(`${s.base}${path}`, init))
      cleanup = async () => {
        await Promise.all([a?.stop(), b?.stop()])
        await database.close()
        const d = postgres(adminUrl(), { max: 1, onnotice: () => {} })
        await d.unsafe(`drop database if exists ${name} with (force)`)
        await d.end()
      }
    } else {
      // The embedded store belongs to one process: two app instances share it.
      database = await openDatabase({})
      await database.migrate()
      const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, WEB_DIST: join(dataDir, 'no-web'), LOG_LEVEL: 'silent' })
      const depsA = await createDeps(config, { database, log: createLogger('silent') })
      const depsB = await createDeps(config, { database, log: createLogger('silent') })
      await database.db.transaction(async (tx) => {
        const ctx = systemCtx(depsA, tx)
        await seedBookings(ctx, await seedIdentity(ctx))
      })
      for (const app of [createApp(depsA), createApp(depsB)]) servers.push(async (path, init) => app.request(path, init))
      cleanup = async () => {
        await depsA.bus.close()
        await depsB.bus.close()
        await database.close()
      }
    }
  }, 180_000)
  afterAll(async () => {
    await cleanup()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('gives a 10-place slot to exactly 10 of 200 attempts split across the two', { timeout: 120_000 }, async () => {
    const admin = await signInAdmin(servers[0] as Send)
    const offices = (await admin('GET', '/api/console/bookings/offices')).body.items
    const unitId = offices.find((o: any) => o.name === '市车辆管理所').unitId
    const services = (await admin('GET', '/api/console/bookings/services')).body.items
    const licence = services.find((s: any) => s.code === 'licence').id
    const office = (
      await admin('POST', '/api/console/bookings/offices', {
        unitId,
        name: '并发测试大厅',
        kind: 'branch_hall',
        address: '测试路 2 号',
        hours: WEEK([{ from: '09:00', to: '12:00' }]),
      })
    ).body
    await admin('PUT', `/api/console/bookings/offices/${office.id}/services`, { serviceIds: [licence] })
    await admin('POST', `/api/console/bookings/offices/${office.id}/windows`, { number: 1, serviceIds: [licence] })
    // These servers run on the real clock: tomorrow, opened explicitly (even if it is a holiday).
    const tomorrow = addCalendarDays(toChinaDate(new Date()), 1)
    expect(
      (
        await admin('PUT', `/api/console/bookings/offices/${office.id}/day-overrides`, {
          date: tomorrow,
          closed: false,
          hours: [{ from: '09:00', to: '12:00' }],
          reason: '并发测试',
        })
      ).status,
    ).toBe(200)
    await admin('POST', `/api/console/bookings/offices/${office.id}/capacity-overrides`, {
      date: tomorrow,
      serviceId: licence,
      startTime: '10:00',
      capacity: 10,
      reason: '并发测试',
    })
    const slot = (await admin('GET', `/api/slots?officeId=${office.id}&serviceId=${licence}&date=${tomorrow}`)).body.items.find(
      (s: any) => s.startTime === '10:00',
    )
    expect(slot).toMatchObject({ capacity: 10, remaining: 10, bookable: true })

    const db = database.db
    const rows = await db
      .insert(citizens)
      .values(Array.from({ length: 200 }, (_, i) => ({ phone: `1970${String(i).padStart(7, '0')}`, name: `市民${i}` })))
      .returning({ id: citizens.id })
    const sessions = await Promise.all(rows.map((r) => createSession(db, { type: 'citizen', id: r.id }, 86_400_000, new Date())))
    const results = await Promise.all(
      sessions.map(async (s, i) => {
        const send = servers[i % 2] as Send
        const res = await send('/api/bookings', {
          method: 'POST',
          headers: { cookie: `tp_sid=${s.token}`, 'x-csrf-token': s.csrfToken, 'content-type': 'application/json' },
          body: JSON.stringify({ slotId: slot.id, ...person(i) }),
        })
        return { status: res.status, server: i % 2, body: (await res.json()) as any }
      }),
    )
    const won = results.filter((r) => r.status === 201)
    expect(won).toHaveLength(10)
    expect(results.filter((r) => r.status === 409 && r.body.error.code === 'slot_full')).toHaveLength(190)
    // Both servers took part in winning and losing.
    expect(new Set(results.map((r) => r.server))).toEqual(new Set([0, 1]))
    const [row] = await db.select().from(slots).where(eq(slots.id, slot.id))
    expect(row).toMatchObject({ capacity: 10, booked: 10 })
    const [n] = await db.select({ n: count() }).from(bookings).where(eq(bookings.slotId, slot.id))
    expect(n?.n).toBe(10)
  })
})
