import { autoClose, scanOverdue } from '@tp/server/modules/reports/jobs'
import { reports } from '@tp/server/modules/reports/reports.tables'
import { systemCtx } from '@tp/server/platform/context'
import { auditLog, notifications } from '@tp/server/platform/platform.tables'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { type Client, citizen, staffUser } from '../support/client'
import { congestion } from './reports-support'

// A busy machine (other suites, builds) can slow every request: generous per-test time.
vi.setConfig({ testTimeout: 120_000 })

let t: TestApp
let me: Client
let dispatcher: Client
let admin: Client
beforeAll(async () => {
  t = await createTestApp({ seed: true })
  me = await citizen(t, '13600000501')
  dispatcher = await staffUser(t, 'dispatcher')
  admin = await staffUser(t, 'admin')
}, 240_000)
afterAll(() => t?.close())

const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
const daysAgo = (n: number) => new Date(Date.now() + 8 * 3_600_000 - n * 86_400_000).toISOString().slice(0, 10)

describe('the demo data', () => {
  it('has reports in every state of both courses, in six grids', async () => {
    const res = await dispatcher.get('/api/console/reports?limit=500')
    const states = new Set(res.body.items.map((r: { state: string }) => r.state))
    for (const s of [
      'submitted',
      'accepted',
      'dispatched',
      'on_scene',
      'resolved',
      'closed',
      'rejected',
      'withdrawn',
      'merged',
      'verified',
      'notice_posted',
      'towed',
      'public_notice',
      'disposed',
      'returned',
    ])
      expect(states, s).toContain(s)
    const grids = await dispatcher.get('/api/console/grids')
    expect(grids.body.items).toHaveLength(6)
    expect(grids.body.items[0]).toMatchObject({ code: 'JC-01', name: '滨江网格', officerName: '张路警', geometry: { type: 'Polygon' } })
    const places = await me.get('/api/reports/places?q=春熙')
    expect(places.body.items[0]).toMatchObject({ name: '春熙路', kind: 'road', gridName: '春熙网格' })
  })
})

describe('queue filters', () => {
  it('filters by kind, state, grid, overdue and text, newest first', async () => {
    const r = await me.post('/api/reports', congestion({ description: '队列过滤测试，拥堵严重' }))
    const byKind = await dispatcher.get('/api/console/reports?kind=hazard&limit=100')
    expect(byKind.body.items.every((x: { kind: string }) => x.kind === 'hazard')).toBe(true)
    const byState = await dispatcher.get('/api/console/reports?state=submitted,accepted&limit=100')
    expect(byState.body.items.every((x: { state: string }) => ['submitted', 'accepted'].includes(x.state))).toBe(true)
    expect(byState.body.items[0].id).toBe(r.body.id)
    const overdue = await dispatcher.get('/api/console/reports?overdue=true&limit=100')
    expect(overdue.body.items.length).toBeGreaterThan(0)
    expect(overdue.body.items.every((x: { overdue: boolean }) => x.overdue)).toBe(true)
    const grids = await dispatcher.get('/api/console/grids')
    const jc02 = grids.body.items.find((g: { code: string }) => g.code === 'JC-02')
    const byGrid = await dispatcher.get(`/api/console/reports?gridId=${jc02.id}&limit=100`)
    expect(byGrid.body.items.every((x: { gridName: string }) => x.gridName === '春熙网格')).toBe(true)
    const byNumber = await dispatcher.get(`/api/console/reports?q=${r.body.number}`)
    expect(byNumber.body.items.map((x: { id: string }) => x.id)).toEqual([r.body.id])
    const counts = await dispatcher.get('/api/console/reports/counts')
    expect(counts.body.open).toBeGreaterThan(5)
    expect(counts.body.overdue).toBeGreaterThan(0)
  })

  it('pages with a keyset cursor without repeats', async () => {
    const seen = new Set<string>()
    let cursor = ''
    for (let i = 0; i < 5; i++) {
      const page = await dispatcher.get(`/api/console/reports?limit=7${cursor ? `&cursor=${cursor}` : ''}`)
      for (const x of page.body.items) {
        expect(seen.has(x.id)).toBe(false)
        seen.add(x.id)
      }
      cursor = page.body.nextCursor
    }
    expect(seen.size).toBe(35)
    expect((await dispatcher.get('/api/console/reports?cursor=garbage')).status).toBe(400)
  })
})

