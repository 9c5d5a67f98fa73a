import { LEVEL_NAME_ZH, LEVELS } from '@tp/shared/ratings/levels'
import type { ExportQuery } from '@tp/shared/ratings/schemas'
import { percent } from '@tp/shared/ratings/stats'
import { desc } from 'drizzle-orm'
import type ExcelJS from 'exceljs'
import { audit } from '../../platform/audit'
import { type Ctx, requireStaff } from '../../platform/context'
import { queueStatistics, ranking, satisfaction } from './dashboard.service'
import { listFollowUps } from './followup.service'
import { ratingsQuery, ratingsWhere, toListItem } from './list.service'
import { ratings } from './ratings.tables'

const STATE_ZH: Record<string, string> = {
  opened: '待核实',
  verified: '已核实',
  contested: '申辩中',
  called_back: '已回访',
  rectified: '已整改',
  closed: '已办结',
  voided: '已撤销（恶意评价）',
}
const CHANNEL_ZH = { app: '手机端', evaluator: '窗口评价器' } as const
const BY_ZH = { staff: '工作人员', window: '窗口', office: '办事场所', month: '月份' } as const
const MAX_ROWS = 50_000

function sheet(wb: ExcelJS.Workbook, name: string, columns: { header: string; key: string; width?: number }[]) {
  const ws = wb.addWorksheet(name)
  ws.columns = columns.map((c) => ({ ...c, width: c.width ?? 14 }))
  ws.getRow(1).font = { bold: true }
  ws.views = [{ state: 'frozen', ySplit: 1 }]
  return ws
}

