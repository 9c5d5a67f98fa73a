import { chinaDayEnd, chinaDayStart } from '@tp/shared/calendar'
import type { ReportStats } from '@tp/shared/reports/index'
import { and, eq, gte, inArray, lte, sql } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import { type Ctx, requireStaff } from '../../platform/context'
import { AppError } from '../../platform/errors'
import { listKinds } from './kinds.service'
import { reports } from './reports.tables'
import { selectReports, tsParam } from './reports.view'

export interface StatsFilter {
  from: string
  to: string
  kind?: string
  unitId?: string
}

const MAX_DAYS = 366

function range(f: StatsFilter) {
  const start = chinaDayStart(f.from)
  const end = chinaDayEnd(f.to)
  if (end < start) throw new AppError(400, 'validation_failed', '`to` is before `from`', [{ path: 'query.to', message: 'Before from' }])
  if ((end.getTime() - start.getTime()) / 86_400_000 > MAX_DAYS)
    throw new AppError(400, 'validation_failed', `At most ${MAX_DAYS} days`, [{ path: 'query.from', message: 'Range too long' }])
  return { start, end }
}

/** Reports in the staff member's scope (and the filter's unit and kind) whose `at` lies in the period. */
function scopeWhere(ctx: Ctx, f: StatsFilter, at: typeof reports.createdAt | typeof reports.resolvedAt = reports.createdAt) {
  const actor = requireStaff(ctx.actor)
  if (f.unitId && !actor.unitScope.includes(f.unitId)) throw new AppError(404, 'not_found', 'Unit not found')
  const { start, end } = range(f)
  return and(
    inArray(reports.unitId, [...actor.unitScope]),
    f.unitId ? sql`${reports.unitId} in (select id from units where ${f.unitId} = any(path))` : undefined,
    f.kind ? eq(reports.kind, f.kind) : undefined,
    gte(at, start),
    lte(at, end),
  )
}

/**
 * Hotspots: reports snapped to ~300 m cells (longitude scaled by the latitude) and counted per cell
 * in SQL, largest first, ties in cell order; labelled with the cell's most frequent road.
 */
const HOTSPOT_CELL_M = 300
const LAT_CELL = sql.raw(`floor(${reports.lat.name} / ${HOTSPOT_CELL_M / 110_540})`)
const LNG_CELL = sql.raw(`floor(${reports.lng.name} * cos(radians(${reports.lat.name})) * ${111_320 / HOTSPOT_CELL_M})`)

const CHINA_DAY = sql`to_char((${reports.createdAt} at time zone 'UTC') + interval '8 hours', 'YYYY-MM-DD')`
const minutes = (col: unknown) => sql`extract(epoch from (${col} - ${reports.createdAt})) / 60`

