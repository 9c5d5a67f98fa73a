import { coarsen, haversineM } from '@tp/shared/reports/index'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { type Client, citizen, newClient, staffUser } from '../support/client'
import { act, CHUNXI, congestion, jpeg, later, upload, zombie } from './reports-support'

// A busy machine (other suites, builds) can slow every request: generous per-test time.
vi.setConfig({ testTimeout: 120_000 })

const HOUR = 3_600_000
const DAY = 24 * HOUR
let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ seed: true, now: new Date('2026-04-07T02:00:00Z') })
}, 240_000)
afterAll(() => t?.close())

/** Staff sessions idle out after 30 minutes: sign in again after moving the clock. */
const staff = (u: string) => staffUser(t, u)

async function officerId(c: Client, reportId: string, name: string): Promise<string> {
  const list = await c.get(`/api/console/reports/${reportId}/officers`)
  const o = list.body.items.find((x: { name: string }) => x.name === name)
  if (!o) throw new Error(`no officer ${name}`)
  return o.id
}

/** Files a congestion report and dispatches it to 张路警 (城区一大队). */
async function dispatchedToZhang(me: Client) {
  const r = await me.post('/api/reports', congestion())
  const d = await staff('dispatcher')
  const res = await act(d, r.body.id, { action: 'dispatch', officerId: await officerId(d, r.body.id, '张路警') })
  expect(res.status).toBe(200)
  return r.body as { id: string; number: string }
}

describe('nearby: no exact zombie-car spot, no anonymous plate look-ups', () => {
  it('measures zombie cars from their 250 m cell, so two cars in one cell look alike from anywhere', async () => {
    const p1 = { lat: 30.6412, lng: 104.0733 }
    const p2 = { lat: 30.6414, lng: 104.0736 }
    expect(coarsen(p1)).toEqual(coarsen(p2))
    const a = await citizen(t, '13600000501')
    const r1 = await a.post('/api/reports', await zombie(a, { plate: '川A1R2S3', ...p1, address: '玉林路', roadName: '玉林路' }))
    const r2 = await a.post('/api/reports', await zombie(a, { plate: '川A4T5U6', ...p2, address: '玉林路', roadName: '玉林路' }))
    expect([r1.body.state, r2.body.state]).toEqual(['submitted', 'submitted'])
    for (const q of [
      { lat: 30.6405, lng: 104.0725 },
      { lat: 30.6421, lng: 104.0741 },
    ]) {
      const near = await newClient(t).get(`/api/reports/nearby?kind=zombie_car&lat=${q.lat}&lng=${q.lng}`)
      expect(near.status).toBe(200)
      const hits = near.body.items.filter((x: { id: string }) => x.id === r1.body.id || x.id === r2.body.id)
      expect(hits).toHaveLength(2)
      const [h1, h2] = hits
      expect({ lat: h1.lat, lng: h1.lng, d: h1.distanceM }).toEqual({ lat: h2.lat, lng: h2.lng, d: h2.distanceM })
      expect(h1.distanceM).toBe(Math.max(10, Math.round(haversineM(q, coarsen(p1)) / 10) * 10))
      expect(hits.every((h: { samePlate: boolean }) => !h.samePlate)).toBe(true)
    }
  })

  it('answers a plate look-up to signed-in citizens only, at most 30 an hour', async () => {
    const q = '/api/reports/nearby?kind=zombie_car&lat=30.6412&lng=104.0733&plate=川A1R2S3'
    const anon = await newClient(t).get(encodeURI(q))
    expect(anon.status).toBe(401)
    expect(anon.body.error.code).toBe('unauthorized')
    const d = await staff('dispatcher')
    expect((await d.get(encodeURI(q))).status).toBe(403)
    const c = await citizen(t, '13600000502')
    const first = await c.get(encodeURI(q))
    expect(first.status).toBe(200)
    expect(first.body.items.filter((x: { samePlate: boolean }) => x.samePlate)).toHaveLength(1)
    for (let i = 1; i < 30; i++) expect((await c.get(encodeURI(q))).status).toBe(200)
    const limited = await c.get(encodeURI(q))
    expect(limited.status).toBe(429)
    expect(limited.body.error.code).toBe('rate_limited')
    // Without a plate the public view stays open.
    expect((await c.get('/api/reports/nearby?kind=zombie_car&lat=30.6412&lng=104.0733')).status).toBe(200)
  })

  it('normalises the plate like filing does: 川A·5K7M9, full-width and lower-case letters find the same car', async () => {
    const a = await citizen(t, '13600000503')
    const spot = { lat: 30.6551, lng: 104.0658 }
    const r = await a.post('/api/reports', await zombie(a, { plate: '川A·5K7M9', ...spot }))
    expect(r.body.plate).toBe('川A5K7M9')
    const b = await citizen(t, '13600000504')
    for (const plate of ['川A·5K7M9', '川Ａ５ｋ７ｍ９', '川a 5k7m9']) {
      const near = await b.get(`/api/reports/nearby?kind=zombie_car&lat=${spot.lat}&lng=${spot.lng}&plate=${encodeURIComponent(plate)}`)
      expect(near.status, plate).toBe(200)
      expect(
        near.body.items.filter((x: { samePlate: boolean }) => x.samePlate).map((x: { id: string }) => x.id),
        plate,
      ).toEqual([r.body.id])
    }
    const bad = await b.get(`/api/reports/nearby?kind=zombie_car&lat=${spot.lat}&lng=${spot.lng}&plate=${encodeURIComponent('川AI2345')}`)
    expect(bad.status).toBe(400)
    const merged = await b.post('/api/reports', await zombie(b, { plate: '川Ａ５ｋ７ｍ９', ...spot }))
    expect(merged.body).toMatchObject({ state: 'merged', mergedInto: { id: r.body.id } })
  })
})

