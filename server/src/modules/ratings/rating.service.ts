import { toChinaDate } from '@tp/shared/calendar'
import { type RatingConfig, tagProblems } from '@tp/shared/ratings/config'
import { followUpDue, followUpSoonAt } from '@tp/shared/ratings/due'
import { isBad, LEVEL_NAME_ZH, LEVEL_SCORE, type RatingLevel } from '@tp/shared/ratings/levels'
import { followUpMachine } from '@tp/shared/ratings/machine'
import type { CitizenRatingPage, PendingRating, RatingChannel, RatingView, ServedTicket, TagOption } from '@tp/shared/ratings/schemas'
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import { type Ctx, requireCitizen, withDb } from '../../platform/context'
import { conflict, notFound, unprocessable } from '../../platform/errors'
import { notify } from '../../platform/notify'
import { queueTickets } from '../bookings/bookings.tables'
import { type CompletedTicket, getCompletedTicket } from '../bookings/queue.service'
import { chinaMonth, headsOf, iso, loadRatingConfig, loadWorkCalendar } from './common'
import { publicTimeline } from './followup.view'
import { ratingFollowUpEvents, ratingFollowUps, ratingInvitations, ratings } from './ratings.tables'

type RatingRow = typeof ratings.$inferSelect
type FollowUpRow = typeof ratingFollowUps.$inferSelect
const DAY_MS = 86_400_000

export const tagOptions = (config: RatingConfig): TagOption[] =>
  config.tags.filter((t) => t.active).map(({ code, zh, en, polarity }) => ({ code, zh, en, polarity }))

export function toServed(t: CompletedTicket): ServedTicket {
  return {
    id: t.id,
    number: t.number,
    serviceName: t.serviceName,
    officeName: t.officeName,
    windowNumber: t.windowNumber,
    staffName: t.servedByName,
    completedAt: t.completedAt.toISOString(),
    bookingId: t.bookingId,
  }
}

export function toRatingView(r: RatingRow): RatingView {
  return { id: r.id, level: r.level, tags: r.tags, comment: r.comment, channel: r.channel, ratedAt: r.ratedAt.toISOString(), bad: r.bad }
}

// ---------------------------------------------------------------------------------------------
// Invitation: runs inside the transaction that completes a ticket

/** A completed service with a known citizen: invite them to rate it in the app; wake the window's evaluator. */
export async function onTicketCompleted(ctx: Ctx, t: CompletedTicket): Promise<void> {
  if (t.citizenId) {
    const config = await loadRatingConfig(ctx.db)
    const expiresAt = new Date(t.completedAt.getTime() + config.appRatingDays * DAY_MS)
    const inserted = await ctx.db
      .insert(ratingInvitations)
      .values({ ticketId: t.id, citizenId: t.citizenId, expiresAt, createdAt: ctx.now() })
      .onConflictDoNothing()
      .returning({ ticketId: ratingInvitations.ticketId })
    if (inserted.length > 0) {
      await notify(ctx, {
        recipientType: 'citizen',
        recipientId: t.citizenId,
        messageKey: 'ratings.notify.invite',
        params: { service: t.serviceName, number: t.number },
        link: `/ratings/${t.id}`,
      })
    }
  }
  if (t.windowId) ctx.emit({ type: 'rating.evaluator', audience: { channels: [`evaluator:${t.windowId}`] }, data: { windowId: t.windowId, ticketId: t.id } })
}

// ---------------------------------------------------------------------------------------------
// Recording a rating (both channels)

export interface RatingInput {
  level: RatingLevel
  tags: string[]
  comment?: string | undefined
  contactPhone?: string | undefined
}

/**
 * Inserts the one rating of a completed ticket. The unique index on ticket_id decides races: the
 * insert does nothing for the second of two concurrent ratings, which gets 409 `already_rated`.
 * A bad rating opens its follow-up case in the same transaction.
 */
