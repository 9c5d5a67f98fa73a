import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { type Client, citizen, newClient, staffUser } from '../support/client'
import { CHUNXI, congestion, jpeg, OUTSIDE, upload } from './reports-support'

// A busy machine (other suites, builds) can slow every request: generous per-test time.
vi.setConfig({ testTimeout: 120_000 })

let t: TestApp
let me: Client
let dispatcher: Client
let officer: Client
beforeAll(async () => {
  t = await createTestApp({ seed: true })
  me = await citizen(t, '13600000101')
  dispatcher = await staffUser(t, 'dispatcher')
  officer = await staffUser(t, 'officer')
}, 240_000)
afterAll(() => t?.close())

describe('filing a report', () => {
  it('routes a point inside a grid to that grid, its unit and due time', async () => {
    const res = await me.post('/api/reports', congestion())
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      kind: 'congestion',
      state: 'submitted',
      stateType: 'open',
      gridName: '春熙网格',
      unitName: '城区一大队',
      dueReason: 'accepted',
    })
    expect(res.body.number).toMatch(/^R\d{6}\d{5,}$/)
    const due = new Date(res.body.dueAt).getTime() - new Date(res.body.createdAt).getTime()
    expect(due).toBe(5 * 60_000)
    expect(res.body.actions).toEqual(['withdraw'])
    expect(res.body.timeline.map((e: { action: string }) => e.action)).toEqual(['submit'])
    const inbox = await me.get('/api/notifications')
    expect(inbox.body.items[0]).toMatchObject({ messageKey: 'reports.notify.submitted', params: { number: res.body.number } })
  })

  it('answers with the report as a read afterwards shows it (built from the rows just written), with or without an Idempotency-Key', async () => {
    const photo = await upload(me, await jpeg())
    expect(photo.status).toBe(201)
    for (const [body, headers] of [
      [congestion({ photoIds: [photo.body.id] }), {}],
      [congestion({ ...OUTSIDE }), { 'idempotency-key': 'read-back-equal-1' }],
    ] as const) {
      const created = await me.post('/api/reports', body, headers)
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      const read = await me.get(`/api/reports/${created.body.id}`)
      expect(created.body).toEqual(read.body)
    }
    const [withPhoto] = (await me.get('/api/reports?limit=2')).body.items.slice(-1)
    expect((await me.get(`/api/reports/${withPhoto.id}`)).body.photos).toEqual([expect.objectContaining({ id: photo.body.id })])
  })

  it('sends a point outside every grid to the default queue (command centre)', async () => {
    const res = await me.post('/api/reports', congestion({ ...OUTSIDE, address: '绕城高速外侧' }))
    expect(res.status).toBe(201)
    expect(res.body.gridName).toBeNull()
    expect(res.body.unitName).toBe('情指行指挥中心')
  })

  it('validates description length, plate, extra fields and unknown keys with field paths', async () => {
    const short = await me.post('/api/reports', congestion({ description: '堵' }))
    expect(short.status).toBe(400)
    expect(short.body.error.details.map((d: { path: string }) => d.path)).toContain('body.description')
    const plate = await me.post('/api/reports', congestion({ plate: '川AI2345' }))
    expect(plate.status).toBe(400)
    expect(plate.body.error.details[0].path).toBe('body.plate')
    const attr = await me.post('/api/reports', congestion({ attributes: { severity: 'terrible' } }))
    expect(attr.status).toBe(400)
    expect(attr.body.error.details[0].path).toBe('body.attributes.severity')
    const extra = await me.post('/api/reports', congestion({ reporterName: '张三' }))
    expect(extra.status).toBe(400)
    const kind = await me.post('/api/reports', congestion({ kind: 'flood' }))
    expect(kind.status).toBe(400)
    expect(kind.body.error.code).toBe('unknown_kind')
    expect(kind.body.error.details[0].path).toBe('body.kind')
    const near = await me.get('/api/reports/nearby?kind=flood&lat=30.67&lng=104.06')
    expect(near.status).toBe(400)
    expect(near.body.error).toMatchObject({ code: 'unknown_kind', details: [{ path: 'query.kind' }] })
  })

  it('requires sign-in as a citizen', async () => {
    expect((await newClient(t).post('/api/reports', congestion())).status).toBe(401)
    expect((await dispatcher.post('/api/reports', congestion())).status).toBe(403)
  })

  it('replays an Idempotency-Key instead of filing twice', async () => {
    const key = `k-${Date.now()}`
    const a = await me.post('/api/reports', congestion({ description: '幂等测试：路口拥堵' }), { 'idempotency-key': key })
    const b = await me.post('/api/reports', congestion({ description: '幂等测试：路口拥堵' }), { 'idempotency-key': key })
    expect(a.status).toBe(201)
    expect(b.headers.get('idempotent-replayed')).toBe('true')
    expect(b.body.id).toBe(a.body.id)
  })
})