export async function reportStats(ctx: Ctx, f: StatsFilter): Promise<ReportStats> {
  const where = scopeWhere(ctx, f)
  const now = ctx.now()
  const db = ctx.db
  const [perDay, byState, [accept], [resolve], [counts], cells, roads, cleared, [sat]] = await Promise.all([
    db
      .select({ date: sql<string>`${CHINA_DAY}`, kind: reports.kind, n: sql<number>`count(*)::int` })
      .from(reports)
      .where(where)
      .groupBy(sql`1`, reports.kind)
      .orderBy(sql`1`),
    db.select({ state: reports.state, n: sql<number>`count(*)::int` }).from(reports).where(where).groupBy(reports.state),
    db
      .select({
        n: sql<number>`count(*)::int`,
        median: sql<number | null>`percentile_cont(0.5) within group (order by ${minutes(reports.acceptedAt)})`,
        p90: sql<number | null>`percentile_cont(0.9) within group (order by ${minutes(reports.acceptedAt)})`,
      })
      .from(reports)
      .where(and(where, sql`${reports.acceptedAt} is not null`)),
    db
      .select({
        n: sql<number>`count(*)::int`,
        median: sql<number | null>`percentile_cont(0.5) within group (order by ${minutes(reports.resolvedAt)})`,
        p90: sql<number | null>`percentile_cont(0.9) within group (order by ${minutes(reports.resolvedAt)})`,
      })
      .from(reports)
      .where(and(where, sql`${reports.resolvedAt} is not null`)),
    db
      .select({
        total: sql<number>`count(*)::int`,
        open: sql<number>`count(*) filter (where ${reports.stateType} = 'open')::int`,
        overdue: sql<number>`count(*) filter (where ${reports.stateType} = 'open' and ${reports.dueAt} < ${tsParam(now)})::int`,
        dueSoon: sql<number>`count(*) filter (where ${reports.stateType} = 'open' and ${reports.dueAt} >= ${tsParam(now)} and ${reports.dueAt} < ${tsParam(new Date(now.getTime() + 3_600_000))})::int`,
      })
      .from(reports)
      .where(where),
    db
      .select({
        lat: sql<number>`avg(${reports.lat})::float`,
        lng: sql<number>`avg(${reports.lng})::float`,
        count: sql<number>`count(*)::int`,
        road: sql<string | null>`mode() within group (order by ${reports.roadName})`,
      })
      .from(reports)
      .where(and(where, sql`${reports.state} <> 'merged'`))
      .groupBy(LAT_CELL, LNG_CELL)
      .orderBy(sql`count(*) desc`, LAT_CELL, LNG_CELL)
      .limit(10),
    db
      .select({ road: sql<string>`coalesce(${reports.roadName}, ${reports.address})`, n: sql<number>`count(*)::int` })
      .from(reports)
      // 拥堵点 by road: the figure units publish is about the seeded `congestion` kind (its code is
      // fixed: kinds can be renamed and reconfigured, not recoded), so it is counted for that kind.
      .where(and(where, eq(reports.kind, 'congestion'), sql`${reports.state} <> 'merged'`))
      .groupBy(sql`1`)
      .orderBy(sql`2 desc`)
      .limit(15),
    db
      .select({ month: sql<string>`to_char((${reports.resolvedAt} at time zone 'UTC') + interval '8 hours', 'YYYY-MM')`, n: sql<number>`count(*)::int` })
      .from(reports)
      // Counted by when the car was cleared, whenever it was reported.
      .where(and(scopeWhere(ctx, f, reports.resolvedAt), eq(reports.course, 'zombie'), inArray(reports.outcome, ['moved', 'returned', 'disposed'])))
      .groupBy(sql`1`)
      .orderBy(sql`1`),
    db
      .select({ n: sql<number>`count(*)::int`, avg: sql<number | null>`avg(${reports.rating})::float` })
      .from(reports)
      .where(and(where, sql`${reports.rating} is not null`)),
  ])
  const round = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(Number(x) * 10) / 10)
  const round6 = (x: number) => Math.round(x * 1e6) / 1e6
  const hotspots = cells.map((c) => ({
    lat: round6(c.lat),
    lng: round6(c.lng),
    count: c.count,
    label: c.road ?? `${c.lat.toFixed(4)}, ${c.lng.toFixed(4)}`,
  }))
  return {
    from: f.from,
    to: f.to,
    total: counts?.total ?? 0,
    open: counts?.open ?? 0,
    perDay,
    byState,
    timeToAccept: { n: accept?.n ?? 0, medianMin: round(accept?.median), p90Min: round(accept?.p90) },
    timeToResolve: { n: resolve?.n ?? 0, medianMin: round(resolve?.median), p90Min: round(resolve?.p90) },
    overdue: counts?.overdue ?? 0,
    dueSoon: counts?.dueSoon ?? 0,
    hotspots,
    congestionByRoad: roads,
    zombieClearedPerMonth: cleared,
    satisfaction: { n: sat?.n ?? 0, average: round(sat?.avg) },
  }
}

const COLUMNS = [
  ['number', '编号'],
  ['kind', '类型'],
  ['state', '状态'],
  ['createdAt', '上报时间'],
  ['address', '地点'],
  ['roadName', '道路'],
  ['gridName', '网格'],
  ['unitName', '单位'],
  ['officerName', '处置民警'],
  ['plate', '号牌'],
  ['dueAt', '应办结时间'],
  ['overdue', '超期'],
  ['acceptMin', '受理用时(分钟)'],
  ['resolveMin', '处置用时(分钟)'],
  ['meTooCount', '我也遇到'],
  ['rating', '评价'],
] as const