export async function recordRating(
  ctx: Ctx,
  t: CompletedTicket,
  input: RatingInput,
  channel: RatingChannel,
  deviceId: string | null,
): Promise<{ rating: RatingRow; followUp: FollowUpRow | null }> {
  const config = await loadRatingConfig(ctx.db)
  const problems = tagProblems(input.level, input.tags, config)
  if (problems.length > 0)
    throw unprocessable(
      'invalid_tags',
      'Some tags do not fit this rating',
      problems.map((p) => ({ path: 'body.tags', message: p.code ? `${p.code}: ${p.problem}` : p.problem, code: p.problem })),
    )
  const now = ctx.now()
  const bad = isBad(input.level)
  const comment = input.comment?.trim() || null
  const result = await ctx.db.transaction(async (tx) => {
    const c = withDb(ctx, tx)
    const [rating] = await tx
      .insert(ratings)
      .values({
        ticketId: t.id,
        officeId: t.officeId,
        unitId: t.unitId,
        windowId: t.windowId,
        staffId: t.servedBy,
        serviceId: t.serviceId,
        citizenId: t.citizenId,
        channel,
        deviceId,
        level: input.level,
        score: LEVEL_SCORE[input.level],
        bad,
        tags: input.tags,
        comment,
        contactPhone: bad ? (input.contactPhone ?? null) : null,
        completedAt: t.completedAt,
        ratedAt: now,
        month: chinaMonth(now),
      })
      .onConflictDoNothing({ target: ratings.ticketId })
      .returning()
    if (!rating) throw conflict('already_rated', 'This service has already been rated')
    await audit(c, {
      entityType: 'rating',
      entityId: rating.id,
      action: 'rating.create',
      after: { ticket: t.number, level: rating.level, channel, tags: rating.tags },
      unitId: t.unitId,
    })
    const followUp = bad ? await openFollowUp(c, t, rating, config) : null
    return { rating, followUp }
  })
  ctx.emit({
    type: 'rating.created',
    audience: { unitIds: [t.unitId] },
    data: { id: result.rating.id, level: result.rating.level, bad, officeId: t.officeId, windowId: t.windowId, followUpId: result.followUp?.id ?? null },
  })
  if (t.windowId) ctx.emit({ type: 'rating.created', audience: { channels: [`evaluator:${t.windowId}`] }, data: { windowId: t.windowId, ticketId: t.id } })
  return result
}

async function openFollowUp(ctx: Ctx, t: CompletedTicket, rating: RatingRow, config: RatingConfig): Promise<FollowUpRow> {
  const now = ctx.now()
  const calendar = await loadWorkCalendar(ctx.db)
  const due = followUpDue(now, config, calendar)
  const [row] = await ctx.db
    .insert(ratingFollowUps)
    .values({
      openedOn: toChinaDate(now).replace(/-/g, ''),
      ratingId: rating.id,
      ticketId: t.id,
      unitId: t.unitId,
      officeId: t.officeId,
      windowId: t.windowId,
      staffId: t.servedBy,
      citizenId: t.citizenId,
      state: 'opened',
      policy: config.followUp,
      openedAt: now,
      dueDate: due.dueDate,
      dueAt: due.dueAt,
      soonAt: followUpSoonAt(now, config, calendar),
      updatedAt: now,
    })
    .returning()
  const f = row as FollowUpRow
  await ctx.db.insert(ratingFollowUpEvents).values({
    followUpId: f.id,
    at: now,
    action: 'open',
    actorType: 'system',
    actorRole: 'system',
    actorId: null,
    toState: 'opened',
    note: [LEVEL_NAME_ZH[rating.level], ...rating.tags.map((c) => config.tags.find((x) => x.code === c)?.zh ?? c)].join(' · '),
    public: true,
    publicNote: null,
  })
  await audit(ctx, {
    entityType: 'rating_followup',
    entityId: f.id,
    action: 'rating_followup.open',
    after: { number: f.number, rating: rating.id, dueDate: f.dueDate, policy: f.policy },
    unitId: t.unitId,
  })
  const link = `/console/ratings/followups/${f.id}`
  for (const head of await headsOf(ctx.db, t.unitId)) {
    await notify(ctx, {
      recipientType: 'staff',
      recipientId: head,
      messageKey: 'ratings.notify.badRating',
      params: { number: f.number, office: t.officeName, window: t.windowNumber ?? '-', dueDate: f.dueDate },
      link,
    })
  }
  if (t.servedBy) {
    await notify(ctx, { recipientType: 'staff', recipientId: t.servedBy, messageKey: 'ratings.notify.ratedBad', params: { number: f.number }, link })
  }
  if (t.citizenId) {
    await notify(ctx, {
      recipientType: 'citizen',
      recipientId: t.citizenId,
      messageKey: 'ratings.notify.followUpOpened',
      params: { number: f.number, dueDate: f.dueDate },
      link: `/ratings/${t.id}`,
    })
  }
  ctx.emit({ type: 'rating.followup.changed', audience: { unitIds: [t.unitId] }, data: { id: f.id, state: f.state } })
  return f
}

// ---------------------------------------------------------------------------------------------
// Citizen

/** The served ticket, only for the citizen who was served (404 for anyone else: no hint it exists). */
async function servedTicketFor(ctx: Ctx, ticketId: string): Promise<CompletedTicket> {
  const me = requireCitizen(ctx.actor)
  const t = await getCompletedTicket(ctx.db, ticketId)
  if (!t || t.citizenId !== me.id) throw notFound('Service')
  return t
}

