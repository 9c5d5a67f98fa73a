import { addCalendarDays, toChinaDate, weekday } from '@tp/shared/calendar'
import type { MyRatingStats, QueueStatsReport, Ranking, SatisfactionQuery, SatisfactionReport, SatisfactionRow } from '@tp/shared/ratings/schemas'
import {
  addCounts,
  badOf,
  emptyCounts,
  goodOf,
  type LevelCounts,
  monthsBetween,
  noShowRate,
  rankWindows,
  satisfactionRate,
  totalOf,
  utilisation,
} from '@tp/shared/ratings/stats'
import { and, asc, eq, gte, inArray, lte, type SQL, sql } from 'drizzle-orm'
import { inUnitScope } from '../../platform/access'
import { type Ctx, requireStaff } from '../../platform/context'
import { notFound } from '../../platform/errors'
import { offices, queueTickets, serviceWindows } from '../bookings/bookings.tables'
import { staff } from '../identity/identity.tables'
import { chinaMonth, inScope, loadRatingConfig } from './common'
import { ratingFollowUps, ratingRollups } from './ratings.tables'

const n = (col: SQL) => sql<number>`${col}`.mapWith(Number)
const R = ratingRollups
/** Level counts summed from the monthly rollup (kept by a trigger; voided ratings excluded). */
const COUNT_COLUMNS = {
  very_satisfied: n(sql`coalesce(sum(${R.verySatisfied}), 0)`),
  satisfied: n(sql`coalesce(sum(${R.satisfied}), 0)`),
  basic: n(sql`coalesce(sum(${R.basic}), 0)`),
  dissatisfied: n(sql`coalesce(sum(${R.dissatisfied}), 0)`),
  very_dissatisfied: n(sql`coalesce(sum(${R.veryDissatisfied}), 0)`),
}
const countsOf = (r: LevelCounts): LevelCounts => ({
  very_satisfied: r.very_satisfied,
  satisfied: r.satisfied,
  basic: r.basic,
  dissatisfied: r.dissatisfied,
  very_dissatisfied: r.very_dissatisfied,
})

function row(key: string, label: string, officeName: string | null, c: LevelCounts): SatisfactionRow {
  return { key, label, officeName, counts: c, total: totalOf(c), good: goodOf(c), bad: badOf(c), rate: satisfactionRate(c) }
}

/** Months of the range: default the last six months up to the current one. */
export function monthRange(now: Date, from?: string, to?: string): { from: string; to: string } {
  const end = to ?? chinaMonth(now)
  if (from) return { from, to: end }
  const [y, m] = end.split('-').map(Number) as [number, number]
  const start = new Date(Date.UTC(y, m - 1 - 5, 1))
  return { from: `${start.getUTCFullYear()}-${String(start.getUTCMonth() + 1).padStart(2, '0')}`, to: end }
}

async function assertOfficeInScope(ctx: Ctx, officeId: string | undefined) {
  if (!officeId) return
  const [o] = await ctx.db.select({ unitId: offices.unitId }).from(offices).where(eq(offices.id, officeId))
  if (!o || !inUnitScope(ctx.actor, o.unitId)) throw notFound('Office')
}

/**
 * Satisfaction rate (非常满意 + 满意 over all) per staff member, window, office or month, over a
 * range of months, in the actor's unit scope. Ratings voided by an upheld contest do not count.
 */
