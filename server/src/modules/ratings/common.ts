import type { ActorRole } from '@tp/shared'
import { type CalendarOverride, officialCalendar, toChinaDate, type WorkCalendar } from '@tp/shared/calendar'
import { DEFAULT_RATING_CONFIG, type RatingConfig } from '@tp/shared/ratings/config'
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm'
import type { Ctx } from '../../platform/context'
import type { Db } from '../../platform/db'
import { calendarOverrides } from '../../platform/platform.tables'
import { staff, units } from '../identity/identity.tables'
import { ratingConfig } from './ratings.tables'

export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null)

/** 'YYYY-MM' in China time. */
export const chinaMonth = (d: Date) => toChinaDate(d).slice(0, 7)

/** The scheme as configured (defaults until an admin saves it). */
export async function loadRatingConfig(db: Db): Promise<RatingConfig> {
  const [row] = await db.select({ config: ratingConfig.config }).from(ratingConfig).where(eq(ratingConfig.id, 'default'))
  return row ? { ...DEFAULT_RATING_CONFIG, ...row.config } : DEFAULT_RATING_CONFIG
}

/** The official calendar with the admin-edited overrides (shared with the appeals clock). */
export async function loadWorkCalendar(db: Db): Promise<WorkCalendar> {
  const rows = await db.select({ date: calendarOverrides.date, working: calendarOverrides.working, name: calendarOverrides.name }).from(calendarOverrides)
  const overrides: CalendarOverride[] = rows.map((r) => ({ date: r.date, working: r.working, ...(r.name ? { name: r.name } : {}) }))
  return officialCalendar(overrides)
}

/** The actor's role for the state machine (routes that reach a state change are never anonymous). */
export function roleOf(ctx: Ctx): ActorRole {
  if (ctx.actor.kind === 'anonymous') throw new Error('anonymous actor reached a state change')
  return ctx.actor.role
}

export function actorFields(ctx: Ctx) {
  const a = ctx.actor
  return { actorType: a.kind, actorRole: a.role, actorId: a.kind === 'citizen' || a.kind === 'staff' ? a.id : null }
}

/** `column in (actor's unit scope)`; matches nothing for non-staff. */
export function inScope(ctx: Ctx, column: SQL.Aliased | Parameters<typeof inArray>[0]): SQL {
  if (ctx.actor.kind !== 'staff' || ctx.actor.unitScope.length === 0) return sql`false`
  return inArray(column as Parameters<typeof inArray>[0], [...ctx.actor.unitScope]) as SQL
}

/** Unit heads responsible for a unit: heads of the unit itself or any unit above it. */
export async function headsOf(db: Db, unitId: string): Promise<string[]> {
  const rows = await db
    .select({ id: staff.id })
    .from(staff)
    .where(
      and(
        eq(staff.role, 'unit_head'),
        eq(staff.active, true),
        sql`exists (select 1 from ${units} where ${units.id} = ${unitId} and ${staff.unitId}::text = any(${units.path}))`,
      ),
    )
  return rows.map((r) => r.id)
}

/** PostgreSQL error code through drizzle's wrapping (23505 unique violation …). */
export function pgCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined
  for (let i = 0; i < 4 && e; i++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code
    e = e.cause as typeof e
  }
  return undefined
}

export async function execRows<T>(db: Db, query: SQL): Promise<T[]> {
  const res = await db.execute(query)
  return (Array.isArray(res) ? res : (res as unknown as { rows: T[] }).rows) as T[]
}
