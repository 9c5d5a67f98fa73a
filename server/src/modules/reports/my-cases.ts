import type { CaseSummary } from '@tp/shared'
import { ne } from 'drizzle-orm'
import type { Ctx } from '../../platform/context'
import { citizenRows } from '../../platform/prepared'
import { listKinds } from './kinds.service'
import { reports } from './reports.tables'
import { iso } from './reports.view'

/** Only what a "我的办事" row shows. */
const mine = citizenRows({ name: 'reports_mine', citizen: reports.citizenId, newest: reports.updatedAt, where: [ne(reports.state, 'merged')] }, (db) =>
  db
    .select({
      id: reports.id,
      number: reports.number,
      kind: reports.kind,
      roadName: reports.roadName,
      address: reports.address,
      state: reports.state,
      stateType: reports.stateType,
      dueAt: reports.dueAt,
      updatedAt: reports.updatedAt,
    })
    .from(reports)
    .$dynamic(),
)

/** "我的办事" rows. */
export async function myReportCases(ctx: Ctx, citizenId: string): Promise<CaseSummary[]> {
  if (!citizenId) return []
  const [kinds, rows] = await Promise.all([listKinds(ctx), mine(ctx.db).execute({ citizenId })])
  const kindName = new Map(kinds.map((k) => [k.code, k.name['zh-CN']]))
  return rows.map((r) => ({
    kind: 'report' as const,
    id: r.id,
    number: r.number,
    title: `${kindName.get(r.kind) ?? r.kind} · ${r.roadName ?? r.address}`,
    state: r.state,
    stateType: r.stateType,
    dueAt: iso(r.dueAt),
    updatedAt: r.updatedAt.toISOString(),
  }))
}
