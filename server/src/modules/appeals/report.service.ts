import { AGE_BUCKETS, ageBucket } from '@tp/shared/appeals/config'
import type { BacklogReport } from '@tp/shared/appeals/schemas'
import { chinaDayStart } from '@tp/shared/calendar'
import { and, eq, gte, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import { type Ctx, requireStaff } from '../../platform/context'
import { notFound } from '../../platform/errors'
import { staff, units } from '../identity/identity.tables'
import { appeals } from './appeals.tables'
import { labelOf, optionList } from './options.service'

export interface ReportQuery {
  period: 'month' | 'quarter'
  year: number
  index: number
  unitId?: string
}

/** The period's bounds in China time: [from, to). */
export function periodBounds(q: Pick<ReportQuery, 'period' | 'year' | 'index'>) {
  const firstMonth = q.period === 'month' ? q.index : (Math.min(4, q.index) - 1) * 3 + 1
  const months = q.period === 'month' ? 1 : 3
  const pad = (n: number) => String(n).padStart(2, '0')
  const start = `${q.year}-${pad(firstMonth)}-01`
  const endMonth = firstMonth + months
  const end = endMonth > 12 ? `${q.year + 1}-01-01` : `${q.year}-${pad(endMonth)}-01`
  const label = q.period === 'month' ? `${q.year}年${firstMonth}月` : `${q.year}年第${Math.min(4, q.index)}季度`
  return { from: chinaDayStart(start), to: chinaDayStart(end), fromDate: start, toDate: end, label }
}

/**
 * 积案清理 report for a month or a quarter, in the caller's scope (optionally one unit): what was
 * filed, what is still open at the end of the period and how old it is, what was decided and
 * whether on time, the outcome and grounds mix, per reviewer and per unit.
 */
export async function backlogReport(ctx: Ctx, q: ReportQuery): Promise<BacklogReport> {
  const actor = requireStaff(ctx.actor)
  if (q.period === 'quarter' && q.index > 4) q = { ...q, index: 4 }
  if (q.unitId && !actor.unitScope.includes(q.unitId)) throw notFound('Unit')
  const { from, to, fromDate, toDate, label } = periodBounds(q)
  const scope: SQL = q.unitId
    ? sql`${appeals.unitId} in (select id from ${units} where ${q.unitId}::text = any(${units.path}))`
    : (inArray(appeals.unitId, [...actor.unitScope]) as SQL)
  // As of the period's end (or now, for the running period).
  const asOf = new Date(Math.min(to.getTime(), ctx.now().getTime()))

  const openAtEnd = and(scope, lt(appeals.submittedAt, to), or(isNull(appeals.closedAt), gte(appeals.closedAt, to)))
  const decidedIn = and(scope, eq(appeals.state, 'decided'), gte(appeals.decidedAt, from), lt(appeals.decidedAt, to))
  const closedIn = and(scope, gte(appeals.closedAt, from), lt(appeals.closedAt, to))

  const [filed] = await ctx.db
    .select({ n: sql<number>`count(*)::int` })
    .from(appeals)
    .where(and(scope, gte(appeals.submittedAt, from), lt(appeals.submittedAt, to)))
  const grounds = await ctx.db
    .select({ key: appeals.grounds, count: sql<number>`count(*)::int` })
    .from(appeals)
    .where(and(scope, gte(appeals.submittedAt, from), lt(appeals.submittedAt, to)))
    .groupBy(appeals.grounds)
  const ages = await ctx.db
    .select({
      age: sql<number>`floor(extract(epoch from (${asOf.toISOString()}::timestamptz - ${appeals.submittedAt})) / 86400)::int`,
      overdue: sql<boolean>`coalesce(${appeals.dueAt} < ${asOf.toISOString()}::timestamptz, false)`,
      assigneeId: appeals.assigneeId,
      unitId: appeals.unitId,
    })
    .from(appeals)
    .where(openAtEnd)
  const decided = await ctx.db
    .select({
      outcome: appeals.outcome,
      onTime: sql<boolean>`coalesce(${appeals.decidedAt} <= ${appeals.dueAt}, true)`,
      reviewer: appeals.proposedBy,
      unitId: appeals.unitId,
    })
    .from(appeals)
    .where(decidedIn)
  const closed = await ctx.db.select({ state: appeals.state, n: sql<number>`count(*)::int` }).from(appeals).where(closedIn).groupBy(appeals.state)

  const buckets = new Map<string, number>(AGE_BUCKETS.map((b) => [b.key, 0]))
  for (const r of ages) buckets.set(ageBucket(r.age), (buckets.get(ageBucket(r.age)) ?? 0) + 1)
  const onTime = decided.filter((d) => d.onTime).length

  type Acc = { open: number; decided: number; onTime: number; overdueOpen: number }
  const perStaff = new Map<string, Acc>()
  const perUnit = new Map<string, Acc>()
  const acc = (m: Map<string, Acc>, k: string | null) => {
    const key = k ?? ''
    if (!m.has(key)) m.set(key, { open: 0, decided: 0, onTime: 0, overdueOpen: 0 })
    return m.get(key) as Acc
  }
  for (const r of ages) {
    for (const a of [acc(perStaff, r.assigneeId), acc(perUnit, r.unitId)]) {
      a.open++
      if (r.overdue) a.overdueOpen++
    }
  }
  for (const d of decided) {
    for (const a of [acc(perStaff, d.reviewer), acc(perUnit, d.unitId)]) {
      a.decided++
      if (d.onTime) a.onTime++
    }
  }
  const staffIds = [...perStaff.keys()].filter(Boolean)
  const unitIds = [...perUnit.keys()].filter(Boolean)
  const sNames = staffIds.length ? await ctx.db.select({ id: staff.id, name: staff.name }).from(staff).where(inArray(staff.id, staffIds)) : []
  const uNames = unitIds.length ? await ctx.db.select({ id: units.id, name: units.name }).from(units).where(inArray(units.id, unitIds)) : []
  const nameOf = (list: { id: string; name: string }[], id: string, fallback: string) => list.find((x) => x.id === id)?.name ?? fallback
  const rows = (m: Map<string, Acc>, names: { id: string; name: string }[], fallback: string) =>
    [...m.entries()].map(([id, a]) => ({ id, name: id ? nameOf(names, id, id) : fallback, ...a })).sort((x, y) => y.open + y.decided - (x.open + x.decided))

  const outcomeCount = (o: string) => decided.filter((d) => d.outcome === o).length
  const closedCount = (s: string) => closed.find((c) => c.state === s)?.n ?? 0
  return {
    period: { kind: q.period, year: q.year, index: q.index, from: fromDate, to: toDate, label },
    filed: filed?.n ?? 0,
    openAtEnd: ages.length,
    openByAge: AGE_BUCKETS.map((b) => ({ key: b.key, count: buckets.get(b.key) ?? 0 })),
    decided: decided.length,
    decidedOnTime: onTime,
    onTimeRate: decided.length ? Math.round((onTime / decided.length) * 1000) / 10 : null,
    overdueOpen: ages.filter((a) => a.overdue).length,
    decidedLate: decided.length - onTime,
    refused: closedCount('refused'),
    withdrawn: closedCount('withdrawn'),
    outcomes: ['upheld', 'corrected', 'revoked'].map((k) => ({ key: k, count: outcomeCount(k) })),
    grounds: groundsMix(await optionList(ctx, 'grounds'), grounds),
    perReviewer: rows(perStaff, sNames, '未分配'),
    perUnit: rows(perUnit, uNames, ''),
  }
}

/** Counts per configured ground, in the list's order: active ones always, retired ones only when they occur. */
function groundsMix(configured: readonly { key: string; retired: boolean }[], counted: readonly { key: string; count: number }[]) {
  const count = (key: string) => counted.find((x) => x.key === key)?.count ?? 0
  return configured.filter((g) => !g.retired || count(g.key) > 0).map((g) => ({ key: g.key, count: count(g.key) }))
}

const OUTCOME_ZH: Record<string, string> = { upheld: '维持', corrected: '变更', revoked: '撤销' }

/** The report as a workbook: summary, age buckets, outcomes, grounds, per reviewer, per unit. */
export async function backlogReportXlsx(ctx: Ctx, q: ReportQuery): Promise<{ buffer: Buffer; fileName: string }> {
  const r = await backlogReport(ctx, q)
  const grounds = await optionList(ctx, 'grounds')
  const { default: ExcelJS } = await import('exceljs')
  const wb = new ExcelJS.Workbook()
  wb.creator = 'traffic-portal'
  const summary = wb.addWorksheet('概览')
  summary.columns = [
    { header: '指标', key: 'k', width: 24 },
    { header: '数值', key: 'v', width: 16 },
  ]
  summary.addRows([
    { k: '统计期间', v: `${r.period.label}（${r.period.from} 至 ${r.period.to} 前）` },
    { k: '新收申诉', v: r.filed },
    { k: '期末未办结', v: r.openAtEnd },
    { k: '其中超期', v: r.overdueOpen },
    { k: '本期办结', v: r.decided },
    { k: '按期办结', v: r.decidedOnTime },
    { k: '按期办结率（%）', v: r.onTimeRate ?? '—' },
    { k: '超期办结', v: r.decidedLate },
    { k: '不予受理', v: r.refused },
    { k: '撤回', v: r.withdrawn },
  ])
  const sheet = (name: string, headers: [string, string, number][], data: Record<string, unknown>[]) => {
    const ws = wb.addWorksheet(name)
    ws.columns = headers.map(([header, key, width]) => ({ header, key, width }))
    ws.addRows(data)
    ws.getRow(1).font = { bold: true }
  }
  summary.getRow(1).font = { bold: true }
  sheet(
    '积案账龄',
    [
      ['账龄（天）', 'key', 14],
      ['件数', 'count', 10],
    ],
    r.openByAge,
  )
  sheet(
    '办结结果',
    [
      ['结果', 'key', 10],
      ['件数', 'count', 10],
    ],
    r.outcomes.map((o) => ({ key: OUTCOME_ZH[o.key], count: o.count })),
  )
  sheet(
    '申诉理由',
    [
      ['理由', 'key', 30],
      ['件数', 'count', 10],
    ],
    r.grounds.map((g) => ({ key: labelOf(grounds, g.key), count: g.count })),
  )
  const cols: [string, string, number][] = [
    ['名称', 'name', 20],
    ['期末未办结', 'open', 12],
    ['其中超期', 'overdueOpen', 10],
    ['本期办结', 'decided', 10],
    ['按期办结', 'onTime', 10],
  ]
  sheet('按审核人', cols, r.perReviewer)
  sheet('按单位', cols, r.perUnit)
  await audit(ctx, { entityType: 'appeal_report', action: 'export.xlsx', after: { period: r.period } })
  const fileName = `appeals-backlog-${q.year}-${q.period === 'month' ? `m${q.index}` : `q${q.index}`}.xlsx`
  return { buffer: Buffer.from(await wb.xlsx.writeBuffer()), fileName }
}