describe('my reports', () => {
  it('lists only my reports, newest first, with keyset paging', async () => {
    const other = await citizen(t, '13600000102')
    await other.post('/api/reports', congestion({ description: '别人的上报，不应出现' }))
    const page1 = await me.get('/api/reports?limit=2')
    expect(page1.status).toBe(200)
    expect(page1.body.items).toHaveLength(2)
    expect(page1.body.nextCursor).toEqual(expect.any(String))
    const page2 = await me.get(`/api/reports?limit=2&cursor=${page1.body.nextCursor}`)
    const all = [...page1.body.items, ...page2.body.items]
    expect(new Set(all.map((r: { id: string }) => r.id)).size).toBe(all.length)
    expect(all.every((r: { description?: string }) => r.description !== '别人的上报，不应出现')).toBe(true)
  })

  it("answers 404 for someone else's report", async () => {
    const other = await citizen(t, '13600000103')
    const theirs = await other.post('/api/reports', congestion())
    expect((await me.get(`/api/reports/${theirs.body.id}`)).status).toBe(404)
    expect((await me.post(`/api/reports/${theirs.body.id}/withdraw`, {})).status).toBe(404)
  })

  it('shows up in 我的办事', async () => {
    const res = await me.get('/api/me/cases')
    expect(res.body.items.some((c: { kind: string }) => c.kind === 'report')).toBe(true)
  })

  it('withdraws before acceptance only', async () => {
    const a = await me.post('/api/reports', congestion())
    const w = await me.post(`/api/reports/${a.body.id}/withdraw`, { reason: '已经通畅' })
    expect(w.status).toBe(200)
    expect(w.body).toMatchObject({ state: 'withdrawn', stateType: 'closed', actions: [] })
    const b = await me.post('/api/reports', congestion())
    const acc = await dispatcher.post(`/api/console/reports/${b.body.id}/actions`, { action: 'accept', version: 0 })
    expect(acc.status).toBe(200)
    const late = await me.post(`/api/reports/${b.body.id}/withdraw`, {})
    expect(late.status).toBe(409)
    expect(late.body.error.code).toBe('invalid_transition')
  })
})