export async function citizenRatingPage(ctx: Ctx, ticketId: string): Promise<CitizenRatingPage> {
  const t = await servedTicketFor(ctx, ticketId)
  const config = await loadRatingConfig(ctx.db)
  const [rating] = await ctx.db.select().from(ratings).where(eq(ratings.ticketId, t.id))
  const [f] = await ctx.db.select().from(ratingFollowUps).where(eq(ratingFollowUps.ticketId, t.id))
  const rateBy = new Date(t.completedAt.getTime() + config.appRatingDays * DAY_MS)
  const expired = ctx.now().getTime() > rateBy.getTime()
  return {
    ticket: toServed(t),
    canRate: !rating && !expired,
    reason: rating ? 'rated' : expired ? 'expired' : null,
    rateBy: rateBy.toISOString(),
    rating: rating ? toRatingView(rating) : null,
    followUp: f
      ? {
          number: f.number,
          state: f.state,
          stateType: followUpMachine.typeOf(f.state),
          openedAt: f.openedAt.toISOString(),
          dueAt: f.dueAt.toISOString(),
          closedAt: iso(f.closedAt),
          outcome: f.state === 'closed' || f.state === 'voided' ? f.outcome : null,
          timeline: await publicTimeline(ctx, f.id),
        }
      : null,
    tags: tagOptions(config),
  }
}

/** The served citizen rates in the app, once, within the configured days. */
export async function rateAsCitizen(ctx: Ctx, ticketId: string, input: RatingInput): Promise<CitizenRatingPage> {
  const t = await servedTicketFor(ctx, ticketId)
  const config = await loadRatingConfig(ctx.db)
  const rateBy = t.completedAt.getTime() + config.appRatingDays * DAY_MS
  const [existing] = await ctx.db.select({ id: ratings.id }).from(ratings).where(eq(ratings.ticketId, t.id))
  if (existing) throw conflict('already_rated', 'This service has already been rated')
  if (ctx.now().getTime() > rateBy) throw unprocessable('rating_expired', `Services can be rated within ${config.appRatingDays} days`)
  await recordRating(ctx, t, { level: input.level, tags: input.tags, comment: input.comment }, 'app', null)
  return citizenRatingPage(ctx, ticketId)
}

/** Services the citizen may still rate (the booking card and the home page show them). */
export async function pendingRatings(ctx: Ctx): Promise<PendingRating[]> {
  const me = requireCitizen(ctx.actor)
  const rows = await ctx.db
    .select({ ticketId: ratingInvitations.ticketId, expiresAt: ratingInvitations.expiresAt })
    .from(ratingInvitations)
    .leftJoin(ratings, eq(ratings.ticketId, ratingInvitations.ticketId))
    .where(and(eq(ratingInvitations.citizenId, me.id), gt(ratingInvitations.expiresAt, ctx.now()), isNull(ratings.id)))
    .orderBy(desc(ratingInvitations.createdAt))
    .limit(20)
  const out: PendingRating[] = []
  for (const r of rows) {
    const t = await getCompletedTicket(ctx.db, r.ticketId)
    if (t) out.push({ ticket: toServed(t), rateBy: r.expiresAt.toISOString() })
  }
  return out
}

/** For the booking page's card: the booking's served ticket and whether it can still be rated. */
export async function ratingForBooking(ctx: Ctx, bookingId: string) {
  const me = requireCitizen(ctx.actor)
  const [t] = await ctx.db
    .select({ id: queueTickets.id, completedAt: queueTickets.completedAt })
    .from(queueTickets)
    .where(and(eq(queueTickets.bookingId, bookingId), eq(queueTickets.citizenId, me.id), eq(queueTickets.state, 'done')))
    .orderBy(desc(queueTickets.completedAt))
    .limit(1)
  if (!t) throw notFound('Served ticket')
  const config = await loadRatingConfig(ctx.db)
  const [rating] = await ctx.db.select().from(ratings).where(eq(ratings.ticketId, t.id))
  const rateBy = new Date((t.completedAt as Date).getTime() + config.appRatingDays * DAY_MS)
  return {
    ticketId: t.id,
    link: `/ratings/${t.id}`,
    canRate: !rating && ctx.now().getTime() <= rateBy.getTime(),
    rateBy: rateBy.toISOString(),
    rating: rating ? toRatingView(rating) : null,
  }
}

/** Personal-data hooks. */
export async function citizenHasRatingIn(ctx: Ctx, citizenId: string, unitIds: readonly string[]): Promise<boolean> {
  if (unitIds.length === 0) return false
  const [row] = await ctx.db
    .select({ id: ratings.id })
    .from(ratings)
    .where(and(eq(ratings.citizenId, citizenId), sql`${ratings.unitId} in ${unitIds}`))
    .limit(1)
  return !!row
}

export async function exportCitizenRatings(ctx: Ctx, citizenId: string) {
  const rows = await ctx.db.select().from(ratings).where(eq(ratings.citizenId, citizenId)).orderBy(desc(ratings.ratedAt))
  return rows.map((r) => ({ ticketId: r.ticketId, level: r.level, tags: r.tags, comment: r.comment, channel: r.channel, ratedAt: r.ratedAt.toISOString() }))
}

export async function anonymiseCitizenRatings(ctx: Ctx, citizenId: string): Promise<void> {
  await ctx.db.update(ratings).set({ contactPhone: null }).where(eq(ratings.citizenId, citizenId))
}
