import type { CaseSummary } from '@tp/shared'
import { followUpMachine } from '@tp/shared/ratings/machine'
import { eq, gt, isNull, sql } from 'drizzle-orm'
import type { Ctx } from '../../platform/context'
import { citizenRows } from '../../platform/prepared'
import { queueTickets, services } from '../bookings/bookings.tables'
import { ratingFollowUps, ratingInvitations, ratings } from './ratings.tables'

/** Follow-ups of the citizen's bad ratings: only what a "我的办事" row shows. */
const followUpsOf = citizenRows({ name: 'rating_followups_mine', citizen: ratingFollowUps.citizenId, newest: ratingFollowUps.openedAt }, (db) =>
  db
    .select({
      ticketId: ratingFollowUps.ticketId,
      number: ratingFollowUps.number,
      state: ratingFollowUps.state,
      dueAt: ratingFollowUps.dueAt,
      updatedAt: ratingFollowUps.updatedAt,
      serviceName: services.name,
    })
    .from(ratingFollowUps)
    .innerJoin(ratings, eq(ratings.id, ratingFollowUps.ratingId))
    .innerJoin(services, eq(services.id, ratings.serviceId))
    .$dynamic(),
)

/** Served tickets still open for the citizen's rating. */
const toRate = citizenRows(
  {
    name: 'rating_invitations_mine',
    citizen: ratingInvitations.citizenId,
    newest: ratingInvitations.createdAt,
    where: [gt(ratingInvitations.expiresAt, sql.placeholder('now')), isNull(ratings.id)],
    limit: 20,
  },
  (db) =>
    db
      .select({
        ticketId: ratingInvitations.ticketId,
        expiresAt: ratingInvitations.expiresAt,
        createdAt: ratingInvitations.createdAt,
        number: queueTickets.number,
        serviceName: services.name,
      })
      .from(ratingInvitations)
      .innerJoin(queueTickets, eq(queueTickets.id, ratingInvitations.ticketId))
      .innerJoin(services, eq(services.id, queueTickets.serviceId))
      .leftJoin(ratings, eq(ratings.ticketId, ratingInvitations.ticketId))
      .$dynamic(),
)

/** "我的办事": follow-ups of the citizen's bad ratings, and services still waiting for a rating. */
export async function myRatingCases(ctx: Ctx, citizenId: string): Promise<CaseSummary[]> {
  const [followUps, pending] = await Promise.all([
    followUpsOf(ctx.db).execute({ citizenId }),
    toRate(ctx.db).execute({ citizenId, now: ctx.now().toISOString() }),
  ])
  return [
    ...pending.map(
      (p): CaseSummary => ({
        kind: 'rating',
        id: p.ticketId,
        number: p.number,
        title: `待评价 · ${p.serviceName}`,
        state: 'to_rate',
        stateType: 'open',
        dueAt: p.expiresAt.toISOString(),
        updatedAt: p.createdAt.toISOString(),
      }),
    ),
    ...followUps.map((f): CaseSummary => {
      const stateType = followUpMachine.typeOf(f.state)
      return {
        kind: 'rating',
        id: f.ticketId,
        number: f.number,
        title: `服务评价回访 · ${f.serviceName}`,
        state: f.state,
        stateType,
        dueAt: stateType === 'open' ? f.dueAt.toISOString() : null,
        updatedAt: f.updatedAt.toISOString(),
      }
    }),
  ]
}