describe('re-filing the same zombie car', () => {
  it("merges the reporter's own second report without counting them as a witness", async () => {
    const a = await citizen(t, '13600000511')
    const spot = { lat: 30.6598, lng: 104.0612 }
    const first = await a.post('/api/reports', await zombie(a, { plate: '川A6W7X8', ...spot }))
    later(t, 25 * HOUR)
    const again = await a.post('/api/reports', await zombie(a, { plate: '川A6W7X8', ...spot }))
    expect(again.body).toMatchObject({ state: 'merged', mergedInto: { id: first.body.id }, meToo: false })
    const d = await staff('dispatcher')
    const own = await d.get(`/api/console/reports/${first.body.id}`)
    expect(own.body.meTooCount).toBe(0)
    expect(own.body.sightings.map((s: { by: string }) => s.by)).toEqual(['report'])

    const b = await citizen(t, '13600000512')
    const other = await b.post('/api/reports', await zombie(b, { plate: '川A6W7X8', ...spot }))
    expect(other.body).toMatchObject({ state: 'merged', meToo: true })
    expect((await b.get(`/api/reports/${other.body.id}`)).body.meToo).toBe(true)
    const withWitness = await d.get(`/api/console/reports/${first.body.id}`)
    expect(withWitness.body.meTooCount).toBe(1)
    expect(withWitness.body.sightings.map((s: { by: string }) => s.by)).toEqual(['report', 'citizen'])
  })
})

