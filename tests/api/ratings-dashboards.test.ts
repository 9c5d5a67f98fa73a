import { createRequire } from 'node:module'
import { queueTickets, serviceWindows } from '@tp/server/modules/bookings/bookings.tables'
import { ratingFollowUps, ratings } from '@tp/server/modules/ratings/ratings.tables'
import { auditLog } from '@tp/server/platform/platform.tables'
import { chinaTime } from '@tp/shared/calendar'
import { LEVEL_SCORE, type RatingLevel } from '@tp/shared/ratings/levels'
import { and, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../support/app'
import { type Client, citizen, staffUser } from '../support/client'
import { expectKeysetWalk } from '../support/keyset'
import { cn, type Hall, hallOf, ok, ratingsApp } from './ratings-support'

// exceljs is the server's dependency: read the exports with it.
const ExcelJS = createRequire(new URL('../../server/package.json', import.meta.url))('exceljs') as typeof import('exceljs')

const NOW = cn('2026-03-16', '10:00') // Monday
let t: TestApp
let refs: Awaited<ReturnType<typeof ratingsApp>>['refs']
let hall: Hall
let head: Client
let admin: Client
const db = () => t.deps.database.db

type W = { id: string; number: number }
let A: W
let B: W
let C: W

/** Served tickets and their ratings, straight into the store: the arithmetic is what is under test here. */
async function rate(w: W, staffId: string, date: string, levels: RatingLevel[]) {
  for (const [i, level] of levels.entries()) {
    const issuedAt = chinaTime(date, '09:00')
    const [tk] = await db()
      .insert(queueTickets)
      .values({
        officeId: hall.office.id,
        date,
        serviceId: hall.ids.licence as string,
        number: `C${String(100 + i)}`,
        seq: 100 + i,
        kind: 'walk_in',
        state: 'done',
        windowId: w.id,
        issuedAt,
        calledAt: issuedAt,
        completedAt: issuedAt,
        servedBy: staffId,
      })
      .returning()
    await db()
      .insert(ratings)
      .values({
        ticketId: tk?.id as string,
        officeId: hall.office.id,
        unitId: refs.vehicleOffice,
        windowId: w.id,
        staffId,
        serviceId: hall.ids.licence as string,
        channel: 'app',
        level,
        score: LEVEL_SCORE[level],
        bad: level === 'dissatisfied' || level === 'very_dissatisfied',
        completedAt: issuedAt,
        ratedAt: issuedAt,
        month: date.slice(0, 7),
      })
  }
}

beforeAll(async () => {
  ;({ t, refs } = await ratingsApp(NOW))
  hall = await hallOf(t, refs.vehicleOffice, 3, '统计测试大厅')
  ;[A, B, C] = [...hall.windows].sort((x, y) => x.number - y.number) as [W, W, W]
  head = await staffUser(t, 'head')
  admin = await staffUser(t, 'admin')
  // February: A 4 good of 5 (80 %), B 5 good of 6 (83.3 %), C 4 of 4 (100 %) but below the minimum sample.
  await rate(A, refs.staff.window, '2026-02-10', ['very_satisfied', 'very_satisfied', 'satisfied', 'satisfied', 'basic'])
  await rate(B, refs.staff.window, '2026-02-11', ['very_satisfied', 'satisfied', 'satisfied', 'satisfied', 'very_satisfied', 'very_dissatisfied'])
  await rate(C, refs.staff.window2, '2026-02-12', ['very_satisfied', 'very_satisfied', 'very_satisfied', 'satisfied'])
  const config = await ok(admin.get('/api/console/ratings/config'))
  await ok(admin.put('/api/console/ratings/config', { ...config, minSample: 5 }))
})
afterAll(() => t.close())

const q = (p: Record<string, string>) => new URLSearchParams({ officeId: hall.office.id, ...p }).toString()

describe('satisfaction rate = (非常满意 + 满意) / all', () => {
  it('per window, staff member, office and month', async () => {
    const byWindow = await ok(head.get(`/api/console/ratings/dashboard/satisfaction?${q({ by: 'window', from: '2026-02', to: '2026-02' })}`))
    expect(byWindow.rows.map((r: any) => [r.label, r.total, r.good, r.bad, r.rate])).toEqual([
      ['统计测试大厅 3号窗口', 4, 4, 0, 1],
      ['统计测试大厅 2号窗口', 6, 5, 1, 5 / 6],
      ['统计测试大厅 1号窗口', 5, 4, 0, 0.8],
    ])
    expect(byWindow.rows[2].counts).toEqual({ very_satisfied: 2, satisfied: 2, basic: 1, dissatisfied: 0, very_dissatisfied: 0 })
    expect(byWindow.total).toMatchObject({ total: 15, good: 13, bad: 1, rate: 13 / 15 })

    const byStaff = await ok(head.get(`/api/console/ratings/dashboard/satisfaction?${q({ by: 'staff', from: '2026-02', to: '2026-02' })}`))
    expect(byStaff.rows.map((r: any) => [r.label, r.total, r.rate])).toEqual([
      ['周窗口', 4, 1],
      ['李窗口', 11, 9 / 11],
    ])
    const byOffice = await ok(head.get(`/api/console/ratings/dashboard/satisfaction?${q({ by: 'office', from: '2026-02', to: '2026-02' })}`))
    expect(byOffice.rows).toHaveLength(1)
    expect(byOffice.rows[0]).toMatchObject({ label: '统计测试大厅', total: 15, rate: 13 / 15 })
    const byMonth = await ok(head.get(`/api/console/ratings/dashboard/satisfaction?${q({ by: 'month', from: '2026-01', to: '2026-03' })}`))
    expect(byMonth.rows.map((r: any) => [r.key, r.total, r.rate])).toEqual([
      ['2026-01', 0, null],
      ['2026-02', 15, 13 / 15],
      ['2026-03', 0, null],
    ])
  })
})

describe('monthly model-window ranking (示范窗口) with a minimum sample', () => {
  it('ranks only windows with at least the minimum number of ratings', async () => {
    const r = await ok(head.get(`/api/console/ratings/dashboard/ranking?${q({ month: '2026-02' })}`))
    expect(r.minSample).toBe(5)
    expect(r.rows.map((x: any) => [x.windowNumber, x.rank, x.eligible, x.total])).toEqual([
      [2, 1, true, 6],
      [1, 2, true, 5],
      [3, null, false, 4],
    ])
    await ok(admin.put('/api/console/ratings/config', { ...(await ok(admin.get('/api/console/ratings/config'))), minSample: 4 }))
    const r4 = await ok(head.get(`/api/console/ratings/dashboard/ranking?${q({ month: '2026-02' })}`))
    expect(r4.rows.map((x: any) => [x.windowNumber, x.rank])).toEqual([
      [3, 1],
      [2, 2],
      [1, 3],
    ])
    await ok(admin.put('/api/console/ratings/config', { ...(await ok(admin.get('/api/console/ratings/config'))), minSample: 5 }))
  })

  it('leaves a rating voided by an upheld contest out of rates and ranking; equal rate and count share a rank', async () => {
    // Void one of window 2's good ratings: 4 good of 5 = 80 %, the same as window 1.
    const [one] = await db()
      .select({ id: ratings.id })
      .from(ratings)
      .where(and(eq(ratings.windowId, B.id), eq(ratings.level, 'satisfied')))
      .limit(1)
    await db()
      .update(ratings)
      .set({ excluded: true })
      .where(eq(ratings.id, one?.id as string))
    const r = await ok(head.get(`/api/console/ratings/dashboard/ranking?${q({ month: '2026-02' })}`))
    expect(r.rows.map((x: any) => [x.windowNumber, x.rank, x.total, x.rate])).toEqual([
      [1, 1, 5, 0.8],
      [2, 1, 5, 0.8],
      [3, null, 4, 1],
    ])
    const s = await ok(head.get(`/api/console/ratings/dashboard/satisfaction?${q({ by: 'office', from: '2026-02', to: '2026-02' })}`))
    expect(s.rows[0]).toMatchObject({ total: 14, good: 12 })
    await db()
      .update(ratings)
      .set({ excluded: false })
      .where(eq(ratings.id, one?.id as string))
  })
})

describe('queue statistics from the hall tickets', () => {
  it('average wait, service time, no-show rate and utilisation', async () => {
    const day = '2026-03-02' // Monday, 08:00–17:00: 540 minutes × 3 windows
    const base = chinaTime(day, '09:00').getTime()
    const at = (m: number) => new Date(base + m * 60_000)
    const tickets = [
      { wait: 10, service: 10, state: 'done' as const },
      { wait: 20, service: 15, state: 'done' as const },
      { wait: 30, service: 20, state: 'done' as const },
      { wait: 40, service: 0, state: 'no_show' as const },
    ]
    for (const [i, x] of tickets.entries()) {
      await db()
        .insert(queueTickets)
        .values({
          officeId: hall.office.id,
          date: day,
          serviceId: hall.ids.licence as string,
          number: `Q${100 + i}`,
          seq: 100 + i,
          kind: 'walk_in',
          state: x.state,
          windowId: A.id,
          issuedAt: at(0),
          calledAt: at(x.wait),
          servingAt: x.state === 'done' ? at(x.wait) : null,
          completedAt: x.state === 'done' ? at(x.wait + x.service) : null,
        })
    }
    const r = await ok(head.get(`/api/console/ratings/dashboard/queue?${q({ from: day, to: day })}`))
    expect(r.rows).toHaveLength(1)
    expect(r.rows[0]).toMatchObject({
      issued: 4,
      served: 3,
      noShow: 1,
      averageWaitMinutes: 25,
      averageServiceMinutes: 15,
      noShowRate: 0.25,
      utilisation: Math.round((45 / (540 * 3)) * 1000) / 1000,
      days: 1,
    })
  })
})

describe('access by unit scope and role', () => {
  it('gives a brigade head only the ratings and follow-ups of the stations below the brigade', async () => {
    const head1 = await staffUser(t, 'head1')
    const offices = await ok(head1.get('/api/console/ratings/dashboard/satisfaction?by=office'))
    expect(offices.rows.map((r: any) => r.label)).toEqual(['滨江警务站'])
    const all = await ok(head.get('/api/console/ratings/dashboard/satisfaction?by=office'))
    expect(all.rows.map((r: any) => r.label)).toEqual(expect.arrayContaining(['市车辆管理所', '滨江警务站', '高新警务站']))
    expect((await head1.get(`/api/console/ratings/dashboard/satisfaction?${q({ by: 'window' })}`)).status).toBe(404)
    const list = await ok(head1.get('/api/console/ratings/followups?view=all&pageSize=100'))
    expect(list.total).toBeGreaterThan(0)
    expect(list.items.every((x: any) => x.officeName === '滨江警务站')).toBe(true)
    const [outside] = await db()
      .select({ id: ratingFollowUps.id })
      .from(ratingFollowUps)
      .innerJoin(serviceWindows, eq(serviceWindows.id, ratingFollowUps.windowId))
      .where(eq(ratingFollowUps.unitId, refs.vehicleOffice))
      .limit(1)
    expect((await head1.get(`/api/console/ratings/followups/${outside?.id}`)).status).toBe(404)
    expect((await head1.post(`/api/console/ratings/followups/${outside?.id}/verify`, { version: 0, note: '核实' })).status).toBe(404)
    expect((await ok(head.get(`/api/console/ratings/followups/${outside?.id}`))).id).toBe(outside?.id)
  })

  it('keeps window staff to their own cases and out of the dashboards; other roles out entirely', async () => {
    const window = await staffUser(t, 'window')
    const mine = await ok(window.get('/api/console/ratings/followups?view=all&pageSize=100'))
    expect(mine.total).toBeGreaterThan(0)
    expect(mine.items.every((x: any) => x.staffName === '李窗口')).toBe(true)
    const myRatings = await ok(window.get('/api/console/ratings?pageSize=100'))
    expect(myRatings.items.every((x: any) => x.staffName === '李窗口')).toBe(true)
    expect((await window.get('/api/console/ratings/dashboard/satisfaction')).status).toBe(403)
    expect((await window.get('/api/console/ratings/export.xlsx?kind=ratings')).status).toBe(403)
    expect(await ok(window.get('/api/console/ratings/me'))).toMatchObject({ month: '2026-03' })
    for (const who of ['legal', 'dispatcher']) {
      const s = await staffUser(t, who)
      expect((await s.get('/api/console/ratings/followups')).status).toBe(403)
      expect((await s.get('/api/console/ratings/dashboard/ranking')).status).toBe(403)
    }
    const zhang = await citizen(t, '13800138000')
    expect((await zhang.get('/api/console/ratings/followups')).status).toBe(403)
  })
})

describe('XLSX export', () => {
  it('exports the dashboards and lists, masked, and audits every export', async () => {
    const res = await t.app.request(`/api/console/ratings/export.xlsx?${q({ kind: 'satisfaction', by: 'window', from: '2026-02', to: '2026-02' })}`, {
      headers: { cookie: head.cookie },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('spreadsheetml')
    expect(res.headers.get('content-disposition')).toContain('satisfaction-window-2026-02-2026-02.xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(await res.arrayBuffer())
    const ws = wb.worksheets[0]
    expect(ws?.name).toBe('满意度（按窗口）')
    expect(ws?.getRow(1).values).toEqual([undefined, '窗口', '非常满意', '满意', '基本满意', '不满意', '非常不满意', '评价总数', '满意率'])
    expect(ws?.getRow(2).values).toEqual([undefined, '统计测试大厅 3号窗口', 3, 1, 0, 0, 0, 4, '100%'])
    expect(ws?.getRow(5).values).toEqual([undefined, '合计', 7, 6, 1, 0, 1, 15, '86.7%'])
    for (const kind of ['ratings', 'followups', 'ranking', 'queue']) {
      const x = await t.app.request(`/api/console/ratings/export.xlsx?kind=${kind}`, { headers: { cookie: head.cookie } })
      expect(x.status).toBe(200)
    }
    const followups = await t.app.request('/api/console/ratings/export.xlsx?kind=followups', { headers: { cookie: head.cookie } })
    const fw = new ExcelJS.Workbook()
    await fw.xlsx.load(await followups.arrayBuffer())
    const phones = (fw.worksheets[0]?.getColumn(12).values ?? []).slice(2).filter(Boolean) as string[]
    expect(phones.length).toBeGreaterThan(0)
    expect(phones.every((p) => /^\d{3}\*{4}\d{4}$/.test(p))).toBe(true)
    const audits = await db()
      .select({ after: auditLog.after })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'export.xlsx'), eq(auditLog.entityType, 'ratings')))
    expect(audits.map((a) => (a.after as { kind: string }).kind).sort()).toEqual(['followups', 'followups', 'queue', 'ranking', 'ratings', 'satisfaction'])
  })
})

describe('keyset paging of the console lists', () => {
  it('pages ratings newest first both ways, ties and microseconds included, as one long page', async () => {
    // The two newest ratings a microsecond apart: the cursor keeps the database's exact time.
    const feb = await db().select({ id: ratings.id }).from(ratings).where(eq(ratings.month, '2026-02')).limit(2)
    for (const [i, r] of feb.entries())
      await db()
        .update(ratings)
        .set({ ratedAt: sql`${`2026-02-28 23:59:59.12345${6 + i}+08`}::timestamptz` })
        .where(eq(ratings.id, r.id))
    const path = '/api/console/ratings?from=2026-02&to=2026-02'
    await expectKeysetWalk(head, path, 4)
    const rows = (await ok(head.get(`${path}&pageSize=200`))).items as { id: string; ratedAt: string }[]
    expect(rows.map((r) => r.ratedAt)).toEqual(
      rows
        .map((r) => r.ratedAt)
        .sort()
        .reverse(),
    )
    const top = await ok(head.get(`${path}&pageSize=1`))
    expect(top.items.map((r: { id: string }) => r.id)).toEqual([feb[1]?.id])
    const next = await ok(head.get(`${path}&pageSize=1&cursor=${top.nextCursor}`))
    expect(next.items.map((r: { id: string }) => r.id)).toEqual([feb[0]?.id])
    const back = await ok(head.get(`${path}&pageSize=1&cursor=${next.prevCursor}`))
    expect(back.items.map((r: { id: string }) => r.id)).toEqual([feb[1]?.id])
  })

  it('pages follow-ups both ways in every sort; a cursor is bound to its sort', async () => {
    const sorts = [
      '',
      '&sort=dueAt&order=asc',
      '&sort=dueAt&order=desc',
      '&sort=openedAt&order=asc',
      '&sort=openedAt&order=desc',
      '&sort=number&order=asc',
      '&sort=number&order=desc',
    ]
    for (const sort of sorts) await expectKeysetWalk(head, `/api/console/ratings/followups?view=all${sort}`, 2)
    const first = await ok(head.get('/api/console/ratings/followups?view=all&sort=number&order=asc&pageSize=2'))
    const other = await head.get(`/api/console/ratings/followups?view=all&sort=number&order=desc&pageSize=2&cursor=${first.nextCursor}`)
    expect(other.status).toBe(400)
    expect(other.body.error.details[0].path).toBe('query.cursor')
    const forged = Buffer.from(JSON.stringify({ sort: '-ratedAt', keys: ['yesterday', '00000000-0000-4000-8000-000000000000'], dir: 'next' })).toString(
      'base64url',
    )
    for (const cursor of [forged, 'not-a-cursor']) expect((await head.get(`/api/console/ratings?cursor=${cursor}`)).status).toBe(400)
  })
})

describe('demo data', () => {
  it('holds months of ratings across the demo offices and follow-ups in every state', async () => {
    const states = await db().select({ state: ratingFollowUps.state, n: sql<number>`count(*)::int` }).from(ratingFollowUps).groupBy(ratingFollowUps.state)
    expect(states.map((s) => s.state).sort()).toEqual(['called_back', 'closed', 'contested', 'opened', 'rectified', 'verified', 'voided'])
    // The rollup every dashboard reads matches the ratings themselves (voided ones left out).
    const [check] = await db()
      .execute(
        sql`select (select count(*)::int from ratings where not excluded) as ratings,
                 (select coalesce(sum(very_satisfied + satisfied + basic + dissatisfied + very_dissatisfied), 0)::int from rating_rollups) as rolled`,
      )
      .then((r: any) => (Array.isArray(r) ? r : r.rows))
    expect(check.rolled).toBe(check.ratings)
    const months = await db().selectDistinct({ m: ratings.month }).from(ratings)
    expect(months.length).toBeGreaterThanOrEqual(4)
    const counts = await ok(head.get('/api/console/ratings/followups/counts'))
    expect(counts.overdue).toBeGreaterThanOrEqual(1)
    const ranking = await ok(head.get('/api/console/ratings/dashboard/ranking?month=2026-02'))
    expect(ranking.rows.some((r: any) => r.rank === 1)).toBe(true)
    expect(ranking.rows.some((r: any) => !r.eligible)).toBe(true)
    // 张三 follows his own cases in the app, with the outcome of the closed one.
    const zhang = await citizen(t, '13800138000')
    const cases = (await ok(zhang.get('/api/me/cases'))).items.filter((c: any) => c.kind === 'rating')
    expect(cases.map((c: any) => c.state)).toEqual(expect.arrayContaining(['called_back', 'closed']))
    const closed = cases.find((c: any) => c.state === 'closed')
    const page = await ok(zhang.get(`/api/ratings/tickets/${closed.id}`))
    expect(page.followUp.outcome).toBeTruthy()
  })
})