describe('notes and bulk closing duplicates', () => {
  it('keeps notes internal and merges duplicates into one report', async () => {
    const a = await me.post('/api/reports', congestion())
    const other = await citizen(t, '13600000502')
    const b = await other.post('/api/reports', congestion())
    const c = await other.post('/api/reports', congestion({ description: '同一路口，再报一次拥堵' }))
    const noted = await dispatcher.post(`/api/console/reports/${a.body.id}/notes`, { text: '已通知交通信号中心调整配时' })
    expect(noted.body.notes[0]).toMatchObject({ text: '已通知交通信号中心调整配时', author: '陈调度' })
    const mine = await me.get(`/api/reports/${a.body.id}`)
    expect(JSON.stringify(mine.body)).not.toContain('交通信号中心')

    const merged = await dispatcher.post('/api/console/reports/merge', { intoId: a.body.id, ids: [b.body.id, c.body.id] })
    expect(merged.status).toBe(200)
    expect(merged.body.merged).toBe(2)
    const detail = await dispatcher.get(`/api/console/reports/${a.body.id}`)
    expect(detail.body.merged.map((m: { id: string }) => m.id).sort()).toEqual([b.body.id, c.body.id].sort())
    expect(detail.body.meTooCount).toBe(1)
    const theirs = await other.get(`/api/reports/${b.body.id}`)
    expect(theirs.body).toMatchObject({ state: 'merged', mergedInto: { id: a.body.id } })
    expect((await dispatcher.post('/api/console/reports/merge', { intoId: a.body.id, ids: [a.body.id] })).status).toBe(400)
  })
})

describe('grids', () => {
  const square = (lng: number, lat: number, d: number) => ({
    type: 'Polygon',
    coordinates: [
      [
        [lng, lat],
        [lng + d, lat],
        [lng + d, lat + d],
        [lng, lat + d],
        [lng, lat],
      ],
    ],
  })

  it('imports GeoJSON (admin), then routes reports in the new grid', async () => {
    const fc = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: {
            code: 'JC-90',
            name: '北郊网格',
            unitName: '城区二大队',
            officer: 'officer2',
            assistants: ['新路员'],
            roads: [{ name: '北郊大道', lat: 30.745, lng: 104.195 }],
          },
          geometry: square(104.19, 30.74, 0.02),
        },
      ],
    }
    expect((await dispatcher.post('/api/console/grids/import', fc)).status).toBe(403)
    const res = await admin.post('/api/console/grids/import', fc)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toEqual({ created: 1, updated: 0, deactivated: 0 })
    const r = await me.post('/api/reports', congestion({ lat: 30.75, lng: 104.2, address: '北郊大道' }))
    expect(r.body).toMatchObject({ gridName: '北郊网格', unitName: '城区二大队' })
    const again = await admin.post('/api/console/grids/import', fc)
    expect(again.body).toEqual({ created: 0, updated: 1, deactivated: 0 })
  })

  it('refuses malformed GeoJSON with the offending path', async () => {
    const bad = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { code: 'X1', name: '坏' },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [104, 30],
                [104.1, 30],
                [104.1, 30.1],
              ],
            ],
          },
        },
      ],
    }
    const res = await admin.post('/api/console/grids/import', bad)
    expect(res.status).toBe(400)
    expect(res.body.error.details[0].path).toMatch(/^body\.features\.0\.geometry/)
  })

  it('edits a grid with optimistic locking', async () => {
    const list = await admin.get('/api/console/grids')
    const g = list.body.items.find((x: { code: string }) => x.code === 'JC-03')
    const ok = await admin.patch(`/api/console/grids/${g.id}`, { version: g.version, assistants: ['吴路员', '新路员'] })
    expect(ok.status).toBe(200)
    const stale = await admin.patch(`/api/console/grids/${g.id}`, { version: g.version, name: '东湖片区' })
    expect(stale.status).toBe(409)
    const exported = await admin.get('/api/console/grids/export')
    expect(exported.body.features.find((f: { properties: { code: string } }) => f.properties.code === 'JC-03').properties.assistants).toEqual([
      '吴路员',
      '新路员',
    ])
  })
})