async function exportRows(ctx: Ctx, f: StatsFilter) {
  const where = scopeWhere(ctx, f)
  const kinds = await listKinds(ctx)
  const now = ctx.now()
  const rows = await selectReports(ctx.db).where(where).orderBy(reports.createdAt).limit(50_000)
  const mins = (a: Date | null, b: Date) => (a ? Math.round((a.getTime() - b.getTime()) / 6000) / 10 : '')
  const fmt = (d: Date | null) => (d ? new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ') : '')
  return rows.map((r) => ({
    number: r.number,
    kind: kinds.find((k) => k.code === r.kind)?.name['zh-CN'] ?? r.kind,
    state: r.state,
    createdAt: fmt(r.createdAt),
    address: r.address,
    roadName: r.roadName ?? '',
    gridName: r.gridName ?? '',
    unitName: r.unitName ?? '',
    officerName: r.officerName ?? '',
    plate: r.plate ?? '',
    dueAt: fmt(r.dueAt),
    overdue: r.stateType === 'open' && r.dueAt && r.dueAt < now ? '是' : '',
    acceptMin: mins(r.acceptedAt, r.createdAt),
    resolveMin: mins(r.resolvedAt, r.createdAt),
    meTooCount: r.meTooCount,
    rating: r.rating ?? '',
  }))
}

const csvCell = (v: unknown) => {
  const s = String(v ?? '')
  // Cells starting with = + - @ would run as formulas in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

export async function exportCsv(ctx: Ctx, f: StatsFilter): Promise<string> {
  const rows = await exportRows(ctx, f)
  await audit(ctx, { entityType: 'report', action: 'export.csv', after: { ...f, rows: rows.length } })
  const lines = [COLUMNS.map(([, h]) => h).join(','), ...rows.map((r) => COLUMNS.map(([k]) => csvCell(r[k])).join(','))]
  return `\uFEFF${lines.join('\r\n')}\r\n`
}

export async function exportXlsx(ctx: Ctx, f: StatsFilter): Promise<Uint8Array> {
  const [rows, stats] = await Promise.all([exportRows(ctx, f), reportStats(ctx, f)])
  await audit(ctx, { entityType: 'report', action: 'export.xlsx', after: { ...f, rows: rows.length } })
  const { default: ExcelJS } = await import('exceljs')
  const wb = new ExcelJS.Workbook()
  wb.created = ctx.now()
  const ws = wb.addWorksheet('上报明细')
  ws.columns = COLUMNS.map(([key, header]) => ({ key, header, width: key === 'address' ? 30 : 14 }))
  ws.getRow(1).font = { bold: true }
  ws.views = [{ state: 'frozen', ySplit: 1 }]
  for (const r of rows) ws.addRow(r)
  const s = wb.addWorksheet('统计')
  s.addRows([
    ['期间', `${f.from} — ${f.to}`],
    ['上报总数', stats.total],
    ['未办结', stats.open],
    ['超期', stats.overdue],
    ['受理用时中位数(分钟)', stats.timeToAccept.medianMin ?? ''],
    ['受理用时P90(分钟)', stats.timeToAccept.p90Min ?? ''],
    ['处置用时中位数(分钟)', stats.timeToResolve.medianMin ?? ''],
    ['处置用时P90(分钟)', stats.timeToResolve.p90Min ?? ''],
    ['满意度均分', stats.satisfaction.average ?? ''],
    [],
    ['拥堵点(道路)', '次数'],
    ...stats.congestionByRoad.map((r) => [r.road, r.n]),
    [],
    ['僵尸车清理(月)', '辆'],
    ...stats.zombieClearedPerMonth.map((r) => [r.month, r.n]),
  ])
  s.getColumn(1).width = 24
  return new Uint8Array(await wb.xlsx.writeBuffer())
}
