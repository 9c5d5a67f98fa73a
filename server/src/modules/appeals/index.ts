import { and, eq, inArray } from 'drizzle-orm'
import type { Module } from '../../platform/module'
import { createRouter } from '../../platform/openapi'
import { appealRoutes } from './appeals.routes'
import { seedAppeals } from './appeals.seed'
import { appeals } from './appeals.tables'
import { calendarRoutes } from './calendar.routes'
import { consoleRoutes } from './console.routes'
import { appealJobs } from './jobs'
import { myAppealCases } from './my-cases'
import { ticketRoutes } from './tickets.routes'

// Order matters: fixed paths (/api/appeals/config, /files) before /api/appeals/{id}.
const routes = createRouter().route('/', ticketRoutes).route('/', calendarRoutes).route('/', appealRoutes).route('/', consoleRoutes)

export const appealsModule: Module = {
  name: 'appeals',
  routes,
  myCases: myAppealCases,
  seed: seedAppeals,
  jobs: appealJobs,
  async citizenInScope(ctx, citizenId, unitIds) {
    if (!unitIds.length) return false
    const [row] = await ctx.db
      .select({ id: appeals.id })
      .from(appeals)
      .where(and(eq(appeals.citizenId, citizenId), inArray(appeals.unitId, [...unitIds])))
      .limit(1)
    return !!row
  },
  async exportCitizen(ctx, citizenId) {
    const rows = await ctx.db.select().from(appeals).where(eq(appeals.citizenId, citizenId))
    return rows.map((a) => ({
      number: a.number,
      decisionNo: a.decisionNo,
      plate: a.plate,
      type: a.type,
      grounds: a.grounds,
      statement: a.statement,
      contactPhone: a.contactPhone,
      state: a.state,
      outcome: a.outcome,
      replyText: a.state === 'decided' ? a.replyText : null,
      submittedAt: a.submittedAt.toISOString(),
      closedAt: a.closedAt?.toISOString() ?? null,
    }))
  },
  async anonymiseCitizen(ctx, citizenId) {
    // The case stays on the record; the contact number it copied goes.
    await ctx.db.update(appeals).set({ contactPhone: '' }).where(eq(appeals.citizenId, citizenId))
  },
}