const pct = (rate: number | null) => (rate === null ? '' : `${percent(rate)}%`)
const local = (iso: string | null) => (iso ? new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ') : '')

/**
 * The dashboards and lists as XLSX, in the actor's scope, personal data masked; every export is
 * audited (what, which filters, how many rows).
 */
export async function exportXlsx(ctx: Ctx, q: ExportQuery): Promise<{ bytes: Buffer; filename: string }> {
  requireStaff(ctx.actor)
  const { default: ExcelJS } = await import('exceljs')
  const wb = new ExcelJS.Workbook()
  wb.creator = 'traffic-portal'
  let rows = 0
  let filename = `ratings-${q.kind}.xlsx`
  if (q.kind === 'ratings') {
    const data = await ratingsQuery(ctx).where(ratingsWhere(ctx, q)).orderBy(desc(ratings.ratedAt)).limit(MAX_ROWS)
    const ws = sheet(wb, '评价明细', [
      { header: '评价时间', key: 'at', width: 18 },
      { header: '排队号', key: 'ticket' },
      { header: '办事场所', key: 'office', width: 18 },
      { header: '窗口', key: 'window', width: 8 },
      { header: '工作人员', key: 'staff' },
      { header: '业务', key: 'service', width: 22 },
      { header: '评价', key: 'level' },
      { header: '标签', key: 'tags', width: 24 },
      { header: '意见', key: 'comment', width: 40 },
      { header: '渠道', key: 'channel' },
      { header: '整改状态', key: 'followUp' },
      { header: '不计入统计', key: 'excluded' },
    ])
    for (const j of data) {
      const r = toListItem(j)
      ws.addRow({
        at: local(r.ratedAt),
        ticket: r.ticketNumber,
        office: r.officeName,
        window: r.windowNumber ?? '',
        staff: r.staffName ?? '',
        service: r.serviceName,
        level: LEVEL_NAME_ZH[r.level],
        tags: r.tags.join('、'),
        comment: r.comment ?? '',
        channel: CHANNEL_ZH[r.channel],
        followUp: r.followUpState ? STATE_ZH[r.followUpState] : '',
        excluded: r.excluded ? '是' : '',
      })
    }
    rows = data.length
  } else if (q.kind === 'followups') {
    const ws = sheet(wb, '差评整改', [
      { header: '编号', key: 'number', width: 20 },
      { header: '状态', key: 'state' },
      { header: '评价', key: 'level' },
      { header: '办事场所', key: 'office', width: 18 },
      { header: '窗口', key: 'window', width: 8 },
      { header: '工作人员', key: 'staff' },
      { header: '业务', key: 'service', width: 22 },
      { header: '受理时间', key: 'opened', width: 18 },
      { header: '办结期限', key: 'due', width: 18 },
      { header: '办结时间', key: 'closed', width: 18 },
      { header: '是否超期', key: 'overdue' },
      { header: '联系电话', key: 'contact' },
    ])
    let cursor: string | null = null
    do {
      const page = await listFollowUps(ctx, { view: 'all', pageSize: 200, ...(cursor ? { cursor } : {}), ...(q.officeId ? { officeId: q.officeId } : {}) })
      const { items } = page
      cursor = page.nextCursor
      for (const f of items) {
        ws.addRow({
          number: f.number,
          state: STATE_ZH[f.state],
          level: LEVEL_NAME_ZH[f.level],
          office: f.officeName,
          window: f.windowNumber ?? '',
          staff: f.staffName ?? '',
          service: f.serviceName,
          opened: local(f.openedAt),
          due: local(f.dueAt),
          closed: local(f.closedAt),
          overdue: f.overdue || (f.closedAt !== null && f.closedAt > f.dueAt) ? '是' : '',
          contact: f.contactMasked ?? '',
        })
      }
      rows += items.length
    } while (cursor && rows < MAX_ROWS)
  } else if (q.kind === 'satisfaction') {
    const by = q.by ?? 'office'
    const report = await satisfaction(ctx, {
      by,
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
      ...(q.officeId ? { officeId: q.officeId } : {}),
    })
    const ws = sheet(wb, `满意度（按${BY_ZH[by]}）`, [
      { header: BY_ZH[by], key: 'label', width: 24 },
      ...LEVELS.map((l) => ({ header: LEVEL_NAME_ZH[l], key: l, width: 12 })),
      { header: '评价总数', key: 'total' },
      { header: '满意率', key: 'rate' },
    ])
    for (const r of [...report.rows, report.total]) ws.addRow({ label: r.label, ...r.counts, total: r.total, rate: pct(r.rate) })
    rows = report.rows.length
    filename = `satisfaction-${by}-${report.from}-${report.to}.xlsx`
  } else if (q.kind === 'ranking') {
    const r = await ranking(ctx, { ...(q.month ? { month: q.month } : {}), ...(q.officeId ? { officeId: q.officeId } : {}) })
    const ws = sheet(wb, `示范窗口排名 ${r.month}`, [
      { header: '名次', key: 'rank', width: 8 },
      { header: '窗口', key: 'label', width: 26 },
      { header: '评价总数', key: 'total' },
      { header: '非常满意+满意', key: 'good' },
      { header: '满意率', key: 'rate' },
      { header: '备注', key: 'note', width: 24 },
    ])
    for (const x of r.rows)
      ws.addRow({
        rank: x.rank ?? '',
        label: x.label,
        total: x.total,
        good: x.good,
        rate: pct(x.rate),
        note: x.eligible ? '' : `评价不足 ${r.minSample} 条，不参与排名`,
      })
    rows = r.rows.length
    filename = `ranking-${r.month}.xlsx`
  } else {
    const from = q.from ? `${q.from}-01` : undefined
    const r = await queueStatistics(ctx, { ...(from ? { from } : {}), ...(q.officeId ? { officeId: q.officeId } : {}) })
    const ws = sheet(wb, '排队统计', [
      { header: '办事场所', key: 'office', width: 20 },
      { header: '取号', key: 'issued' },
      { header: '办结', key: 'served' },
      { header: '过号未到', key: 'noShow' },
      { header: '平均等候（分钟）', key: 'wait', width: 16 },
      { header: '平均办理（分钟）', key: 'service', width: 16 },
      { header: '过号率', key: 'noShowRate' },
      { header: '窗口利用率', key: 'util' },
    ])
    for (const x of r.rows)
      ws.addRow({
        office: x.officeName,
        issued: x.issued,
        served: x.served,
        noShow: x.noShow,
        wait: x.averageWaitMinutes ?? '',
        service: x.averageServiceMinutes ?? '',
        noShowRate: pct(x.noShowRate),
        util: pct(x.utilisation),
      })
    rows = r.rows.length
    filename = `queue-${r.from}-${r.to}.xlsx`
  }
  await audit(ctx, { entityType: 'ratings', action: 'export.xlsx', after: { kind: q.kind, filters: { ...q }, rows } })
  return { bytes: Buffer.from(await wb.xlsx.writeBuffer()), filename }
}
