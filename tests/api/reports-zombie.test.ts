import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { type Client, citizen, staffUser } from '../support/client'
import { act, jpeg, later, upload, zombie } from './reports-support'

// A busy machine (other suites, builds) can slow every request: generous per-test time.
vi.setConfig({ testTimeout: 120_000 })

const START = new Date('2026-03-10T02:00:00Z')
const HOUR = 3_600_000
let t: TestApp
let me: Client
beforeAll(async () => {
  t = await createTestApp({ seed: true, now: START })
}, 240_000)
afterAll(() => t?.close())

/** Staff sessions idle out after 30 minutes: sign in again after moving the clock. */
const staff = (u: string) => staffUser(t, u)

describe('zombie-car course', () => {
  it('needs a second sighting ≥ 24 h after the first, a notice photo, the notice period and the public notice period', async () => {
    me = await citizen(t, '13600000301')
    const r = await me.post('/api/reports', await zombie(me, { plate: '川A6Z6Z6' }))
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ course: 'zombie', state: 'submitted', dueReason: 'verified', gridName: '东湖网格' })
    expect(new Date(r.body.dueAt).getTime() - START.getTime()).toBe(72 * HOUR)
    const id = r.body.id
    const d = await staff('dispatcher')
    const officers = await d.get(`/api/console/reports/${id}/officers`)
    expect((await act(d, id, { action: 'dispatch', officerId: officers.body.items[0].id })).status).toBe(200)
    let o = await staff('officer')
    expect((await act(o, id, { action: 'arrive' })).status).toBe(200)
    const early = await act(o, id, { action: 'verify' })
    expect(early.status).toBe(409)
    expect(early.body.error.code).toBe('second_sighting_required')

    later(t, 25 * HOUR)
    o = await staff('officer')
    const verified = await act(o, id, { action: 'verify', note: '二次核查车辆未移动' })
    expect(verified.status).toBe(200)
    expect(verified.body.sightings.map((s: { by: string }) => s.by)).toEqual(['report', 'officer', 'officer'])

    const noPhoto = await act(o, id, { action: 'post_notice' })
    expect(noPhoto.status).toBe(400)
    const photo = await upload(o, await jpeg())
    expect(photo.status).toBe(201)
    const posted = await act(o, id, { action: 'post_notice', photoIds: [photo.body.id] })
    expect(posted.status).toBe(200)
    expect(posted.body).toMatchObject({ state: 'notice_posted', dueReason: 'notice_period' })
    expect(new Date(posted.body.noticeDueAt).getTime() - t.now.value.getTime()).toBe(7 * 24 * HOUR)
    const tooEarly = await act(o, id, { action: 'tow' })
    expect(tooEarly.status).toBe(409)
    expect(tooEarly.body.error.code).toBe('notice_period_running')

    later(t, 7 * 24 * HOUR + HOUR)
    o = await staff('officer')
    expect((await act(o, id, { action: 'tow', note: '依法拖移' })).body.state).toBe('towed')
    const head = await staff('head')
    const announced = await act(head, id, { action: 'announce' })
    expect(announced.body).toMatchObject({ state: 'public_notice', dueReason: 'public_notice' })
    expect((await act(head, id, { action: 'dispose' })).body.error.code).toBe('public_notice_running')
    later(t, 93 * 24 * HOUR)
    const head2 = await staff('head')
    const disposed = await act(head2, id, { action: 'dispose' })
    expect(disposed.body).toMatchObject({ state: 'disposed', stateType: 'fixed' })

    // Citizen sessions last 30 days: sign in again after three months.
    me = await citizen(t, '13600000301')
    const mine = await me.get(`/api/reports/${id}`)
    expect(mine.body.timeline.map((e: { action: string }) => e.action)).toEqual([
      'submit',
      'dispatch',
      'arrive',
      'verify',
      'post_notice',
      'tow',
      'announce',
      'dispose',
    ])
    const notice = mine.body.timeline.find((e: { action: string }) => e.action === 'post_notice')
    expect(notice.attachments).toHaveLength(1)
    const img = await t.app.request(notice.attachments[0].url, { headers: { cookie: me.cookie } })
    expect(img.status).toBe(200)
    expect(mine.body.actions.sort()).toEqual(['dispute', 'rate'])
  })

  it("lets a citizen's me-too ≥ 24 h later count as the second sighting", async () => {
    const a = await citizen(t, '13600000302')
    const r = await a.post('/api/reports', await zombie(a, { plate: '川A1B2C3', lat: 30.6845, lng: 104.0281, address: '青羊正街' }))
    later(t, 26 * HOUR)
    const b = await citizen(t, '13600000303')
    expect((await b.post(`/api/reports/${r.body.id}/me-too`)).status).toBe(200)
    const d = await staff('dispatcher')
    const officers = await d.get(`/api/console/reports/${r.body.id}/officers`)
    await act(d, r.body.id, { action: 'dispatch', officerId: officers.body.items[0].id })
    const o = await staff('officer')
    await act(o, r.body.id, { action: 'arrive' })
    expect((await act(o, r.body.id, { action: 'verify' })).status).toBe(200)
  })

  it('ends when the owner moves the car', async () => {
    me = await citizen(t, '13600000301')
    const r = await me.post('/api/reports', await zombie(me, { plate: '川A5M0V3', lat: 30.6712, lng: 104.0305, address: '滨江西路' }))
    const d = await staff('dispatcher')
    const officers = await d.get(`/api/console/reports/${r.body.id}/officers`)
    await act(d, r.body.id, { action: 'dispatch', officerId: officers.body.items[0].id })
    const o = await staff('officer')
    const moved = await act(o, r.body.id, { action: 'owner_moved', note: '车主已驶离' })
    expect(moved.body).toMatchObject({ state: 'moved', stateType: 'fixed' })
  })
})

