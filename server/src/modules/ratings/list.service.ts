import { maskText } from '@tp/shared'
import type { RatingListItem, RatingListQuery } from '@tp/shared/ratings/schemas'
import { and, count, desc, eq, gte, lte, type SQL } from 'drizzle-orm'
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

export function ratingsQuery(ctx: Ctx) {
  return ctx.db
    .select({
      r: ratings,
      ticketNumber: queueTickets.number,
      officeName: offices.name,
      windowNumber: serviceWindows.number,
      staffName: staff.name,
      serviceName: services.name,
      followUpId: ratingFollowUps.id,
      followUpState: ratingFollowUps.state,
    })
    .from(ratings)
    .innerJoin(queueTickets, eq(queueTickets.id, ratings.ticketId))
    .innerJoin(offices, eq(offices.id, ratings.officeId))
    .innerJoin(services, eq(services.id, ratings.serviceId))
    .leftJoin(serviceWindows, eq(serviceWindows.id, ratings.windowId))
    .leftJoin(staff, eq(staff.id, ratings.staffId))
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
