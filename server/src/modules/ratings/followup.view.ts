import type { TimelineEvent } from '@tp/shared'
import { maskPhone } from '@tp/shared'
import { followUpActions, followUpMachine, isOverdue } from '@tp/shared/ratings/machine'
import type { FollowUpDetail, FollowUpListItem } from '@tp/shared/ratings/schemas'
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm'
import type { Ctx } from '../../platform/context'
import type { Db } from '../../platform/db'
import { files } from '../../platform/platform.tables'
import { offices, queueTickets, services, serviceWindows } from '../bookings/bookings.tables'
import { citizens, staff } from '../identity/identity.tables'
import { iso, roleOf } from './common'
import { ratingCallBacks, ratingFollowUpEvents, ratingFollowUps, ratings } from './ratings.tables'

export type FollowUpRow = typeof ratingFollowUps.$inferSelect
export type RatingRow = typeof ratings.$inferSelect

export const fileUrl = (id: string, thumb = false) => `/api/console/ratings/files/${id}${thumb ? '?thumb=1' : ''}`

const F = ratingFollowUps
/**
 * A follow-up with everything its list row and detail show. Names come from scalar subqueries
 * rather than joins: three relations to plan instead of eight keeps planning cheap, and each
 * subquery is a primary-key lookup for the rows of the page only.
 */
export function followUpQuery(db: Db) {
  return db
    .select({
      f: F,
      r: ratings,
      officeName: sql<string>`(select ${offices.name} from ${offices} where ${offices.id} = ${F.officeId})`,
      windowNumber: sql<number | null>`(select ${serviceWindows.number} from ${serviceWindows} where ${serviceWindows.id} = ${F.windowId})`,
      staffName: sql<string | null>`(select ${staff.name} from ${staff} where ${staff.id} = ${F.staffId})`,
      serviceName: sql<string>`(select ${services.name} from ${services} where ${services.id} = ${ratings.serviceId})`,
      ticketNumber: queueTickets.number,
      ticketIssuedAt: queueTickets.issuedAt,
      ticketCalledAt: queueTickets.calledAt,
      citizenPhone: sql<string | null>`(select ${citizens.phone} from ${citizens} where ${citizens.id} = ${F.citizenId})`,
    })
    .from(F)
    .innerJoin(ratings, eq(ratings.id, F.ratingId))
    .innerJoin(queueTickets, eq(queueTickets.id, F.ticketId))
    .$dynamic()
}

export type FollowUpJoined = Awaited<ReturnType<ReturnType<typeof followUpQuery>['execute']>>[number]

/** The number to call back: left at the evaluator, else the served citizen's account. */
export const contactOf = (j: Pick<FollowUpJoined, 'r' | 'citizenPhone'>) => j.r.contactPhone ?? j.citizenPhone ?? null

export function toListItem(j: FollowUpJoined, now: Date): FollowUpListItem {
  const { f, r } = j
  const contact = contactOf(j)
  return {
    id: f.id,
    number: f.number,
    state: f.state,
    stateType: followUpMachine.typeOf(f.state),
    level: r.level,
    tags: r.tags,
    comment: r.comment,
    channel: r.channel,
    officeName: j.officeName,
    windowNumber: j.windowNumber,
    staffName: j.staffName,
    serviceName: j.serviceName,
    ticketNumber: j.ticketNumber,
    ratedAt: r.ratedAt.toISOString(),
    openedAt: f.openedAt.toISOString(),
    dueAt: f.dueAt.toISOString(),
    closedAt: iso(f.closedAt),
    overdue: isOverdue(f.state, f.dueAt, now),
    contactMasked: contact ? maskPhone(contact) : null,
  }
}

async function callBackCount(db: Db, followUpId: string) {
  const [row] = await db
    .select({ n: count(), reached: sql<number>`count(*) filter (where ${ratingCallBacks.reached})`.mapWith(Number) })
    .from(ratingCallBacks)
    .where(eq(ratingCallBacks.followUpId, followUpId))
  return { callBacks: row?.n ?? 0, reachedCallBacks: row?.reached ?? 0 }
}

/** What the guard needs beyond the row (call-back counts). */
export async function guardInput(ctx: Ctx, f: FollowUpRow) {
  const actorId = ctx.actor.kind === 'staff' ? ctx.actor.id : ''
  return { state: f.state, role: roleOf(ctx), actorId, ratedStaffId: f.staffId, contestedBy: f.contestedBy, ...(await callBackCount(ctx.db, f.id)) }
}