describe('merging zombie-car duplicates', () => {
  it('merges a report of the same plate within 300 m into the open one', async () => {
    const a = await citizen(t, '13600000311')
    const b = await citizen(t, '13600000312')
    const first = await a.post('/api/reports', await zombie(a, { plate: '川A9G8H7', lat: 30.6462, lng: 104.0855 }))
    expect(first.body.state).toBe('submitted')
    const second = await b.post('/api/reports', await zombie(b, { plate: '川a9g8h7', lat: 30.6462 + 0.0018, lng: 104.0855 }))
    expect(second.status).toBe(201)
    expect(second.body).toMatchObject({ state: 'merged', stateType: 'closed', mergedInto: { id: first.body.id, number: first.body.number } })
    const inbox = await b.get('/api/notifications')
    expect(inbox.body.items[0]).toMatchObject({ messageKey: 'reports.notify.merged_on_submit' })
    const d = await staff('dispatcher')
    const detail = await d.get(`/api/console/reports/${first.body.id}`)
    expect(detail.body.meTooCount).toBe(1)
    expect(detail.body.merged.map((m: { id: string }) => m.id)).toEqual([second.body.id])
    expect(detail.body.sightings).toHaveLength(2)
  })

  it('does not merge farther than 300 m, another plate, or into a closed report', async () => {
    const a = await citizen(t, '13600000313')
    const base = { lat: 30.6378, lng: 104.0921 }
    const first = await a.post('/api/reports', await zombie(a, { plate: '川A3J4K5', ...base }))
    const far = await a.post('/api/reports', await zombie(a, { plate: '川A3J4K5', lat: base.lat + 0.004, lng: base.lng }))
    expect(far.body.state).toBe('submitted')
    const other = await a.post('/api/reports', await zombie(a, { plate: '川A3J4K6', ...base }))
    expect(other.body.state).toBe('submitted')
    expect(first.body.state).toBe('submitted')

    // Once the case is closed (here: rejected), the same car at the same spot opens a new case.
    const d = await staff('dispatcher')
    for (const r of [first, far]) expect((await act(d, r.body.id, { action: 'reject', note: '现场未发现该车辆' })).body.state).toBe('rejected')
    const afterClosure = await a.post('/api/reports', await zombie(a, { plate: '川A3J4K5', ...base }))
    expect(afterClosure.body).toMatchObject({ state: 'submitted', mergedInto: null })
    expect(afterClosure.body.id).not.toBe(first.body.id)
  })

  it('opens exactly one case when many citizens report the same car at once', async () => {
    const clients = await Promise.all(Array.from({ length: 8 }, (_, i) => citizen(t, `136000004${String(i).padStart(2, '0')}`)))
    const bodies = await Promise.all(clients.map((c) => zombie(c, { plate: '川A7T7T7', lat: 30.6529, lng: 104.0963 })))
    const res = await Promise.all(clients.map((c, i) => c.post('/api/reports', bodies[i])))
    expect(res.map((r) => r.status)).toEqual(Array(8).fill(201))
    const open = res.filter((r) => r.body.state === 'submitted')
    expect(open).toHaveLength(1)
    expect(res.filter((r) => r.body.state === 'merged').every((r) => r.body.mergedInto.id === open[0]?.body.id)).toBe(true)
    const d = await staff('dispatcher')
    const detail = await d.get(`/api/console/reports/${open[0]?.body.id}`)
    expect(detail.body.meTooCount).toBe(7)
  })

  it('shows same-plate open reports as nearby duplicates, coarsened and without the reporter', async () => {
    const a = await citizen(t, '13600000314')
    const r = await a.post('/api/reports', await zombie(a, { plate: '川A2P4R6', lat: 30.6385, lng: 104.0291 }))
    const near = await a.get('/api/reports/nearby?kind=zombie_car&lat=30.6386&lng=104.0292&plate=川A2P4R6')
    const hit = near.body.items.find((x: { id: string }) => x.id === r.body.id)
    expect(hit.samePlate).toBe(true)
    expect(hit.lat === 30.6385 && hit.lng === 104.0291).toBe(false)
    expect(JSON.stringify(hit)).not.toContain('川A2P4R6')
    const otherPlate = await a.get('/api/reports/nearby?kind=zombie_car&lat=30.6386&lng=104.0292&plate=川A2P4R7')
    expect(otherPlate.body.items.some((x: { id: string }) => x.id === r.body.id)).toBe(false)
  })
})
