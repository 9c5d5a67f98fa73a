import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { reports } from '@tp/server/modules/reports/reports.tables'
import { like } from 'drizzle-orm'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type Agent,
  createStore,
  KINDS,
  openStream,
  type Reply,
  ROOT,
  type Server,
  type Store,
  send,
  sessionsFor,
  sleep,
  slowSend,
  startServer,
  stopServer,
} from './support'

/**
 * Graceful shutdown under load: SIGTERM while requests are in flight — some with their body only
 * half sent, so they are provably inside the server — and live-event (SSE) clients connected.
 * In-flight requests finish with their normal answer, every SSE client receives the `reconnect`
 * event and its stream ends, new connections are refused, the process exits 0 and nothing is
 * logged at error level. On the embedded store and on PostgreSQL.
 */

const figures: Record<string, unknown>[] = []
afterAll(() => {
  mkdirSync(join(ROOT, 'tests/.artifacts'), { recursive: true })
  writeFileSync(join(ROOT, 'tests/.artifacts/faults-shutdown.json'), JSON.stringify(figures, null, 1))
  for (const f of figures) console.log(`graceful shutdown: ${JSON.stringify(f)}`)
})

const report = (key: string) => ({
  kind: 'congestion',
  lat: 30.6702,
  lng: 104.0601,
  locationSource: 'gps',
  address: '春熙路与总府路路口',
  description: `停机测试 ${key}`,
})

for (const kind of KINDS) {
  describe(`SIGTERM under load (${kind})`, () => {
    let store: Store
    let server: Server | null = null
    afterAll(async () => {
      if (server) await stopServer(server, 'SIGKILL')
      await store?.drop()
    })

    it('finishes in-flight requests, tells SSE clients to reconnect, exits 0 without error logs', async () => {
      store = await createStore(kind)
      const db = await store.open()
      const { citizens, staff } = await sessionsFor(db, {
        phones: Array.from({ length: 10 }, (_, i) => `1352000${String(i).padStart(4, '0')}`),
        staff: ['dispatcher', 'admin'],
      })
      await db.close()
      server = await startServer(store)
      const s = server

      // Live-event clients: four citizens and two staff members.
      const streams = [...citizens.slice(0, 4), staff.dispatcher as Agent, staff.admin as Agent].map((who) => openStream(s.base, who))
      await Promise.all(streams.map((x) => x.ready))

      // Requests provably in flight: headers and half the body sent.
      const slow = [
        ...citizens
          .slice(0, 4)
          .map((who, i) => slowSend(s.base, who, 'POST', '/api/reports', report(`slow-${kind}-${i}`), { 'idempotency-key': `slow-${kind}-${i}` })),
        ...citizens.slice(4, 6).map((who, i) => slowSend(s.base, who, 'PATCH', '/api/me/profile', { name: `停机测试${'甲乙'[i]}` })),
      ]
      await Promise.all(slow.map((x) => x.sent))
      await sleep(300)
      // And a burst that races the signal: each either completes or is never accepted.
      const burst: Promise<Reply | 'refused'>[] = []
      for (let i = 0; i < 20; i++) {
        const who = citizens[6 + (i % 4)] as Agent
        burst.push(
          (i % 2
            ? send(s.base, who, 'GET', '/api/reports')
            : send(s.base, who, 'POST', '/api/reports', report(`burst-${kind}-${i}`), { 'idempotency-key': `burst-${kind}-${i}` })
          ).catch(() => 'refused' as const),
        )
      }
      const t0 = performance.now()
      s.child.kill('SIGTERM')
      await sleep(500)
      // New connections are no longer accepted while draining.
      const late = await send(s.base, null, 'GET', '/api/health', undefined, {}, { freshConnection: true }).then(
        (r) => r.status,
        () => 'refused' as const,
      )
      for (const x of slow) x.finish()
      const replies = await Promise.all(slow.map((x) => x.reply.catch((err: Error) => ({ status: 0, text: String(err) }) as Reply)))
      if (replies.some((r) => r.status === 0)) console.log(s.output.slice(-40).join('\n'))
      const burstOut = await Promise.all(burst)
      const streamEnds = await Promise.all(streams.map((x) => x.ended))
      const { code, signal } = await s.exited
      const shutdownMs = Math.round(performance.now() - t0)
      server = null

      expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201, 200, 200])
      expect(streams.map((x) => x.events.includes('reconnect'))).toEqual(streams.map(() => true))
      expect(streamEnds.every((e) => e === 'ended')).toBe(true)
      expect(late).toBe('refused')
      expect(burstOut.filter((r) => r !== 'refused' && r.status >= 500)).toEqual([])
      expect({ code, signal }).toEqual({ code: 0, signal: null })
      const errors = s.logs.filter((l) => l.level >= 50)
      expect(errors).toEqual([])
      expect(s.logs.some((l) => l.msg === 'stopped')).toBe(true)

      // What the in-flight requests wrote is there.
      const check = await store.open()
      const rows = await check.db
        .select({ id: reports.id })
        .from(reports)
        .where(like(reports.description, `停机测试 slow-${kind}-%`))
      await check.close()
      expect(rows).toHaveLength(4)
      figures.push({
        store: kind,
        inFlightFinished: `${replies.filter((r) => r.status < 300).length}/${replies.length}`,
        burstCompleted: burstOut.filter((r) => r !== 'refused').length,
        burstRefused: burstOut.filter((r) => r === 'refused').length,
        sseReconnectHints: `${streams.filter((x) => x.events.includes('reconnect')).length}/${streams.length}`,
        exitCode: code,
        errorLogs: errors.length,
        shutdownMs,
      })
    })
  })
}