describe('handling: accept → dispatch → on scene → resolved → rated', () => {
  it('walks the whole course, notifying the citizen of every step', async () => {
    const r = await me.post('/api/reports', congestion())
    const id = r.body.id
    const act = async (c: Client, body: Record<string, unknown>) => {
      const d = await c.get(`/api/console/reports/${id}`)
      const res = await c.post(`/api/console/reports/${id}/actions`, { version: d.body.version, ...body })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      return res.body
    }
    await act(dispatcher, { action: 'accept' })
    const officers = await dispatcher.get(`/api/console/reports/${id}/officers`)
    expect(officers.body.items[0]).toMatchObject({ name: '张路警', gridOfficer: true })
    const dispatched = await act(dispatcher, { action: 'dispatch', officerId: officers.body.items[0].id, note: '请尽快到场' })
    expect(dispatched).toMatchObject({ state: 'dispatched', officerName: '张路警', dueReason: 'on_scene' })
    const mine = await officer.get('/api/console/reports?mine=true')
    expect(mine.body.items.some((x: { id: string }) => x.id === id)).toBe(true)
    await act(officer, { action: 'acknowledge' })
    await act(officer, { action: 'arrive' })
    const resolved = await act(officer, { action: 'resolve', note: '已疏导' })
    expect(resolved).toMatchObject({ state: 'resolved', stateType: 'fixed', dueAt: null })

    const detail = await me.get(`/api/reports/${id}`)
    expect(detail.body.timeline.map((e: { action: string }) => e.action)).toEqual(['submit', 'accept', 'dispatch', 'acknowledge', 'arrive', 'resolve'])
    expect(detail.body.actions.sort()).toEqual(['dispute', 'rate'])
    expect(detail.body.officerName).toBe('张路警')
    const inbox = await me.get('/api/notifications?limit=50')
    const keys = inbox.body.items
      .filter((n: { params: { number: string } }) => n.params.number === r.body.number)
      .map((n: { messageKey: string }) => n.messageKey)
    expect(keys).toEqual(expect.arrayContaining(['reports.notify.accept', 'reports.notify.dispatch', 'reports.notify.arrive', 'reports.notify.resolve']))
    expect(keys).not.toContain('reports.notify.acknowledge')

    const rated = await me.post(`/api/reports/${id}/rate`, { score: 5, comment: '很及时' })
    expect(rated.status).toBe(200)
    expect(rated.body).toMatchObject({ state: 'closed', rating: { score: 5, comment: '很及时' }, canRate: false })
    const again = await me.post(`/api/reports/${id}/rate`, { score: 1 })
    expect(again.status).toBe(409)

    const disputed = await me.post(`/api/reports/${id}/dispute`, { reason: '车辆又堵上了，问题没有解决' })
    expect(disputed.status).toBe(200)
    expect(disputed.body).toMatchObject({ state: 'accepted', stateType: 'open', dueReason: 'on_scene' })
  })

  it('refuses a rating out of range and a dispute while open', async () => {
    const r = await me.post('/api/reports', congestion())
    expect((await me.post(`/api/reports/${r.body.id}/rate`, { score: 6 })).status).toBe(400)
    const d = await me.post(`/api/reports/${r.body.id}/dispute`, { reason: '还没处理就想申诉' })
    expect(d.status).toBe(409)
  })

  it('needs a reason to reject and tells the citizen', async () => {
    const r = await me.post('/api/reports', congestion())
    const noReason = await dispatcher.post(`/api/console/reports/${r.body.id}/actions`, { action: 'reject', version: 0 })
    expect(noReason.status).toBe(400)
    const ok = await dispatcher.post(`/api/console/reports/${r.body.id}/actions`, { action: 'reject', version: 0, note: '经核实已恢复通行' })
    expect(ok.body.state).toBe('rejected')
    const detail = await me.get(`/api/reports/${r.body.id}`)
    expect(detail.body.timeline.at(-1)).toMatchObject({ action: 'reject', note: '经核实已恢复通行' })
    expect(detail.body.actions).toEqual(['dispute'])
  })

  it('answers 409 to a stale version (two dispatchers at once)', async () => {
    const r = await me.post('/api/reports', congestion())
    const other = await staffUser(t, 'head')
    const [a, b] = await Promise.all([
      dispatcher.post(`/api/console/reports/${r.body.id}/actions`, { action: 'accept', version: 0 }),
      other.post(`/api/console/reports/${r.body.id}/actions`, { action: 'reject', version: 0, note: '重复' }),
    ])
    expect([a.status, b.status].sort()).toEqual([200, 409])
  })
})

describe('who may do what', () => {
  it('keeps legal officers, window staff and citizens out of the console queue', async () => {
    for (const u of ['legal', 'window']) {
      const c = await staffUser(t, u)
      expect((await c.get('/api/console/reports')).status).toBe(403)
    }
    expect((await me.get('/api/console/reports')).status).toBe(403)
    expect((await newClient(t).get('/api/console/reports')).status).toBe(401)
  })

  it("hides a brigade's reports from another brigade's officer (404)", async () => {
    const r = await me.post('/api/reports', congestion())
    const officer2 = await staffUser(t, 'officer2')
    expect((await officer2.get(`/api/console/reports/${r.body.id}`)).status).toBe(404)
    const list = await officer2.get('/api/console/reports?limit=200')
    expect(list.body.items.some((x: { id: string }) => x.id === r.body.id)).toBe(false)
  })

  it('refuses an action the role may not take, and citizen-only actions from staff', async () => {
    const r = await me.post('/api/reports', congestion())
    const arrive = await dispatcher.post(`/api/console/reports/${r.body.id}/actions`, { action: 'arrive', version: 0 })
    expect(arrive.status).toBe(409)
    expect(arrive.body.error.code).toBe('invalid_transition')
    const head = await staffUser(t, 'head')
    const rate = await head.post(`/api/console/reports/${r.body.id}/actions`, { action: 'withdraw', version: 0 })
    expect(rate.status).toBe(409)
  })

  it('refuses to dispatch to an officer outside the scope or off duty', async () => {
    const r = await me.post('/api/reports', congestion())
    const officers = await officer.get(`/api/console/reports/${r.body.id}/officers`)
    expect(officers.body.items.map((o: { name: string }) => o.name)).toEqual(['张路警'])
    const all = await dispatcher.get(`/api/console/reports/${r.body.id}/officers`)
    const sun = all.body.items.find((o: { name: string }) => o.name === '孙路警')
    const res = await officer.post(`/api/console/reports/${r.body.id}/actions`, { action: 'dispatch', version: 0, officerId: sun.id })
    expect(res.status).toBe(400)
    expect(res.body.error.details[0].path).toBe('body.officerId')
  })

  it('masks the reporter in the console and audits showing the full data', async () => {
    const r = await me.post('/api/reports', congestion())
    const d = await dispatcher.get(`/api/console/reports/${r.body.id}`)
    expect(d.body.citizen.phone).toBe('136****0101')
    const shown = await dispatcher.post(`/api/console/reports/${r.body.id}/reporter`)
    expect(shown.body.phone).toBe('13600000101')
    const { auditLog } = await import('@tp/server/platform/platform.tables')
    const { eq } = await import('drizzle-orm')
    const rows = await t.deps.database.db.select().from(auditLog).where(eq(auditLog.action, 'citizen.view_personal_data'))
    expect(rows.some((x) => (x.after as { reportId?: string })?.reportId === r.body.id)).toBe(true)
  })
})

