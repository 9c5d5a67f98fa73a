import { addCalendarDays, type CalendarOverride, isCalendarDate, officialCalendar, type WorkCalendar, weekday } from '@tp/shared/calendar'
import { asc, between, eq } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import type { Ctx } from '../../platform/context'
import type { Db } from '../../platform/db'
import { badRequest, notFound } from '../../platform/errors'
import { calendarOverrides } from '../../platform/platform.tables'

/**
 * The working-day calendar every clock uses: China's official calendar (chinese-days) plus the
 * admin-edited `calendar_overrides` table. Overrides are few and change rarely: cached briefly
 * per database handle and dropped on every edit made through this process.
 */
const TTL_MS = 30_000
let cache: { at: number; overrides: CalendarOverride[] } | null = null

export function invalidateCalendar(): void {
  cache = null
}

export async function loadOverrides(db: Db, nowMs = Date.now()): Promise<CalendarOverride[]> {
  if (cache && nowMs - cache.at < TTL_MS) return cache.overrides
  const rows = await db.select().from(calendarOverrides).orderBy(asc(calendarOverrides.date))
  const overrides = rows.map((r) => ({ date: r.date, working: r.working, name: r.name ?? undefined }))
  cache = { at: nowMs, overrides }
  return overrides
}

export async function workCalendar(ctx: Ctx): Promise<WorkCalendar> {
  return officialCalendar(await loadOverrides(ctx.db))
}

export interface CalendarDayView {
  date: string
  working: boolean
  name: string | null
  source: 'weekday' | 'official' | 'override'
  officialWorking: boolean
}

/** Every day of a year with its status, where it comes from, and what the package alone says. */
export async function calendarYear(ctx: Ctx, year: number): Promise<CalendarDayView[]> {
  const from = `${year}-01-01`
  const to = `${year}-12-31`
  const rows = await ctx.db
    .select()
    .from(calendarOverrides)
    .where(between(calendarOverrides.date, from, to))
  const byDate = new Map(rows.map((r) => [r.date, r]))
  const official = officialCalendar()
  const out: CalendarDayView[] = []
  for (let d = from; d <= to; d = addCalendarDays(d, 1)) {
    const o = byDate.get(d)
    const officialWorking = official.isWorkingDay(d)
    const officialName = official.describe(d) ?? null
    const wd = weekday(d)
    const plain = wd !== 0 && wd !== 6
    if (o) out.push({ date: d, working: o.working, name: o.name, source: 'override', officialWorking })
    else
      out.push({
        date: d,
        working: officialWorking,
        name: officialName,
        source: officialWorking === plain && !officialName ? 'weekday' : 'official',
        officialWorking,
      })
  }
  return out
}

export async function listOverrides(ctx: Ctx) {
  const rows = await ctx.db.select().from(calendarOverrides).orderBy(asc(calendarOverrides.date))
  return rows.map((r) => ({ date: r.date, working: r.working, name: r.name, updatedAt: r.updatedAt.toISOString() }))
}

function checkDate(date: string) {
  if (!isCalendarDate(date)) throw badRequest('Invalid date', [{ path: 'param.date', message: 'Expected YYYY-MM-DD' }])
}

export async function putOverride(ctx: Ctx, date: string, input: { working: boolean; name: string }) {
  checkDate(date)
  const row = await ctx.db.transaction(async (tx) => {
    const [before] = await tx.select().from(calendarOverrides).where(eq(calendarOverrides.date, date))
    const [after] = await tx
      .insert(calendarOverrides)
      .values({ date, working: input.working, name: input.name, updatedAt: ctx.now() })
      .onConflictDoUpdate({ target: calendarOverrides.date, set: { working: input.working, name: input.name, updatedAt: ctx.now() } })
      .returning()
    await audit(
      { ...ctx, db: tx },
      {
        entityType: 'calendar_override',
        entityId: date,
        action: before ? 'calendar.override_updated' : 'calendar.override_created',
        before: before ? { working: before.working, name: before.name } : null,
        after: { working: input.working, name: input.name },
      },
    )
    return after!
  })
  invalidateCalendar()
  return { date: row.date, working: row.working, name: row.name, updatedAt: row.updatedAt.toISOString() }
}

export async function deleteOverride(ctx: Ctx, date: string): Promise<void> {
  checkDate(date)
  await ctx.db.transaction(async (tx) => {
    const [before] = await tx.delete(calendarOverrides).where(eq(calendarOverrides.date, date)).returning()
    if (!before) throw notFound('Calendar override')
    await audit(
      { ...ctx, db: tx },
      { entityType: 'calendar_override', entityId: date, action: 'calendar.override_deleted', before: { working: before.working, name: before.name } },
    )
  })
  invalidateCalendar()
}
