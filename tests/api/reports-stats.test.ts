import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { type Client, citizen, staffUser } from '../support/client'
import { act, CHUNXI, congestion, zombie } from './reports-support'

// A busy machine (other suites, builds) can slow every request: generous per-test time.
vi.setConfig({ testTimeout: 180_000 })

/**
 * Statistics on controlled data: the demo data is seeded months before the measured day
 * (2026-06-01, China time), so the figures of that day come from the reports filed here only.
 */
const MIN = 60_000
const DAY_START = new Date('2026-06-01T02:00:00Z') // 10:00 in China
const DAY = 'from=2026-06-01&to=2026-06-01'
let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ seed: true, now: new Date('2026-01-05T02:00:00Z') })
}, 240_000)
afterAll(() => t?.close())

const at = (d: Date) => {
  t.now.value = d
}
const plus = (min: number) => new Date(DAY_START.getTime() + min * MIN)

async function acted(c: Client, id: string, body: Record<string, unknown>) {
  const res = await act(c, id, body)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}

describe('report statistics on controlled data', () => {
  it('gives exact median and P90 times, hotspots by cell, and zombie cars by the month they were cleared', async () => {
    // A zombie car reported in May and cleared (moved by its owner) on the measured day.
    at(new Date('2026-05-20T02:00:00Z'))
    const z = await citizen(t, '13600000701')
    const car = await z.post('/api/reports', await zombie(z, { plate: '川A2K4M6' }))
    const desk0 = await staffUser(t, 'dispatcher')
    const zhangId = (await desk0.get(`/api/console/reports/${car.body.id}/officers`)).body.items.find((o: { name: string }) => o.name === '张路警').id
    await acted(desk0, car.body.id, { action: 'dispatch', officerId: zhangId })

    // Five congestion reports: three at one corner of 春熙路, two on 东大街 ~2 km away.
    at(DAY_START)
    const me = await citizen(t, '13600000702')
    const spots = [
      { ...CHUNXI, roadName: '春熙路' },
      { lat: CHUNXI.lat + 0.0001, lng: CHUNXI.lng, roadName: '春熙路' },
      { lat: CHUNXI.lat, lng: CHUNXI.lng + 0.0001, roadName: '春熙路' },
      { lat: 30.6545, lng: 104.0801, roadName: '东大街' },
      { lat: 30.6546, lng: 104.0802, roadName: '东大街' },
    ]
    const ids: string[] = []
    for (const s of spots) ids.push((await me.post('/api/reports', congestion({ ...s, address: s.roadName }))).body.id)

    // Accepted after 2, 4, 6, 8 and 10 minutes: median 6, P90 8 + 0.6 × 2 = 9.2.
    for (const [i, id] of ids.entries()) {
      at(plus(2 * (i + 1)))
      await acted(await staffUser(t, 'dispatcher'), id, { action: 'accept' })
    }
    at(plus(12))
    const desk = await staffUser(t, 'dispatcher')
    for (const id of ids.slice(0, 3)) await acted(desk, id, { action: 'dispatch', officerId: zhangId })
    // Resolved 20, 30 and 60 minutes after filing: median 30, P90 30 + 0.8 × 30 = 54.
    for (const [min, id] of [
      [20, ids[0]],
      [30, ids[1]],
      [60, ids[2]],
    ] as const) {
      at(plus(min))
      await acted(await staffUser(t, 'officer'), id as string, { action: 'resolve' })
    }
    at(plus(90))
    await acted(await staffUser(t, 'officer'), car.body.id, { action: 'owner_moved' })

    const s = (await (await staffUser(t, 'dispatcher')).get(`/api/console/reports/stats?${DAY}`)).body
    expect(s.total).toBe(5)
    expect(s.timeToAccept).toEqual({ n: 5, medianMin: 6, p90Min: 9.2 })
    expect(s.timeToResolve).toEqual({ n: 3, medianMin: 30, p90Min: 54 })
    expect(s.hotspots.map((h: { label: string; count: number }) => [h.label, h.count])).toEqual([
      ['春熙路', 3],
      ['东大街', 2],
    ])
    expect(s.hotspots[0].lat).toBeCloseTo(CHUNXI.lat + 0.0001 / 3, 5)
    expect(s.congestionByRoad).toEqual([
      { road: '春熙路', n: 3 },
      { road: '东大街', n: 2 },
    ])
    expect(s.zombieClearedPerMonth).toEqual([{ month: '2026-06', n: 1 }])
    const may = (await (await staffUser(t, 'dispatcher')).get('/api/console/reports/stats?from=2026-05-01&to=2026-05-31')).body
    expect(may.zombieClearedPerMonth).toEqual([])
    expect(may.total).toBe(1)
  })
})
