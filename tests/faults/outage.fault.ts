import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { tcpProxy } from '../support/tcp-proxy'
import {
  type Agent,
  createStore,
  openStream,
  PG_URL,
  ROOT,
  type Server,
  type Store,
  send,
  sessionsFor,
  sleep,
  spawnServer,
  startServer,
  stopServer,
} from './support'

/**
 * The database goes away under a running server process, and comes back. On PostgreSQL: a
 * network database can become unreachable while the server runs. The embedded store lives inside
 * the server process and cannot go away on its own (its "closed underneath" case is in
 * tests/api/db-outage.test.ts); what can fail is its data directory, at startup: then the process
 * exits at once with the cause — nothing to wait for, unlike a network database — and is never
 * ready.
 *
 * While it is away: the process stays up (/api/health 200), /api/ready answers 503, API requests
 * fail fast with 503, Retry-After and `service_unavailable`. When it returns: ready again without a
 * restart, writes succeed, and live events flow again (the LISTEN connection is re-established).
 * A server started while the database is unreachable waits for it instead of exiting.
 */

const OUTAGE_MS = 8_000
const figures: Record<string, unknown> = {}
afterAll(() => {
  mkdirSync(join(ROOT, 'tests/.artifacts'), { recursive: true })
  writeFileSync(join(ROOT, 'tests/.artifacts/faults-outage.json'), JSON.stringify(figures, null, 1))
  console.log(`database outage: ${JSON.stringify(figures)}`)
})

async function until(what: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = performance.now()
  while (performance.now() - t0 < timeoutMs) {
    if (await what().catch(() => false)) return Math.round(performance.now() - t0)
    await sleep(100)
  }
  throw new Error(`not within ${timeoutMs} ms`)
}

const report = (n: string) => ({
  kind: 'congestion',
  lat: 30.6702,
  lng: 104.0601,
  locationSource: 'gps',
  address: '春熙路与总府路路口',
  description: `断库测试 ${n}`,
})

if (PG_URL)
  describe('PostgreSQL unreachable under a running server process', () => {
    let store: Store
    let proxy: Awaited<ReturnType<typeof tcpProxy>>
    const servers: Server[] = []
    afterAll(async () => {
      for (const s of servers) await stopServer(s, 'SIGKILL')
      await proxy?.close()
      await store?.drop()
    })

    it('answers 503 fast, reports not ready, stays up, and recovers by itself', async () => {
      store = await createStore('pg')
      const db = await store.open()
      const { citizens, staff } = await sessionsFor(db, { phones: ['13530000001', '13530000002'], staff: ['admin'] })
      await db.close()
      const real = new URL(store.url)
      proxy = await tcpProxy(real.hostname, Number(real.port || 5432))
      const viaProxy = new URL(store.url)
      viaProxy.port = String(proxy.port)
      const server = await startServer({ ...store, url: viaProxy.toString() })
      servers.push(server)
      const me = citizens[0] as Agent
      // Live events flow before the outage (the control for the check after it).
      const before = openStream(server.base, staff.admin as Agent)
      await before.ready
      expect((await send(server.base, me, 'POST', '/api/reports', report('before'))).status).toBe(201)
      await until(async () => before.events.includes('report.created'), 15_000)

      proxy.cut()
      const t0 = performance.now()
      const failed = await send(server.base, me, 'POST', '/api/reports', report('during'))
      const failMs = Math.round(performance.now() - t0)
      expect(failed.status).toBe(503)
      expect(failed.body.error.code).toBe('service_unavailable')
      expect(Number(failed.headers['retry-after'])).toBeGreaterThan(0)
      expect(failMs).toBeLessThan(8_000)
      const readyMs = await until(async () => (await send(server.base, null, 'GET', '/api/ready')).status === 503, 10_000)
      expect((await send(server.base, null, 'GET', '/api/ready')).body).toMatchObject({ status: 'not_ready' })
      expect((await send(server.base, null, 'GET', '/api/health')).status).toBe(200)
      const reads = await Promise.all(Array.from({ length: 5 }, () => send(server.base, me, 'GET', '/api/reports')))
      expect(reads.map((r) => r.status)).toEqual([503, 503, 503, 503, 503])
      await sleep(OUTAGE_MS - (performance.now() - t0))
      expect(server.child.exitCode).toBeNull()

      proxy.restore()
      const recoveredMs = await until(async () => (await send(server.base, null, 'GET', '/api/ready')).status === 200, 30_000)
      const writeMs = await until(
        async () => (await send(server.base, citizens[1] as Agent, 'POST', '/api/reports', report(`after-${Date.now()}`))).status === 201,
        30_000,
      )
      // Live events again: the server's LISTEN connection came back too. (NOTIFY is not stored: an
      // event published before the server listens again is not delivered; hence one report a second.)
      const stream = openStream(server.base, staff.admin as Agent)
      await stream.ready
      let n = 0
      const eventMs = await until(async () => {
        if (stream.events.includes('report.created')) return true
        expect((await send(server.base, me, 'POST', '/api/reports', report(`live-${n++}`))).status).toBe(201)
        await sleep(900)
        return stream.events.includes('report.created')
      }, 30_000)
      expect(server.child.exitCode).toBeNull()
      Object.assign(figures, {
        failFastMs: failMs,
        notReadyWithinMs: readyMs,
        outageMs: OUTAGE_MS,
        readyAgainMs: recoveredMs,
        firstWriteAfterReturnMs: writeMs,
        liveEventAfterReturnMs: eventMs,
      })
    })

    it('waits for the database at startup instead of exiting, then serves', async () => {
      proxy.cut()
      const viaProxy = new URL(store.url)
      viaProxy.port = String(proxy.port)
      const server = await spawnServer({ ...store, url: viaProxy.toString() })
      servers.push(server)
      await until(async () => server.logs.some((l) => l.level === 40 && /unreachable at startup/.test(String(l.msg))), 90_000)
      await sleep(2_000)
      expect(server.child.exitCode).toBeNull() // waiting, not exiting into a restart loop
      proxy.restore()
      const t0 = performance.now()
      await server.ready()
      expect(server.logs.some((l) => l.level === 40 && /unreachable at startup/.test(String(l.msg)))).toBe(true)
      expect((await send(server.base, null, 'GET', '/api/ready')).status).toBe(200)
      Object.assign(figures, { startupWaitedThenReadyMs: Math.round(performance.now() - t0) })
    })
  })

describe('embedded store with its data directory unavailable at startup', () => {
  it('exits at once with the cause instead of serving or waiting', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tp-fault-nodir-'))
    try {
      // Where the data directory should be, a file: the store cannot be opened or created.
      writeFileSync(join(dataDir, 'pglite'), 'not a directory')
      const t0 = performance.now()
      const server = await spawnServer({ kind: 'pglite', dataDir, url: '' } as Store)
      const exited = await Promise.race([server.exited, sleep(60_000).then(() => null)])
      if (!exited) await stopServer(server, 'SIGKILL')
      expect(exited, 'the server kept running on an unusable data directory').not.toBeNull()
      expect(exited?.code).not.toBe(0)
      expect(server.output.join('\n')).toContain(join(dataDir, 'pglite'))
      await expect(server.ready()).rejects.toThrow(/server exited/)
      Object.assign(figures, { embeddedDataDirUnavailableExitMs: Math.round(performance.now() - t0) })
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