describe('field steps belong to the assigned officer', () => {
  it('lets only the assigned officer acknowledge, arrive and resolve; the desk keeps reassign and close', async () => {
    const me = await citizen(t, '13600000521')
    const r = await dispatchedToZhang(me)
    const zhang = await staff('officer')
    const desk = await staff('dispatcher')
    expect((await desk.get(`/api/console/reports/${r.id}`)).body.actions).toEqual(['reassign'])
    expect((await zhang.get(`/api/console/reports/${r.id}`)).body.actions.sort()).toEqual(['acknowledge', 'arrive', 'reassign', 'resolve'])
    for (const u of ['dispatcher', 'head', 'head1', 'admin']) {
      const c = await staff(u)
      for (const action of ['acknowledge', 'arrive', 'resolve']) {
        const res = await act(c, r.id, { action })
        expect(res.status, `${u} ${action}`).toBe(403)
        expect(res.body.error.code).toBe('forbidden')
      }
    }
    expect((await act(zhang, r.id, { action: 'arrive' })).status).toBe(200)
    expect((await act(zhang, r.id, { action: 'resolve', note: '已疏导' })).body.state).toBe('resolved')
    const closed = await act(await staff('head'), r.id, { action: 'close' })
    expect(closed.body.state).toBe('closed')
  })

  it("moves the field steps with the case when the desk reassigns it, even to another unit's officer", async () => {
    const me = await citizen(t, '13600000522')
    const r = await dispatchedToZhang(me)
    const desk = await staff('dispatcher')
    const re = await act(desk, r.id, { action: 'reassign', officerId: await officerId(desk, r.id, '孙路警') })
    expect(re.body).toMatchObject({ state: 'dispatched', officerName: '孙路警' })
    const zhang = await staff('officer')
    const stale = await act(zhang, r.id, { action: 'arrive' })
    expect(stale.status).toBe(403)
    const sun = await staff('officer2')
    const mine = await sun.get('/api/console/reports?mine=true')
    expect(mine.body.items.map((x: { id: string }) => x.id)).toContain(r.id)
    expect((await act(sun, r.id, { action: 'arrive' })).body.state).toBe('on_scene')
  })
})

describe('reassigning a zombie car keeps its progress', () => {
  it('stays notice_posted with the same notice deadline; only the officer changes', async () => {
    const a = await citizen(t, '13600000531')
    const r = await a.post('/api/reports', await zombie(a, { plate: '川A9Y8Z7', lat: 30.6642, lng: 104.0588 }))
    const id = r.body.id
    let desk = await staff('dispatcher')
    await act(desk, id, { action: 'dispatch', officerId: await officerId(desk, id, '张路警') })
    let zhang = await staff('officer')
    expect((await act(zhang, id, { action: 'arrive' })).status).toBe(200)
    later(t, 25 * HOUR)
    zhang = await staff('officer')
    const verified = await act(zhang, id, { action: 'verify' })
    expect(verified.body.state).toBe('verified')
    desk = await staff('dispatcher')
    const keptVerified = await act(desk, id, { action: 'reassign', officerId: await officerId(desk, id, '孙路警') })
    expect(keptVerified.body).toMatchObject({ state: 'verified', officerName: '孙路警', dueAt: verified.body.dueAt })
    let sun = await staff('officer2')
    const photo = await upload(sun, await jpeg())
    const posted = await act(sun, id, { action: 'post_notice', photoIds: [photo.body.id] })
    expect(posted.body.state).toBe('notice_posted')
    later(t, 2 * DAY)
    desk = await staff('dispatcher')
    const back = await act(desk, id, { action: 'reassign', officerId: await officerId(desk, id, '张路警') })
    expect(back.body).toMatchObject({ state: 'notice_posted', officerName: '张路警', noticeDueAt: posted.body.noticeDueAt, dueAt: posted.body.dueAt })
    expect(back.body.timeline.filter((e: { action: string }) => e.action === 'post_notice')).toHaveLength(1)
    sun = await staff('officer2')
    // 孙路警 (城区二大队) saw it only while it was his.
    expect((await sun.get(`/api/console/reports/${id}`)).status).toBe(404)
    expect((await sun.post(`/api/console/reports/${id}/actions`, { action: 'tow', version: back.body.version })).status).toBe(404)
    later(t, 6 * DAY)
    zhang = await staff('officer')
    expect((await act(zhang, id, { action: 'tow' })).body.state).toBe('towed')
  })
})

