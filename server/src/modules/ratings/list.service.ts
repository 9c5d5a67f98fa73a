import { type KeysetPage, maskText } from '@tp/shared'
import type { RatingListItem, RatingListQuery } from '@tp/shared/ratings/schemas'
import { and, eq, gte, lte, type SQL, sql } from 'drizzle-orm'
import { type Ctx, requireStaff } from '../../platform/context'
import { keysetSort } from '../../platform/cursor'
import { offices, queueTickets, services, serviceWindows } from '../bookings/bookings.tables'
import { staff } from '../identity/identity.tables'
import { inScope } from './common'
import { monthRange } from './dashboard.service'
import { ratingFollowUps, ratings } from './ratings.tables'

export function ratingsWhere(ctx: Ctx, q: Omit<RatingListQuery, 'cursor' | 'pageSize'>): SQL {
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
export function ratingsQuery<Extra extends Record<string, SQL>>(ctx: Ctx, extra?: Extra) {
  return ctx.db
    .select({
      ...(extra as Extra),
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

const NEWEST_FIRST = keysetSort('-ratedAt', [
  { expr: ratings.ratedAt, type: 'timestamptz', desc: true },
  { expr: ratings.id, type: 'uuid', desc: true },
])

/** Ratings in scope, newest first, with their follow-up's state (comments masked); a page at a time by keyset. */
export async function listRatings(ctx: Ctx, q: RatingListQuery): Promise<KeysetPage<RatingListItem>> {
  const pos = NEWEST_FIRST.decode(q.cursor)
  const where = ratingsWhere(ctx, q)
  // Count and page side by side; one row more tells whether more follow.
  const [counted, fetched] = await Promise.all([
    NEWEST_FIRST.total(ctx.db, ctx.db.select({ one: sql`1` }).from(ratings).where(where).$dynamic()),
    ratingsQuery(ctx, { keys: NEWEST_FIRST.keys })
      .where(and(where, NEWEST_FIRST.where(pos)))
      .orderBy(...NEWEST_FIRST.orderBy(pos))
      .limit(q.pageSize + 1),
  ])
  const { rows, nextCursor, prevCursor } = NEWEST_FIRST.page(fetched, q.pageSize, pos, (r) => r.keys)
  return { items: rows.map(toListItem), ...counted, nextCursor, prevCursor }
}
