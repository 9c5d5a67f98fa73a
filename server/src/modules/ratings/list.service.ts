import { maskText } from '@tp/shared'
import type { RatingListItem, RatingListQuery } from '@tp/shared/ratings/schemas'
import { and, count, desc, eq, gte, lte, type SQL, sql } from 'drizzle-orm'
import { type Ctx, requireStaff } from '../../platform/context'
import { offices, queueTickets, services, serviceWindows } from '../bookings/bookings.tables'
import { staff } from '../identity/identity.tables'
import { inScope } from './common'
import { monthRange } from './dashboard.service'
import { ratingFollowUps, ratings } from './ratings.tables'

export function ratingsWhere(ctx: Ctx, q: Omit<RatingListQuery, 'page' | 'pageSize'>): SQL {
  const range = monthRange(ctx.now(), q.from, q.to)
  const actor = requireStaff(ctx.actor)
  return and(
    inScope(ctx, ratings.unitId),
    // Window staff see their own ratings only.
    actor.role === 'window_staff' ? eq(ratings.staffId, actor.id) : undefined,
    gte(ratings.month, range.from),
    lte(ratings.month, range.to),
    q.officeId ? eq(ratings.officeId, q.officeId) : undefined,
    q.level ? eq(ratings.level, q.level) : undefined,
    q.bad ? eq(ratings.bad, q.bad === 'true') : undefined,
    q.channel ? eq(ratings.channel, q.channel) : undefined,
  ) as SQL
}

/** Ratings with their names (scalar subqueries: cheap to plan, evaluated for the page only) and follow-up state. */
export function ratingsQuery(ctx: Ctx) {
  return ctx.db
    .select({
      r: ratings,
      ticketNumber: sql<string>`(select ${queueTickets.number} from ${queueTickets} where ${queueTickets.id} = ${ratings.ticketId})`,
      officeName: sql<string>`(select ${offices.name} from ${offices} where ${offices.id} = ${ratings.officeId})`,
      windowNumber: sql<number | null>`(select ${serviceWindows.number} from ${serviceWindows} where ${serviceWindows.id} = ${ratings.windowId})`,
      staffName: sql<string | null>`(select ${staff.name} from ${staff} where ${staff.id} = ${ratings.staffId})`,
      serviceName: sql<string>`(select ${services.name} from ${services} where ${services.id} = ${ratings.serviceId})`,
      followUpId: ratingFollowUps.id,
      followUpState: ratingFollowUps.state,
    })
    .from(ratings)
    .leftJoin(ratingFollowUps, eq(ratingFollowUps.ratingId, ratings.id))
    .$dynamic()
}

type Joined = Awaited<ReturnType<ReturnType<typeof ratingsQuery>['execute']>>[number]

export function toListItem(j: Joined): RatingListItem {
  return {
    id: j.r.id,
    ticketNumber: j.ticketNumber,
    level: j.r.level,
    tags: j.r.tags,
    comment: j.r.comment ? maskText(j.r.comment) : null,
    channel: j.r.channel,
    officeName: j.officeName,
    windowNumber: j.windowNumber,
    staffName: j.staffName,
    serviceName: j.serviceName,
    ratedAt: j.r.ratedAt.toISOString(),
    excluded: j.r.excluded,
    followUpId: j.followUpId,
    followUpState: j.followUpState,
  }
}

/** Ratings in scope, newest first, with their follow-up's state (comments masked). */
export async function listRatings(ctx: Ctx, q: RatingListQuery): Promise<{ items: RatingListItem[]; total: number }> {
  const where = ratingsWhere(ctx, q)
  const rows = await ratingsQuery(ctx)
    .where(where)
    .orderBy(desc(ratings.ratedAt), desc(ratings.id))
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
  const [total] = await ctx.db.select({ n: count() }).from(ratings).where(where)
  return { items: rows.map(toListItem), total: total?.n ?? 0 }
}