describe('disputes and the citizen inbox', () => {
  const inboxKeys = async (c: Client, number: string) =>
    (await c.get('/api/notifications?limit=100')).body.items
      .filter((n: { params: { number?: string } }) => n.params.number === number)
      .map((n: { messageKey: string }) => n.messageKey)

  it('counts the 7 days from the closure, not from the resolution', async () => {
    const me = await citizen(t, '13600000541')
    const r = await dispatchedToZhang(me)
    const zhang = await staff('officer')
    await act(zhang, r.id, { action: 'resolve' })
    later(t, 5 * DAY)
    expect((await act(await staff('head'), r.id, { action: 'close' })).body.state).toBe('closed')
    later(t, 6 * DAY)
    const mine = await me.get(`/api/reports/${r.id}`)
    expect(mine.body).toMatchObject({ canDispute: true })
    const disputed = await me.post(`/api/reports/${r.id}/dispute`, { reason: '路口还是很堵，没有解决' })
    expect(disputed.status).toBe(200)
    expect(disputed.body.state).toBe('accepted')
  })

  it('refuses a dispute more than 7 days after the closure', async () => {
    const me = await citizen(t, '13600000542')
    const r = await dispatchedToZhang(me)
    await act(await staff('officer'), r.id, { action: 'resolve' })
    expect((await act(await staff('head'), r.id, { action: 'close' })).status).toBe(200)
    later(t, 7 * DAY + HOUR)
    const mine = await me.get(`/api/reports/${r.id}`)
    expect(mine.body).toMatchObject({ canDispute: false })
    expect(mine.body.actions).toEqual(['rate'])
    const late = await me.post(`/api/reports/${r.id}/dispute`, { reason: '路口还是很堵，没有解决' })
    expect(late.status).toBe(409)
    expect(late.body.error.code).toBe('dispute_window_closed')
  })

  it('lets a rejection be disputed within 7 days of it', async () => {
    const me = await citizen(t, '13600000543')
    const r = await me.post('/api/reports', congestion({ lat: CHUNXI.lat + 0.001 }))
    expect((await act(await staff('dispatcher'), r.body.id, { action: 'reject', note: '视频核实未见拥堵' })).body.state).toBe('rejected')
    later(t, 6 * DAY)
    expect((await me.post(`/api/reports/${r.body.id}/dispute`, { reason: '现场确实拥堵，请再核实' })).status).toBe(200)
    const again = await me.post('/api/reports', congestion({ lat: CHUNXI.lat + 0.001 }))
    await act(await staff('dispatcher'), again.body.id, { action: 'reject', note: '重复' })
    later(t, 8 * DAY)
    expect((await me.post(`/api/reports/${again.body.id}/dispute`, { reason: '现场确实拥堵，请再核实' })).status).toBe(409)
  })

  it("puts the citizen's own withdraw, rating and dispute in their inbox too", async () => {
    const me = await citizen(t, '13600000544')
    const w = await me.post('/api/reports', congestion())
    expect((await me.post(`/api/reports/${w.body.id}/withdraw`, { reason: '已通畅' })).status).toBe(200)
    expect((await inboxKeys(me, w.body.number)).sort()).toEqual(['reports.notify.submitted', 'reports.notify.withdraw'])

    const r = await dispatchedToZhang(me)
    await act(await staff('officer'), r.id, { action: 'resolve' })
    expect((await me.post(`/api/reports/${r.id}/rate`, { score: 2 })).status).toBe(200)
    expect((await me.post(`/api/reports/${r.id}/dispute`, { reason: '还是很堵，没有解决' })).status).toBe(200)
    expect(await inboxKeys(me, r.number)).toEqual(expect.arrayContaining(['reports.notify.resolve', 'reports.notify.rate', 'reports.notify.dispute']))
  })
})