export async function satisfaction(ctx: Ctx, q: SatisfactionQuery): Promise<SatisfactionReport> {
  requireStaff(ctx.actor)
  await assertOfficeInScope(ctx, q.officeId)
  const range = monthRange(ctx.now(), q.from, q.to)
  const where = and(inScope(ctx, R.unitId), gte(R.month, range.from), lte(R.month, range.to), q.officeId ? eq(R.officeId, q.officeId) : undefined)
  let rows: SatisfactionRow[]
  if (q.by === 'month') {
    const data = await ctx.db
      .select({ key: R.month, ...COUNT_COLUMNS })
      .from(R)
      .where(where)
      .groupBy(R.month)
    rows = monthsBetween(range.from, range.to).map((m) => {
      const d = data.find((x) => x.key === m)
      return row(m, m, null, d ? countsOf(d) : emptyCounts())
    })
  } else if (q.by === 'office') {
    const data = await ctx.db
      .select({ key: R.officeId, label: offices.name, ...COUNT_COLUMNS })
      .from(R)
      .innerJoin(offices, eq(offices.id, R.officeId))
      .where(where)
      .groupBy(R.officeId, offices.name)
    rows = data.map((d) => row(d.key, d.label, d.label, countsOf(d)))
  } else if (q.by === 'window') {
    const data = await ctx.db
      .select({ key: R.windowId, number: serviceWindows.number, officeName: offices.name, ...COUNT_COLUMNS })
      .from(R)
      .innerJoin(serviceWindows, eq(serviceWindows.id, R.windowId))
      .innerJoin(offices, eq(offices.id, R.officeId))
      .where(where)
      .groupBy(R.windowId, serviceWindows.number, offices.name)
    rows = data.map((d) => row(d.key as string, `${d.officeName} ${d.number}号窗口`, d.officeName, countsOf(d)))
  } else {
    const data = await ctx.db
      .select({ key: R.staffId, label: staff.name, ...COUNT_COLUMNS })
      .from(R)
      .innerJoin(staff, eq(staff.id, R.staffId))
      .where(where)
      .groupBy(R.staffId, staff.name)
    rows = data.map((d) => row(d.key as string, d.label, null, countsOf(d)))
  }
  if (q.by !== 'month') rows.sort((a, b) => (b.rate ?? -1) - (a.rate ?? -1) || b.total - a.total || a.label.localeCompare(b.label, 'zh-CN'))
  const total = rows.reduce((acc, r) => addCounts(acc, r.counts), emptyCounts())
  return { by: q.by, from: range.from, to: range.to, rows, total: row('total', '合计', null, total) }
}

/**
 * The monthly 示范窗口 ranking: every active window in scope with its ratings of the month;
 * ranked only with at least `minSample` ratings (configuration).
 */
export async function ranking(ctx: Ctx, q: { month?: string; officeId?: string }): Promise<Ranking> {
  requireStaff(ctx.actor)
  await assertOfficeInScope(ctx, q.officeId)
  const month = q.month ?? chinaMonth(ctx.now())
  const config = await loadRatingConfig(ctx.db)
  const windows = await ctx.db
    .select({ id: serviceWindows.id, number: serviceWindows.number, officeName: offices.name })
    .from(serviceWindows)
    .innerJoin(offices, eq(offices.id, serviceWindows.officeId))
    .where(and(inScope(ctx, offices.unitId), eq(serviceWindows.active, true), q.officeId ? eq(offices.id, q.officeId) : undefined))
    .orderBy(asc(offices.name), asc(serviceWindows.number))
  const ids = windows.map((w) => w.id)
  const data = ids.length
    ? await ctx.db
        .select({ windowId: R.windowId, ...COUNT_COLUMNS })
        .from(R)
        .where(and(inArray(R.windowId, ids), eq(R.month, month)))
        .groupBy(R.windowId)
    : []
  const ranked = rankWindows(
    windows.map((w) => {
      const d = data.find((x) => x.windowId === w.id)
      return { id: w.id, label: `${w.officeName} ${w.number}号窗口`, counts: d ? countsOf(d) : emptyCounts() }
    }),
    config.minSample,
  )
  return {
    month,
    minSample: config.minSample,
    rows: ranked.map((r) => {
      const w = windows.find((x) => x.id === r.id) as (typeof windows)[number]
      return {
        windowId: r.id,
        label: r.label,
        officeName: w.officeName,
        windowNumber: w.number,
        counts: r.counts,
        total: r.total,
        good: r.good,
        rate: r.rate,
        rank: r.rank,
        eligible: r.eligible,
      }
    }),
  }
}

const minutes = (v: string | number | null | undefined) => (v == null ? null : Math.round(Number(v) * 10) / 10)

/** Opening minutes of an office on a date, from its weekly hours (index 0 = Sunday). */
function openingMinutes(hours: { from: string; to: string }[][], date: string): number {
  const toMin = (t: string) => {
    const [h, m] = t.split(':').map(Number) as [number, number]
    return h * 60 + m
  }
  return (hours[weekday(date)] ?? []).reduce((s, p) => s + Math.max(0, toMin(p.to) - toMin(p.from)), 0)
}

/**
 * Queue figures from the hall's tickets over a date range: average wait (issued → called),
 * average service time, no-show rate (no-shows over numbers that reached a window) and
 * utilisation (serving minutes over the opening minutes of the office's active windows on the
 * days it served anyone).
 */
