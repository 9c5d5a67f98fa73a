import type { CaseSummary } from '@tp/shared'
import { appealMachine } from '@tp/shared/appeals/machine'
import { eq } from 'drizzle-orm'
import type { Ctx } from '../../platform/context'
import { citizenRows } from '../../platform/prepared'
import { appeals, tickets } from './appeals.tables'

/** Only what a "我的办事" row shows. */
const mine = citizenRows({ name: 'appeals_mine', citizen: appeals.citizenId, newest: appeals.updatedAt }, (db) =>
  db
    .select({
      id: appeals.id,
      number: appeals.number,
      plate: appeals.plate,
      state: appeals.state,
      dueAt: appeals.dueAt,
      updatedAt: appeals.updatedAt,
      violationDesc: tickets.violationDesc,
    })
    .from(appeals)
    .innerJoin(tickets, eq(tickets.id, appeals.ticketId))
    .$dynamic(),
)

/** "我的办事" rows for the home page. */
export async function myAppealCases(ctx: Ctx, citizenId: string): Promise<CaseSummary[]> {
  const rows = await mine(ctx.db).execute({ citizenId })
  return rows.map((a) => {
    const stateType = appealMachine.typeOf(a.state)
    return {
      kind: 'appeal' as const,
      id: a.id,
      number: a.number,
      title: `${a.plate} · ${a.violationDesc}`,
      state: a.state,
      stateType,
      dueAt: stateType === 'open' ? (a.dueAt?.toISOString() ?? null) : null,
      updatedAt: a.updatedAt.toISOString(),
    }
  })
}