describe('nearby duplicates and me too', () => {
  it('shows open reports of the same kind within 200 m, and lets another citizen add me too', async () => {
    const r = await me.post('/api/reports', congestion({ lat: CHUNXI.lat + 0.0005, lng: CHUNXI.lng }))
    const near = await newClient(t).get(`/api/reports/nearby?kind=congestion&lat=${CHUNXI.lat}&lng=${CHUNXI.lng}`)
    expect(near.status).toBe(200)
    const hit = near.body.items.find((x: { id: string }) => x.id === r.body.id)
    expect(hit.distanceM).toBeGreaterThanOrEqual(50)
    expect(hit.distanceM).toBeLessThanOrEqual(60)
    expect(JSON.stringify(near.body)).not.toContain('13600000101')
    const far = await newClient(t).get(`/api/reports/nearby?kind=congestion&lat=${CHUNXI.lat + 0.01}&lng=${CHUNXI.lng}`)
    expect(far.body.items.some((x: { id: string }) => x.id === r.body.id)).toBe(false)
    const hazard = await newClient(t).get(`/api/reports/nearby?kind=hazard&lat=${CHUNXI.lat}&lng=${CHUNXI.lng}`)
    expect(hazard.body.items.some((x: { id: string }) => x.id === r.body.id)).toBe(false)

    const other = await citizen(t, '13600000104')
    const a = await other.post(`/api/reports/${r.body.id}/me-too`)
    const b = await other.post(`/api/reports/${r.body.id}/me-too`)
    expect(a.body).toEqual({ meTooCount: 1, meToo: true })
    expect(b.body.meTooCount).toBe(1)
    expect((await me.post(`/api/reports/${r.body.id}/me-too`)).status).toBe(409)
  })

  it('answers the nearest 20 first, however crowded the box', async () => {
    const spot = { lat: CHUNXI.lat + 0.003, lng: CHUNXI.lng + 0.003 }
    const r = await me.post('/api/reports', congestion(spot))
    // 310 more open reports on a north–south line through the spot, 0.55 m apart, most of them south
    // of it: more candidates than any page, in an order (by latitude) that does not start near the spot.
    await t.deps.database.db.execute(sql`
      insert into reports (number, kind, course, state, state_type, source, citizen_id, lat, lng, location_source, address, grid_id, unit_id, description, attributes, clock_start_at, created_at, updated_at)
      select 'RNEAR' || g, kind, course, state, state_type, source, citizen_id, lat + g * 0.000005, lng, location_source, address, grid_id, unit_id, description, attributes, clock_start_at, created_at, updated_at
      from reports, generate_series(-300, 10) g where id = ${r.body.id} and g <> 0`)
    const near = await newClient(t).get(`/api/reports/nearby?kind=congestion&lat=${spot.lat}&lng=${spot.lng}`)
    const items: { id: string; number: string; distanceM: number }[] = near.body.items
    expect(items).toHaveLength(20)
    expect(items.map((x) => x.number)).toContain(r.body.number)
    // The 20 nearest lie within ten steps either side (5.5 m): rounded to 10 m, as the API shows distances.
    for (const x of items) expect(x.distanceM).toBe(10)
    const steps = items.filter((x) => x.number.startsWith('RNEAR')).map((x) => Math.abs(Number(x.number.slice(5))))
    expect(Math.max(...steps)).toBeLessThanOrEqual(10)
  })
})
