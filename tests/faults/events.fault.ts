import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type Agent, createStore, KINDS, openStream, ROOT, type Server, type Store, send, sessionsFor, sleep, startServer, stopServer } from './support'

/**
 * The live-event bus across server processes: two servers on one PostgreSQL database (as behind a
 * load balancer). A dispatcher's stream is open on server B, citizens file reports on server A, and
 * each `report.created` reaches the dispatcher on B through LISTEN/NOTIFY. The citizen's own stream
 * on B receives their report too, and another citizen's stream receives nothing. Latency (the POST
 * sent on A → the event read on B; the bus's publish on A → read on B) goes to tests/.artifacts/faults-events.json. The embedded store
 * is one process by design: there A and B are the same server (the in-process bus).
 */

const REPORTS = 5
const DEADLINE_MS = 5_000

const figures: Record<string, unknown>[] = []
afterAll(() => {
  mkdirSync(join(ROOT, 'tests/.artifacts'), { recursive: true })
  writeFileSync(join(ROOT, 'tests/.artifacts/faults-events.json'), JSON.stringify(figures, null, 1))
  for (const f of figures) console.log(`events across processes: ${JSON.stringify(f)}`)
})

const report = (i: number) => ({
  kind: 'congestion',
  lat: 30.6702 + i * 0.0001,
  lng: 104.0601,
  locationSource: 'gps',
  address: '春熙路与总府路路口',
  description: `跨进程事件测试 ${i}`,
})

async function waitFor<T>(find: () => T | undefined, ms: number): Promise<T | undefined> {
  const deadline = performance.now() + ms
  for (;;) {
    const found = find()
    if (found !== undefined || performance.now() > deadline) return found
    await sleep(5)
  }
}

for (const kind of KINDS) {
  const processes = kind === 'pg' ? 2 : 1
  describe(`live events between server processes (${kind}, ${processes} process${processes > 1 ? 'es' : ''})`, () => {
    let store: Store
    const servers: Server[] = []
    afterAll(async () => {
      await Promise.all(servers.map((s) => stopServer(s, 'SIGKILL')))
      await store?.drop()
    })

    it('delivers report.created filed on server A to the dispatcher and the reporter streaming from server B', async () => {
      store = await createStore(kind)
      const db = await store.open()
      const { citizens, staff } = await sessionsFor(db, { phones: ['13540000001', '13540000002'], staff: ['dispatcher'] })
      await db.close()
      for (let i = 0; i < processes; i++) servers.push(await startServer(store))
      const a = servers[0]
      const b = servers.at(-1)
      const reporter = citizens[0] as Agent
      const dispatcherOnB = openStream(b!.base, staff.dispatcher as Agent)
      const reporterOnB = openStream(b!.base, reporter)
      const bystanderOnB = openStream(b!.base, citizens[1] as Agent)
      await Promise.all([dispatcherOnB.ready, reporterOnB.ready, bystanderOnB.ready])

      const latencies: number[] = []
      const busLatencies: number[] = []
      for (let i = 0; i < REPORTS; i++) {
        const sent = Date.now()
        const res = await send(a!.base, reporter, 'POST', '/api/reports', report(i))
        expect(res.status, res.text.slice(0, 200)).toBe(201)
        const id = res.body.id as string
        const ofReport = (x: { event: string; data: string }) => x.event === 'report.created' && JSON.parse(x.data).id === id
        const seen = await waitFor(() => dispatcherOnB.received.find(ofReport), DEADLINE_MS)
        expect(seen, `report.created for ${id} on server B`).toBeDefined()
        latencies.push(seen!.at - sent)
        busLatencies.push(seen!.at - (JSON.parse(seen!.data).at as number))
        expect(await waitFor(() => reporterOnB.received.find(ofReport), DEADLINE_MS)).toBeDefined()
      }
      await sleep(200)
      expect(bystanderOnB.events.filter((e) => e.startsWith('report.'))).toEqual([])

      const stats = (xs: number[]) => {
        const sorted = [...xs].sort((x, y) => x - y)
        return { median: sorted[Math.floor(sorted.length / 2)], max: sorted.at(-1), all: xs }
      }
      figures.push({
        store: kind,
        processes,
        events: REPORTS,
        postOnAToEventOnBMs: stats(latencies),
        publishOnAToEventOnBMs: stats(busLatencies),
      })
    })
  })
}