export async function queueStatistics(ctx: Ctx, q: { from?: string; to?: string; officeId?: string }): Promise<QueueStatsReport> {
  requireStaff(ctx.actor)
  await assertOfficeInScope(ctx, q.officeId)
  const today = toChinaDate(ctx.now())
  const to = q.to ?? today
  const from = q.from ?? addCalendarDays(to, -29)
  const officeRows = await ctx.db
    .select({ id: offices.id, name: offices.name, hours: offices.hours })
    .from(offices)
    .where(and(inScope(ctx, offices.unitId), q.officeId ? eq(offices.id, q.officeId) : undefined))
    .orderBy(asc(offices.name))
  const ids = officeRows.map((o) => o.id)
  if (ids.length === 0) return { from, to, rows: [] }
  const range = and(inArray(queueTickets.officeId, ids), gte(queueTickets.date, from), lte(queueTickets.date, to))
  const serviceSpan = sql`extract(epoch from (${queueTickets.completedAt} - coalesce(${queueTickets.servingAt}, ${queueTickets.calledAt}))) / 60`
  const waitSpan = sql`extract(epoch from (${queueTickets.calledAt} - ${queueTickets.issuedAt})) / 60`
  const waited = sql`${queueTickets.calledAt} is not null and ${queueTickets.transferredFromId} is null`
  const done = sql`${queueTickets.state} = 'done'`
  // One scan, per office and day (the opening minutes of each day count for utilisation).
  const perDay = await ctx.db
    .select({
      officeId: queueTickets.officeId,
      date: queueTickets.date,
      issued: n(sql`count(*) filter (where ${queueTickets.transferredFromId} is null)`),
      served: n(sql`count(*) filter (where ${done})`),
      noShow: n(sql`count(*) filter (where ${queueTickets.state} = 'no_show')`),
      waitSum: n(sql`coalesce(sum(${waitSpan}) filter (where ${waited}), 0)`),
      waitN: n(sql`count(*) filter (where ${waited})`),
      serviceSum: n(sql`coalesce(sum(${serviceSpan}) filter (where ${done}), 0)`),
    })
    .from(queueTickets)
    .where(range)
    .groupBy(queueTickets.officeId, queueTickets.date)
  const windowCounts = await ctx.db
    .select({ officeId: serviceWindows.officeId, n: n(sql`count(*)`) })
    .from(serviceWindows)
    .where(and(inArray(serviceWindows.officeId, ids), eq(serviceWindows.active, true)))
    .groupBy(serviceWindows.officeId)
  return {
    from,
    to,
    rows: officeRows.map((o) => {
      const days = perDay.filter((x) => x.officeId === o.id)
      const total = (k: 'issued' | 'served' | 'noShow' | 'waitSum' | 'waitN' | 'serviceSum') => days.reduce((s, d) => s + d[k], 0)
      const servedDays = days.filter((d) => d.served > 0)
      const nWindows = windowCounts.find((w) => w.officeId === o.id)?.n ?? 0
      const available = servedDays.reduce((s, d) => s + openingMinutes(o.hours, d.date), 0) * nWindows
      const served = total('served')
      const util = utilisation(total('serviceSum'), available)
      const rate = noShowRate(total('noShow'), served)
      return {
        officeId: o.id,
        officeName: o.name,
        issued: total('issued'),
        served,
        noShow: total('noShow'),
        averageWaitMinutes: total('waitN') ? minutes(total('waitSum') / total('waitN')) : null,
        averageServiceMinutes: served ? minutes(total('serviceSum') / served) : null,
        noShowRate: rate === null ? null : Math.round(rate * 1000) / 1000,
        utilisation: util === null ? null : Math.round(util * 1000) / 1000,
        days: servedDays.length,
      }
    }),
  }
}

/** A window clerk's own month: their ratings and open follow-ups about them. */
export async function myStats(ctx: Ctx): Promise<MyRatingStats> {
  const actor = requireStaff(ctx.actor)
  const month = chinaMonth(ctx.now())
  const [d] = await ctx.db
    .select(COUNT_COLUMNS)
    .from(R)
    .where(and(eq(R.staffId, actor.id), eq(R.month, month)))
  const c = d ? countsOf(d) : emptyCounts()
  const [open] = await ctx.db
    .select({ n: n(sql`count(*)`) })
    .from(ratingFollowUps)
    .where(and(eq(ratingFollowUps.staffId, actor.id), sql`${ratingFollowUps.state} in ('opened', 'verified', 'contested', 'called_back', 'rectified')`))
  return { month, counts: c, total: totalOf(c), rate: satisfactionRate(c), openFollowUps: open?.n ?? 0 }
}