describe('kinds are configuration', () => {
  it('lists every kind to the console, inactive ones too, while citizens see the active ones', async () => {
    const all = await dispatcher.get('/api/console/report-kinds')
    expect(all.status).toBe(200)
    expect(all.body.items.map((k: { code: string }) => k.code)).toEqual(['congestion', 'zombie_car', 'hazard'])
    const hazard = all.body.items.find((k: { code: string }) => k.code === 'hazard')
    expect((await admin.put('/api/console/report-kinds/hazard', { ...hazard, active: false })).status).toBe(200)
    const console = await dispatcher.get('/api/console/report-kinds')
    expect(console.body.items.find((k: { code: string }) => k.code === 'hazard')).toMatchObject({ active: false, name: { 'zh-CN': '道路隐患' } })
    expect((await me.get('/api/reports/kinds')).body.items.map((k: { code: string }) => k.code)).toEqual(['congestion', 'zombie_car'])
    expect((await admin.put('/api/console/report-kinds/hazard', hazard)).status).toBe(200)
    expect((await me.get('/api/console/report-kinds')).status).toBe(403)
  })

  it('lets an admin change a response target, which the next report uses', async () => {
    const kinds = await me.get('/api/reports/kinds')
    const hazard = kinds.body.items.find((k: { code: string }) => k.code === 'hazard')
    const changed = { ...hazard, targets: [{ milestone: 'accepted', minutes: 3 }] }
    expect((await dispatcher.put('/api/console/report-kinds/hazard', changed)).status).toBe(403)
    expect((await admin.put('/api/console/report-kinds/hazard', changed)).status).toBe(200)
    const r = await me.post('/api/reports', congestion({ kind: 'hazard', attributes: { hazard_type: 'pothole' } }))
    expect(new Date(r.body.dueAt).getTime() - new Date(r.body.createdAt).getTime()).toBe(3 * 60_000)
    expect(
      (
        await admin.put('/api/console/report-kinds/hazard', {
          ...changed,
          course: 'zombie',
          zombie: { secondSightingHours: 24, noticeDays: 7, publicNoticeMonths: 3, mergeRadiusM: 300 },
        })
      ).status,
    ).toBe(409)
  })
})

describe('statistics and exports', () => {
  it('computes per-day counts, median and P90 times, hotspots and zombie cars cleared', async () => {
    const res = await dispatcher.get(`/api/console/reports/stats?from=${daysAgo(90)}&to=${today()}`)
    expect(res.status).toBe(200)
    const s = res.body
    expect(s.total).toBeGreaterThan(100)
    expect(s.perDay.length).toBeGreaterThan(30)
    expect(s.timeToAccept.medianMin).toBeGreaterThan(0)
    expect(s.timeToAccept.p90Min).toBeGreaterThanOrEqual(s.timeToAccept.medianMin)
    expect(s.timeToResolve.p90Min).toBeGreaterThanOrEqual(s.timeToResolve.medianMin)
    expect(s.hotspots[0].count).toBeGreaterThanOrEqual(s.hotspots[1].count)
    expect(s.congestionByRoad[0].road).toEqual(expect.any(String))
    expect(s.zombieClearedPerMonth.reduce((n: number, m: { n: number }) => n + m.n, 0)).toBeGreaterThan(3)
    expect(s.overdue).toBeGreaterThan(0)
    expect((await dispatcher.get(`/api/console/reports/stats?from=${today()}&to=${daysAgo(3)}`)).status).toBe(400)
  })

  it('exports CSV and XLSX for the unit head, audited, without reporters', async () => {
    const head = await staffUser(t, 'head')
    const csv = await head.get(`/api/console/reports/export.csv?from=${daysAgo(30)}&to=${today()}`)
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toContain('text/csv')
    const text = String(csv.body)
    expect(text.split('\r\n')[0]).toContain('编号,类型,状态')
    expect(text).not.toContain('13800138000')
    const xlsx = await t.app.request(`/api/console/reports/export.xlsx?from=${daysAgo(30)}&to=${today()}`, { headers: { cookie: head.cookie } })
    expect(xlsx.status).toBe(200)
    const bytes = new Uint8Array(await xlsx.arrayBuffer())
    expect([bytes[0], bytes[1]]).toEqual([0x50, 0x4b])
    const rows = await t.deps.database.db.select().from(auditLog).where(eq(auditLog.action, 'export.xlsx'))
    expect(rows.length).toBe(1)
    expect((await dispatcher.get(`/api/console/reports/export.csv?from=${daysAgo(3)}&to=${today()}`)).status).toBe(403)
  })
})

describe('jobs', () => {
  it('announces each overdue report once, and closes fixed reports after the waiting time', async () => {
    const ctx = systemCtx(t.deps)
    const first = await scanOverdue(ctx)
    expect(first).toBeGreaterThan(0)
    expect(await scanOverdue(ctx)).toBe(0)
    const officerId = (await dispatcher.get('/api/console/reports?overdue=true&limit=200')).body.items.find(
      (r: { officerName: string | null }) => r.officerName,
    )
    expect(officerId).toBeDefined()
    const n = await t.deps.database.db.select().from(notifications).where(eq(notifications.messageKey, 'reports.notify.staff_overdue'))
    expect(n.length).toBeGreaterThan(0)

    const fixedBefore = await t.deps.database.db
      .select()
      .from(reports)
      .where(and(eq(reports.stateType, 'fixed')))
    expect(fixedBefore.length).toBeGreaterThan(0)
    const closed = await autoClose({ ...ctx, now: () => new Date(Date.now() + 4 * 86_400_000) })
    expect(closed).toBe(fixedBefore.length)
    expect(await autoClose({ ...ctx, now: () => new Date(Date.now() + 4 * 86_400_000) })).toBe(0)
  })
})