async function fileRefs(db: Db, ids: string[]) {
  if (ids.length === 0) return []
  const rows = await db.select().from(files).where(inArray(files.id, ids))
  return ids
    .map((id) => rows.find((f) => f.id === id))
    .filter((f): f is typeof files.$inferSelect => !!f)
    .map((f) => ({ id: f.id, name: f.name, url: fileUrl(f.id), thumbUrl: f.thumbKey ? fileUrl(f.id, true) : null, contentType: f.contentType }))
}

export async function staffTimeline(ctx: Ctx, followUpId: string): Promise<TimelineEvent[]> {
  const rows = await ctx.db.select().from(ratingFollowUpEvents).where(eq(ratingFollowUpEvents.followUpId, followUpId)).orderBy(asc(ratingFollowUpEvents.at))
  const out: TimelineEvent[] = []
  for (const e of rows) {
    const attachments = (await fileRefs(ctx.db, e.fileIds)).map((f) => ({ id: f.id, url: f.url, thumbUrl: f.thumbUrl, name: f.name }))
    out.push({
      id: e.id,
      at: e.at.toISOString(),
      action: e.action,
      actorRole: e.actorRole,
      fromState: e.fromState,
      toState: e.toState,
      note: e.note,
      attachments,
    })
  }
  return out
}

/** The steps the citizen sees: the case opening, verification, call-back, rectification and outcome; never the contest. */
export async function publicTimeline(ctx: Ctx, followUpId: string): Promise<TimelineEvent[]> {
  const rows = await ctx.db
    .select()
    .from(ratingFollowUpEvents)
    .where(and(eq(ratingFollowUpEvents.followUpId, followUpId), eq(ratingFollowUpEvents.public, true)))
    .orderBy(asc(ratingFollowUpEvents.at))
  return rows.map((e) => ({
    id: e.id,
    at: e.at.toISOString(),
    action: e.action,
    actorRole: e.actorType === 'staff' ? 'unit_head' : e.actorRole,
    fromState: null,
    toState: e.toState,
    note: e.publicNote,
    attachments: [],
  }))
}

export async function toDetail(ctx: Ctx, j: FollowUpJoined): Promise<FollowUpDetail> {
  const { f, r } = j
  const cbs = await ctx.db.select().from(ratingCallBacks).where(eq(ratingCallBacks.followUpId, f.id)).orderBy(asc(ratingCallBacks.calledAt))
  const names = new Map<string, string>()
  const ids = [...new Set([...cbs.map((c) => c.recordedBy), f.contestedBy].filter((x): x is string => !!x))]
  if (ids.length) for (const s of await ctx.db.select({ id: staff.id, name: staff.name }).from(staff).where(inArray(staff.id, ids))) names.set(s.id, s.name)
  const contestEvent = f.contestedAt
    ? (
        await ctx.db
          .select({ fileIds: ratingFollowUpEvents.fileIds })
          .from(ratingFollowUpEvents)
          .where(and(eq(ratingFollowUpEvents.followUpId, f.id), eq(ratingFollowUpEvents.action, 'contest')))
      )[0]
    : undefined
  const now = ctx.now()
  const wait = j.ticketCalledAt ? Math.round(((j.ticketCalledAt.getTime() - j.ticketIssuedAt.getTime()) / 60_000) * 10) / 10 : null
  return {
    ...toListItem(j, now),
    version: f.version,
    ticketId: f.ticketId,
    ratedStaffId: f.staffId,
    completedAt: r.completedAt.toISOString(),
    waitMinutes: wait,
    verification: f.verification,
    rectification: f.rectification,
    outcome: f.outcome,
    callBacks: cbs.map((c) => ({
      id: c.id,
      calledAt: c.calledAt.toISOString(),
      method: c.method,
      reached: c.reached,
      feedback: c.feedback,
      note: c.note,
      recordedBy: c.recordedBy ? (names.get(c.recordedBy) ?? null) : null,
    })),
    contest:
      f.contestedAt && f.contestReason
        ? {
            reason: f.contestReason,
            by: f.contestedBy,
            byName: f.contestedBy ? (names.get(f.contestedBy) ?? null) : null,
            at: f.contestedAt.toISOString(),
            evidence: await fileRefs(ctx.db, contestEvent?.fileIds ?? []),
            decision: f.contestDecision,
            decidedAt: iso(f.contestDecidedAt),
            decisionNote: f.contestNote,
          }
        : null,
    hasContact: !!contactOf(j),
    timeline: await staffTimeline(ctx, f.id),
    actions: followUpActions(await guardInput(ctx, f)),
  }
}
