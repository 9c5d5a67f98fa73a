import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '@tp/server/app'
import { loadConfig } from '@tp/server/config'
import { OTP_RULES } from '@tp/server/modules/identity/otp.service'
import { LOCKOUT } from '@tp/server/modules/identity/staff.service'
import { type Database, openDatabase } from '@tp/server/platform/db'
import { createDeps } from '@tp/server/platform/deps'
import { createLogger } from '@tp/server/platform/logger'
import { rateLimits } from '@tp/server/platform/platform.tables'
import { RATE_LIMITS } from '@tp/server/platform/rate-limit'
import { seedDemo } from '@tp/server/seed'
import { like } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../support/app'
import { Client, type Res } from '../support/client'
import { freshDatabase, TEST_DB } from '../support/database'

/**
 * Abuse limits: per address and per account, on sign-in, one-time codes, report submission, appeal
 * filing and booking; 429 with Retry-After; counted in the database, so they hold across TWO app
 * instances — on PostgreSQL each instance has its own connection pool (as two server processes
 * would); the embedded store belongs to one process, so there the two instances share it.
 *
 * The clock is fixed at 02:10 UTC, 10 minutes into the hourly window: Retry-After is 3000 s.
 */
const START = new Date('2026-03-02T02:10:00.000Z')
const WINDOW_LEFT = 3000

interface Instance extends TestApp {}
let a: Instance
let b: Instance
let cleanup: () => Promise<void>
const clock = { value: START }

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tp-rl-'))
  const database = await freshDatabase()
  const second: Database = TEST_DB === 'pg' ? await openDatabase({ url: (database as { url?: string }).url, maxConnections: 10 }) : database
  const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, WEB_DIST: join(dataDir, 'no-web'), LOG_LEVEL: 'silent' })
  const make = async (db: Database): Promise<Instance> => {
    const deps = await createDeps(config, { database: db, log: createLogger('silent'), clock: () => clock.value })
    return { app: createApp(deps), deps, now: clock, close: () => deps.bus.close() }
  }
  a = await make(database)
  b = await make(second)
  await seedDemo(a.deps)
  cleanup = async () => {
    await a.close()
    await b.close()
    if (second !== database) await second.close()
    await database.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}, 120_000)
afterAll(() => cleanup?.())

let ipSeq = 1
const freshIp = () => `198.18.${Math.floor(ipSeq / 250)}.${ipSeq++ % 250}`

/** One signed-in citizen whose requests alternate between the two instances (same cookie and CSRF token). */
async function signedInCitizen(phone: string) {
  const ip = freshIp()
  const ca = await new Client(a, ip).signInCitizen(phone)
  const cb = Object.assign(new Client(b, ip), { cookie: ca.cookie, csrf: ca.csrf })
  return (i: number) => (i % 2 ? cb : ca)
}

function expect429(res: Res, code = 'rate_limited') {
  expect(res.status, JSON.stringify(res.body)).toBe(429)
  expect(res.body.error.code).toBe(code)
  expect(res.body.error.message).toMatch(/\w/)
  const retry = Number(res.headers.get('retry-after'))
  expect(retry).toBeGreaterThan(0)
  expect(retry).toBeLessThanOrEqual(3600)
  return retry
}

async function dbCount(prefix: string) {
  const rows = await a.deps.database.db
    .select()
    .from(rateLimits)
    .where(like(rateLimits.bucket, `${prefix}%`))
  return rows.reduce((n, r) => n + r.count, 0)
}

