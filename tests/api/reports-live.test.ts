import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { type Client, citizen, staffUser } from '../support/client'
import { congestion } from './reports-support'

// A busy machine (other suites, builds) can slow every request: generous per-test time.
vi.setConfig({ testTimeout: 120_000 })

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ seed: true })
}, 240_000)
afterAll(() => t?.close())

/** Reads SSE frames from a stream until `match` returns true for one, or the timeout. */
async function openStream(c: Client) {
  const ctrl = new AbortController()
  const res = await t.app.request('/api/events', { headers: { cookie: c.cookie }, signal: ctrl.signal })
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  let buf = ''
  const frames: { event: string; data: Record<string, unknown>; receivedAt: number }[] = []
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }))
      if (done) return
      buf += decoder.decode(value, { stream: true })
      let i = buf.indexOf('\n\n')
      while (i >= 0) {
        const raw = buf.slice(0, i)
        buf = buf.slice(i + 2)
        const event = /^event: (.*)$/m.exec(raw)?.[1] ?? 'message'
        const data = /^data: (.*)$/m.exec(raw)?.[1] ?? ''
        frames.push({ event, data: data ? JSON.parse(data) : {}, receivedAt: performance.now() })
        i = buf.indexOf('\n\n')
      }
    }
  })()
  const waitFor = async (pred: (f: (typeof frames)[number]) => boolean, ms = 5000) => {
    const until = Date.now() + ms
    while (Date.now() < until) {
      const f = frames.find(pred)
      if (f) return f
      await new Promise((r) => setTimeout(r, 2))
    }
    throw new Error('timed out waiting for an SSE frame')
  }
  await waitFor((f) => f.event === 'ready')
  return {
    waitFor,
    frames,
    close: async () => {
      ctrl.abort()
      await reader.cancel().catch(() => {})
      await pump
    },
  }
}

describe('live queue (SSE)', () => {
  it('pushes a new report to a subscribed dispatcher in milliseconds, and not to another brigade', async () => {
    const dispatcher = await staffUser(t, 'dispatcher')
    const officer2 = await staffUser(t, 'officer2')
    const me = await citizen(t, '13600000701')
    const live = await openStream(dispatcher)
    const other = await openStream(officer2)
    const latencies: number[] = []
    for (let i = 0; i < 20; i++) {
      const started = performance.now()
      const res = await me.post('/api/reports', congestion({ description: `实时推送测试 ${i}，路口拥堵` }))
      expect(res.status).toBe(201)
      const f = await live.waitFor((x) => x.event === 'report.created' && x.data.id === res.body.id)
      latencies.push(f.receivedAt - started)
      expect(f.data).toMatchObject({ number: res.body.number, kind: 'congestion', state: 'submitted' })
      expect(JSON.stringify(f.data)).not.toContain('13600000701')
    }
    await new Promise((r) => setTimeout(r, 50))
    expect(other.frames.some((x) => x.event === 'report.created')).toBe(false)
    latencies.sort((a, b) => a - b)
    const p50 = latencies[Math.floor(latencies.length / 2)] as number
    const p95 = latencies[Math.floor(latencies.length * 0.95)] as number
    console.log(
      `SSE submit→dispatcher (${t.deps.database.kind}, in-process, incl. the POST): p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms`,
    )
    expect(p95).toBeLessThan(2000)
    await live.close()
    await other.close()
  })

  it("pushes state changes to the reporter's own stream", async () => {
    const me = await citizen(t, '13600000702')
    const dispatcher = await staffUser(t, 'dispatcher')
    const live = await openStream(me)
    const r = await me.post('/api/reports', congestion())
    await dispatcher.post(`/api/console/reports/${r.body.id}/actions`, { action: 'accept', version: 0 })
    const f = await live.waitFor((x) => x.event === 'report.updated' && x.data.id === r.body.id)
    expect(f.data).toMatchObject({ state: 'accepted', action: 'accept' })
    await live.waitFor((x) => x.event === 'notification')
    await live.close()
  })
})
