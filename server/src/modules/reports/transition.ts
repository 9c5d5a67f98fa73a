import type { ActorRole } from '@tp/shared'
import {
  ACTION_INPUT,
  addMonths,
  canDispute,
  canVerify,
  type KindConfig,
  machineFor,
  nextDue,
  outcomeOf,
  type ReportAction,
  type ReportActor,
  type ReportState,
  reportActors,
  reportNext,
  stateTypeOf,
} from '@tp/shared/reports/index'
import { and, eq } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import type { Ctx } from '../../platform/context'
import { AppError, conflict, forbidden, invalidTransition } from '../../platform/errors'
import { notify } from '../../platform/notify'
import { staff } from '../identity/identity.tables'
import { attachPhotos } from './photos.service'
import { reportEvents, reportSightings, reports } from './reports.tables'
import type { ReportRow } from './reports.view'

export interface TransitionInput {
  action: ReportAction
  note?: string
  officerId?: string
  photoIds?: string[]
  /** The version the actor saw (staff); omitted: the loaded row's version. */
  version?: number
  mergedIntoId?: string
  rating?: { score: number; comment?: string }
}

export function actorRole(ctx: Ctx): ActorRole {
  const r = ctx.actor.role
  return (r === 'anonymous' ? 'system' : r) as ActorRole
}

/** Who the actor is on this report: their role, and the assigned officer when it is dispatched to them. */
export function actorsOn(ctx: Ctx, r: Pick<ReportRow, 'officerId'>): ReportActor[] {
  const a = ctx.actor
  return reportActors(actorRole(ctx), a.kind === 'staff' && !!r.officerId && r.officerId === a.id)
}

export function actorName(ctx: Ctx): string | null {
  return ctx.actor.kind === 'staff' ? ctx.actor.name : null
}

/** Writes one timeline row. */
export async function addEvent(
  ctx: Ctx,
  reportId: string,
  e: {
    action: string
    fromState?: string | null
    toState?: string | null
    note?: string | null
    internal?: boolean
    data?: Record<string, unknown>
    at?: Date
  },
): Promise<string> {
  const a = ctx.actor
  const [row] = await ctx.db
    .insert(reportEvents)
    .values({
      reportId,
      at: e.at ?? ctx.now(),
      action: e.action,
      actorType: a.kind,
      actorId: a.kind === 'citizen' || a.kind === 'staff' ? a.id : null,
      actorRole: a.role,
      actorName: actorName(ctx),
      fromState: e.fromState ?? null,
      toState: e.toState ?? null,
      note: e.note ?? null,
      internal: e.internal ?? false,
      data: e.data ?? {},
    })
    .returning({ id: reportEvents.id })
  return (row as { id: string }).id
}

/** Audience of a report's live events: its unit's staff (and above), the reporter, the officer. */
export function audienceOf(r: Pick<ReportRow, 'unitId' | 'citizenId' | 'officerId'>) {
  return { unitIds: [r.unitId], citizenIds: r.citizenId ? [r.citizenId] : [], staffIds: r.officerId ? [r.officerId] : [] }
}

export function liveData(r: ReportRow, extra: Record<string, unknown> = {}) {
  return { id: r.id, number: r.number, kind: r.kind, state: r.state, stateType: r.stateType, unitId: r.unitId, gridId: r.gridId, version: r.version, ...extra }
}

async function checkOfficer(ctx: Ctx, officerId: string | undefined) {
  if (!officerId) throw new AppError(400, 'validation_failed', 'Choose an officer', [{ path: 'body.officerId', message: 'Required for dispatch' }])
  const [o] = await ctx.db.select().from(staff).where(eq(staff.id, officerId))
  const scope = ctx.actor.kind === 'staff' ? ctx.actor.unitScope : []
  if (!o?.active || o.role !== 'dispatcher' || !scope.includes(o.unitId))
    throw new AppError(400, 'validation_failed', 'Not an officer you can dispatch', [
      { path: 'body.officerId', message: 'Unknown officer or outside your scope' },
    ])
  if (!o.onDuty) throw conflict('officer_off_duty', `${o.name} is not on duty`)
  return o
}