describe('sign-in and one-time codes, across two instances', () => {
  it('locks a staff account after 5 wrong passwords from different addresses and both instances (429)', async () => {
    for (let i = 0; i < LOCKOUT.maxFailures - 1; i++) {
      const res = await new Client(i % 2 ? a : b, freshIp()).post('/api/auth/staff/login', { username: 'legal2', password: `guess-${i}` })
      expect(res.status).toBe(401)
    }
    const fifth = await new Client(a, freshIp()).post('/api/auth/staff/login', { username: 'legal2', password: 'guess-last' })
    expect429(fifth, 'account_locked')
    // Even the right password is refused while locked, on the other instance too.
    expect429(await new Client(b, freshIp()).post('/api/auth/staff/login', { username: 'legal2', password: 'demo12345' }), 'account_locked')
  })

  it('caps sign-in attempts per address (50 an hour), whatever the username', async () => {
    const ip = freshIp()
    for (let i = 0; i < 50; i++) {
      const res = await new Client(i % 2 ? a : b, ip).post('/api/auth/staff/login', { username: `nobody${i}`, password: 'whatever-1' })
      expect(res.status).toBe(401)
    }
    const retry = expect429(await new Client(a, ip).post('/api/auth/staff/login', { username: 'admin', password: 'demo12345' }))
    expect(retry).toBe(WINDOW_LEFT)
    expect(await dbCount(`login:ip:${ip}`)).toBe(51)
  })

  it('caps codes per number (5 an hour) across addresses and instances, and per address (20 an hour)', async () => {
    const phone = '13600002001'
    for (let i = 0; i < OTP_RULES.perNumberPerHour; i++) {
      expect((await new Client(i % 2 ? a : b, freshIp()).post('/api/auth/otp', { phone })).status).toBe(200)
      clock.value = new Date(clock.value.getTime() + 61_000)
    }
    expect429(await new Client(a, freshIp()).post('/api/auth/otp', { phone }))
    clock.value = START

    const ip = freshIp()
    for (let i = 0; i < OTP_RULES.perIpPerHour; i++) {
      expect((await new Client(i % 2 ? a : b, ip).post('/api/auth/otp', { phone: `1360000${String(3000 + i)}` })).status).toBe(200)
    }
    expect429(await new Client(b, ip).post('/api/auth/otp', { phone: '13600003999' }))
  })

  it('caps code checks per address (60 an hour)', async () => {
    const ip = freshIp()
    for (let i = 0; i < OTP_RULES.verifyPerIpPerHour; i++) {
      expect((await new Client(i % 2 ? a : b, ip).post('/api/auth/otp/verify', { phone: '13600004001', code: '000000' })).status).toBe(400)
    }
    expect429(await new Client(a, ip).post('/api/auth/otp/verify', { phone: '13600004001', code: '000000' }))
  })
})

const REPORT = {
  kind: 'congestion',
  lat: 30.6702,
  lng: 104.0601,
  locationSource: 'gps',
  address: '春熙路与总府路路口',
  roadName: '春熙路',
  description: '路口车辆排队很长，通行缓慢',
}

