import { openDatabase } from '@tp/server/platform/db'
import { createEventBus, type DomainEvent } from '@tp/server/platform/events'
import { createLogger } from '@tp/server/platform/logger'
import { MAX_QUEUED_EVENTS, sseClientCount } from '@tp/server/platform/sse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { citizen } from '../support/client'
import { adminUrl, TEST_DB } from '../support/database'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ seed: true })
})
afterAll(() => t.close())

const waitFor = <T>(p: Promise<T>, ms = 5000) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out waiting for the event')), ms))])

describe('event bus', () => {
  it('delivers a published event to subscribers', async () => {
    const got = new Promise<DomainEvent>((resolve) => {
      const off = t.deps.bus.subscribe((e) => {
        if (e.type === 'test.ping') {
          off()
          resolve(e)
        }
      })
    })
    await t.deps.bus.publish({ type: 'test.ping', audience: {}, data: { n: 1 } })
    const e = await waitFor(got)
    expect(e.data).toEqual({ n: 1 })
    expect(e.at).toEqual(expect.any(Number))
  })

  // Only on PostgreSQL (the embedded store belongs to one process); registered only there, not skipped.
  if (TEST_DB === 'pg')
    it('delivers between two server processes over LISTEN/NOTIFY', async () => {
      const log = createLogger('silent')
      // Two independent connection pools, as two server processes would have.
      const dbA = await openDatabase({ url: adminUrl(), maxConnections: 2 })
      const dbB = await openDatabase({ url: adminUrl(), maxConnections: 2 })
      const busA = await createEventBus(dbA, log)
      const busB = await createEventBus(dbB, log)
      try {
        const marker = `m-${Math.random()}`
        const got = new Promise<DomainEvent>((resolve) => busB.subscribe((e) => e.data.marker === marker && resolve(e)))
        await busA.publish({ type: 'test.cross', audience: { unitIds: ['u1'] }, data: { marker } })
        const e = await waitFor(got)
        expect(e.type).toBe('test.cross')
        expect(e.audience.unitIds).toEqual(['u1'])
      } finally {
        await busA.close()
        await busB.close()
        await dbA.close()
        await dbB.close()
      }
    })
})

describe('GET /api/events (SSE)', () => {
  it('streams a citizen their own events and not another citizen’s', async () => {
    const a = await citizen(t, '13800138000')
    const me = (await a.get('/api/me')).body
    const res = await t.app.request('/api/events', { headers: { cookie: a.cookie, 'x-test-ip': a.ip } })
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read()
        if (done) break
        text += decoder.decode(value)
      }
    }
    await waitFor(readUntil('event: ready'))
    await t.deps.bus.publish({ type: 'case.changed', audience: { citizenIds: ['someone-else'] }, data: { id: 'other' } })
    await t.deps.bus.publish({ type: 'case.changed', audience: { citizenIds: [me.id] }, data: { id: 'mine' } })
    await waitFor(readUntil('"mine"'))
    expect(text).toContain('event: case.changed')
    expect(text).not.toContain('"other"')
    await reader.cancel()
  })
})

describe('GET /api/events (SSE), a client that stops reading', () => {
  it('is dropped once MAX_QUEUED_EVENTS wait for it, instead of holding every later event', async () => {
    const channel = `hall:${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`
    const before = sseClientCount()
    const res = await t.app.request(`/api/events?channels=${channel}`, { headers: { 'x-test-ip': '10.9.9.9' } })
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    while (!text.includes('event: ready')) text += decoder.decode((await waitFor(reader.read())).value)
    expect(sseClientCount()).toBe(before + 1)
    // The client reads nothing more: the stream's writes wait, the events queue up.
    for (let i = 0; i <= MAX_QUEUED_EVENTS + 5; i++) await t.deps.bus.publish({ type: 'queue.changed', audience: { channels: [channel] }, data: { i } })
    await waitFor(
      (async () => {
        while (sseClientCount() > before) await new Promise((r) => setTimeout(r, 20))
      })(),
    )
    await reader.cancel()
  })
})