/**
 * Applies one state-machine action to a report, inside the caller's transaction: the rules beside
 * the machine, the optimistic lock, the timeline row, the audit entry, the citizen's notification
 * and the live event. Returns the updated row.
 */
export async function applyTransition(ctx: Ctx, report: ReportRow, kind: KindConfig, input: TransitionInput): Promise<ReportRow> {
  const { action } = input
  const from = report.state
  const machine = machineFor(report.course)
  const to = reportNext(machine, from, action, actorsOn(ctx, report))
  if (!to) {
    if (machine.next(from, action, 'assigned_officer')) throw forbidden('Only the officer the report is assigned to can take this step')
    throw invalidTransition(from, action)
  }
  if (input.version !== undefined && input.version !== report.version)
    throw conflict('version_conflict', 'The report was changed by someone else; reload and try again', { version: report.version })
  const now = ctx.now()
  const need = ACTION_INPUT[action]
  if (need.note === 'required' && !input.note)
    throw new AppError(400, 'validation_failed', 'A reason is required', [{ path: 'body.note', message: 'Required for this action' }])
  if (need.photos === 'required' && !input.photoIds?.length)
    throw new AppError(400, 'validation_failed', 'A photo is required', [{ path: 'body.photoIds', message: 'Attach a photo of the notice' }])

  const patch: Partial<typeof reports.$inferInsert> = {}
  let officerName: string | null = null
  const zombie = kind.zombie
  switch (action) {
    case 'accept':
      patch.acceptedAt = now
      break
    case 'dispatch':
    case 'reassign': {
      const o = await checkOfficer(ctx, input.officerId)
      officerName = o.name
      patch.officerId = o.id
      patch.acknowledgedAt = null
      // Reassigning a verified car or a running notice keeps its progress: only the officer changes.
      if (to === 'dispatched') patch.dispatchedAt = now
      patch.acceptedAt = report.acceptedAt ?? now
      break
    }
    case 'acknowledge':
      patch.acknowledgedAt = now
      break
    case 'arrive':
      patch.onSceneAt = now
      break
    case 'verify': {
      const rows = await ctx.db.select({ at: reportSightings.at }).from(reportSightings).where(eq(reportSightings.reportId, report.id))
      const hours = zombie?.secondSightingHours ?? 24
      if (!canVerify([report.createdAt, ...rows.map((r) => r.at), now], hours))
        throw conflict('second_sighting_required', `Long-term parking needs a second sighting at least ${hours} hours after the first`)
      patch.verifiedAt = now
      break
    }
    case 'post_notice':
      patch.noticeDueAt = new Date(now.getTime() + (zombie?.noticeDays ?? 7) * 86_400_000)
      break
    case 'tow':
      if (report.noticeDueAt && now < report.noticeDueAt)
        throw conflict('notice_period_running', 'The notice period has not ended yet', { until: report.noticeDueAt.toISOString() })
      break
    case 'announce':
      patch.publicNoticeEndsAt = addMonths(now, zombie?.publicNoticeMonths ?? 3)
      break
    case 'dispose':
      if (report.publicNoticeEndsAt && now < report.publicNoticeEndsAt)
        throw conflict('public_notice_running', 'The public notice period has not ended yet', { until: report.publicNoticeEndsAt.toISOString() })
      break
    case 'rate':
      if (report.ratedAt) throw conflict('already_rated', 'You have already rated this report')
      if (!input.rating) throw new AppError(400, 'validation_failed', 'A score is required', [{ path: 'body.score', message: 'Required' }])
      patch.rating = input.rating.score
      patch.ratingComment = input.rating.comment || null
      patch.ratedAt = now
      break
    case 'dispute':
      if (!canDispute(report, now)) throw conflict('dispute_window_closed', 'A closure can be disputed within 7 days only')
      patch.clockStartAt = now
      patch.dispatchedAt = null
      patch.onSceneAt = null
      patch.resolvedAt = null
      patch.outcome = null
      patch.finishedAt = null
      patch.closedAt = null
      patch.disputeCount = report.disputeCount + 1
      break
    case 'merge':
      patch.mergedIntoId = input.mergedIntoId ?? null
      break
    default:
      break
  }
  const outcome = outcomeOf(to)
  if (outcome) {
    patch.outcome = outcome
    patch.resolvedAt = now
  }
  if (stateTypeOf(from) === 'open' && stateTypeOf(to) !== 'open') patch.finishedAt = now
  // Closing (also by rating a fixed outcome, or by rejecting) starts the dispute window.
  if (to === 'closed' || to === 'rejected') patch.closedAt = report.closedAt ?? now
  if (action === 'reject' || action === 'dispute' || action === 'merge') patch.statusNote = input.note ?? null
  else if (from !== to) patch.statusNote = null

  const merged = { ...report, ...patch, state: to } as ReportRow
  const due = nextDue(
    {
      state: to,
      clockStartAt: merged.clockStartAt,
      reached: {
        accepted: merged.acceptedAt,
        dispatched: merged.dispatchedAt,
        on_scene: merged.onSceneAt,
        verified: merged.verifiedAt,
        resolved: merged.resolvedAt,
      },
      noticeDueAt: merged.noticeDueAt,
      publicNoticeEndsAt: merged.publicNoticeEndsAt,
    },
    kind,
  )
  const [updated] = await ctx.db
    .update(reports)
    .set({
      ...patch,
      state: to,
      stateType: stateTypeOf(to),
      dueAt: due?.dueAt ?? null,
      dueReason: due?.reason ?? null,
      version: report.version + 1,
      updatedAt: now,
    })
    .where(and(eq(reports.id, report.id), eq(reports.version, report.version)))
    .returning()
  if (!updated) throw conflict('version_conflict', 'The report was changed by someone else; reload and try again')

  const eventId = await addEvent(ctx, report.id, {
    action,
    fromState: from,
    toState: to,
    note: input.note ?? null,
    data: {
      ...(officerName ? { officerName } : {}),
      ...(input.rating ? { score: input.rating.score } : {}),
      ...(input.mergedIntoId ? { mergedIntoId: input.mergedIntoId } : {}),
    },
  })
  if (input.photoIds?.length) await attachPhotos(ctx, input.photoIds, { type: 'report_event', id: eventId })
  if (report.course === 'zombie' && (action === 'arrive' || action === 'verify'))
    await ctx.db.insert(reportSightings).values({ reportId: report.id, at: now, by: 'officer', actorId: ctx.actor.kind === 'staff' ? ctx.actor.id : null })

  await audit(ctx, {
    entityType: 'report',
    entityId: report.id,
    action: `report.${action}`,
    before: { state: from, version: report.version, officerId: report.officerId },
    after: { state: to, version: updated.version, officerId: updated.officerId, note: input.note ?? null },
    unitId: report.unitId,
  })
  // Every change reaches the reporter's inbox, their own steps too, so it holds the case's whole history.
  if (report.citizenId && action !== 'acknowledge') {
    await notify(ctx, {
      recipientType: 'citizen',
      recipientId: report.citizenId,
      messageKey: `reports.notify.${action}`,
      params: { number: report.number },
      link: `/reports/${report.id}`,
    })
  }
  if ((action === 'dispatch' || action === 'reassign') && updated.officerId && updated.officerId !== (ctx.actor.kind === 'staff' ? ctx.actor.id : null)) {
    await notify(ctx, {
      recipientType: 'staff',
      recipientId: updated.officerId,
      messageKey: 'reports.notify.staff_dispatched',
      params: { number: report.number, address: report.address },
      link: `/console/reports/officer?id=${report.id}`,
    })
  }
  const audience = audienceOf(updated)
  if (report.officerId && report.officerId !== updated.officerId) audience.staffIds.push(report.officerId)
  ctx.emit({ type: 'report.updated', audience, data: liveData(updated, { action, from }) })
  return updated
}

export type { ReportState }