describe('submissions, across two instances', () => {
  it('throttles report flooding from one account: the 31st accepted report in an hour is refused', async () => {
    const pick = await signedInCitizen('13600005001')
    for (let i = 0; i < 30; i++) {
      const res = await pick(i).post('/api/reports', { ...REPORT, description: `路口车辆排队很长，第${i}次` })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
    }
    const retry = expect429(await pick(30).post('/api/reports', REPORT))
    expect(retry).toBe(WINDOW_LEFT)
  }, 120_000)

  it(`counts every report attempt per account (${RATE_LIMITS.reportSubmit.perAccount.max} an hour), refused ones too`, async () => {
    const pick = await signedInCitizen('13600005002')
    for (let i = 0; i < RATE_LIMITS.reportSubmit.perAccount.max; i++) expect((await pick(i).post('/api/reports', { kind: 'nonsense' })).status).toBe(400)
    expect429(await pick(1).post('/api/reports', REPORT))
  })

  it(`caps report attempts per address (${RATE_LIMITS.reportSubmit.perIp.max} an hour) across accounts`, async () => {
    const ip = freshIp()
    const users = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const c = new Client(i % 2 ? a : b, freshIp())
        await c.signInCitizen(`136000060${String(i).padStart(2, '0')}`)
        return Object.assign(new Client(i % 2 ? a : b, ip), { cookie: c.cookie, csrf: c.csrf })
      }),
    )
    for (let i = 0; i < RATE_LIMITS.reportSubmit.perIp.max; i++) expect((await users[i % users.length]!.post('/api/reports', { kind: 'x' })).status).toBe(400)
    expect429(await users[0]!.post('/api/reports', REPORT))
  }, 120_000)

  it(`caps appeal filings per account (${RATE_LIMITS.appealFile.perAccount.max} an hour), before parsing the upload`, async () => {
    const pick = await signedInCitizen('13600007001')
    const form = () => {
      const f = new FormData()
      f.append('decisionNo', '1')
      f.append('evidence', new File([Buffer.alloc(1024)], 'a.bin'))
      return f
    }
    for (let i = 0; i < RATE_LIMITS.appealFile.perAccount.max; i++) expect((await pick(i).post('/api/appeals', form())).status).toBe(400)
    expect429(await pick(0).post('/api/appeals', form()))
    expect(await dbCount('appeal-file:citizen:')).toBe(RATE_LIMITS.appealFile.perAccount.max + 1)
  })

  it(`caps appeal filings per address (${RATE_LIMITS.appealFile.perIp.max} an hour) across accounts, before parsing the upload`, async () => {
    const ip = freshIp()
    const { perIp, perAccount } = RATE_LIMITS.appealFile
    const users: Client[] = []
    for (let i = 0; i < Math.ceil(perIp.max / perAccount.max) + 1; i++) {
      const c = new Client(i % 2 ? a : b, freshIp())
      await c.signInCitizen(`136000071${String(i).padStart(2, '0')}`)
      users.push(Object.assign(new Client(i % 2 ? a : b, ip), { cookie: c.cookie, csrf: c.csrf }))
    }
    const form = () => {
      const f = new FormData()
      f.append('decisionNo', '1')
      f.append('evidence', new File([Buffer.alloc(1024)], 'a.bin'))
      return f
    }
    for (let i = 0; i < perIp.max; i++) expect((await users[i % users.length]!.post('/api/appeals', form())).status).toBe(400)
    // A fresh account from the same address is refused too: the address is what is limited.
    const retry = expect429(await users.at(-1)!.post('/api/appeals', form()))
    expect(retry).toBe(WINDOW_LEFT)
    expect(await dbCount(`appeal-file:ip:${ip}`)).toBe(perIp.max + 1)
  }, 180_000)

  it(`caps booking attempts per account (${RATE_LIMITS.bookingCreate.perAccount.max} an hour)`, async () => {
    const pick = await signedInCitizen('13600008001')
    const body = { slotId: '00000000-0000-4000-8000-000000000000', name: '张三', idNumber: '11010519491231002X' }
    for (let i = 0; i < RATE_LIMITS.bookingCreate.perAccount.max; i++) expect((await pick(i).post('/api/bookings', body)).status).toBe(404)
    expect429(await pick(0).post('/api/bookings', body))
  })

  it(`caps booking attempts per address (${RATE_LIMITS.bookingCreate.perIp.max} an hour) across accounts`, async () => {
    const ip = freshIp()
    const users: Client[] = []
    for (let i = 0; i < 25; i++) {
      const c = new Client(i % 2 ? a : b, freshIp())
      await c.signInCitizen(`136000090${String(i).padStart(2, '0')}`)
      users.push(Object.assign(new Client(i % 2 ? a : b, ip), { cookie: c.cookie, csrf: c.csrf }))
    }
    const body = { slotId: '00000000-0000-4000-8000-000000000000', name: '张三', idNumber: '11010519491231002X' }
    for (let i = 0; i < RATE_LIMITS.bookingCreate.perIp.max; i++) expect((await users[i % users.length]!.post('/api/bookings', body)).status).toBe(404)
    expect429(await users[3]!.post('/api/bookings', body))
  }, 180_000)

  it('opens a new window after the old one: the limit is a rate, not a ban', async () => {
    clock.value = new Date(START.getTime() + WINDOW_LEFT * 1000)
    const c = new Client(a, freshIp())
    await c.signInCitizen('13600008001')
    const res = await c.post('/api/bookings', { slotId: '00000000-0000-4000-8000-000000000000', name: '张三', idNumber: '11010519491231002X' })
    expect(res.status).toBe(404) // counted afresh, reaches the service again
    clock.value = START
  })
})
