import type { DecisionBody } from '@tp/shared/appeals/schemas'
import { and, eq, isNull, sql } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import { type Ctx, requireStaff, withDb } from '../../platform/context'
import { AppError, conflict } from '../../platform/errors'
import { type AppealRow, checkAssignee, dueOf, notifyCitizen, notifyStaff, pendingExtension, perform, roundRobinCandidate, unitHeadsFor } from './appeals.core'
import { appealExtensions, appealMaterialRequests, tickets } from './appeals.tables'
import { requireActive } from './options.service'

/**
 * 受理: the clock starts now (the provisional clock from filing is replaced), except for types
 * whose clock started on filing (same-day forwarding); optionally assigns at once.
 */
export async function acceptAppeal(ctx: Ctx, id: string, body: { version: number; assign: 'auto' | 'none' | string }): Promise<AppealRow> {
  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const accepted = await perform(t, id, 'accept', body.version, (_t, row) => {
      const now = ctx.now()
      return {
        set: row.policy.startsOn === 'filing' ? { acceptedAt: now } : { acceptedAt: now, clockStart: now },
        recomputeDue: true,
        after: async (tt, row) => {
          const d = await dueOf(tt, row)
          await notifyCitizen(tt, row, 'accepted', { dueDate: d.dueDate })
        },
      }
    })
    if (body.assign === 'none') return accepted
    return assignAppeal(t, id, { version: accepted.version, assignee: body.assign })
  })
}

/** 不予受理 with a reason (an active configured refusal reason); closes the case. */
export async function refuseAppeal(ctx: Ctx, id: string, body: { version: number; reason: string; note?: string }) {
  await requireActive(ctx, 'refuseReasons', [body.reason], () => 'body.reason')
  return perform(ctx, id, 'refuse', body.version, () => {
    const now = ctx.now()
    return {
      set: { refuseReason: body.reason, refuseNote: body.note ?? null, closedAt: now },
      note: body.note ?? null,
      auditAfter: { reason: body.reason },
      after: (t, row) => notifyCitizen(t, row, 'refused', { reason: body.reason }),
    }
  })
}

export async function assignAppeal(ctx: Ctx, id: string, body: { version: number; assignee: 'auto' | string }) {
  return perform(ctx, id, 'assign', body.version, async (t, row) => {
    let assignee = body.assignee
    if (assignee === 'auto') {
      const picked = await roundRobinCandidate(t, row.unitId)
      if (!picked) throw new AppError(422, 'no_reviewer', 'No active legal officer covers this unit')
      assignee = picked
    } else await checkAssignee(t, assignee, row.unitId)
    if (assignee === row.assigneeId) throw conflict('already_assigned', 'The case is already assigned to this person')
    return {
      set: { assigneeId: assignee, assignedAt: ctx.now() },
      citizenVisible: false,
      auditAfter: { assigneeId: assignee, auto: body.assignee === 'auto' },
      after: (tt, updated) => notifyStaff(tt, [updated.assigneeId], updated, 'assigned'),
    }
  })
}

/**
 * 补正: asks the citizen for more material; the clock stands still until it comes (up to the
 * cap) when the type's policy pauses for material, else it keeps running.
 */
export function requestMaterial(ctx: Ctx, id: string, body: { version: number; items: string }) {
  const actor = requireStaff(ctx.actor)
  return perform(ctx, id, 'request_material', body.version, (_t, row) => ({
    set: { pausedSince: row.policy.pausable ? ctx.now() : null },
    note: body.items,
    recomputeDue: true,
    after: async (t, row) => {
      await t.db.insert(appealMaterialRequests).values({ appealId: row.id, items: body.items, requestedBy: actor.id, requestedAt: ctx.now() })
      await notifyCitizen(t, row, 'material_requested')
    },
  }))
}

async function closeMaterialRequest(ctx: Ctx, appealId: string, note: string, by: 'citizen' | 'staff'): Promise<string> {
  const [req] = await ctx.db
    .update(appealMaterialRequests)
    .set({ answeredAt: ctx.now(), answerNote: note, answeredBy: by })
    .where(and(eq(appealMaterialRequests.appealId, appealId), isNull(appealMaterialRequests.answeredAt)))
    .returning({ id: appealMaterialRequests.id })
  if (!req) throw conflict('no_open_request', 'There is no open request for material')
  return req.id
}

/** The officer ends the wait without the material (e.g. it arrived by post); the clock runs again. */
export function resumeAppeal(ctx: Ctx, id: string, body: { version: number; note: string }) {
  return perform(ctx, id, 'resume', body.version, () => ({
    set: { pausedSince: null },
    note: body.note,
    recomputeDue: true,
    after: async (t, row) => {
      await closeMaterialRequest(t, row.id, body.note, 'staff')
      const d = await dueOf(t, row)
      await notifyCitizen(t, row, 'resumed', { dueDate: d.dueDate })
    },
  }))
}

/** The citizen's answer to a material request (files already stored by the caller). */
export function supplyMaterial(ctx: Ctx, id: string, body: { version: number; note: string }, storeFiles: (t: Ctx, requestId: string) => Promise<string[]>) {
  let fileIds: string[] = []
  return perform(ctx, id, 'supply_material', body.version, async (t, row) => {
    const requestId = await closeMaterialRequest(t, row.id, body.note, 'citizen')
    fileIds = await storeFiles(t, requestId)
    return {
      set: { pausedSince: null },
      note: body.note,
      fileIds,
      recomputeDue: true,
      after: async (tt, updated) => {
        const d = await dueOf(tt, updated)
        await notifyCitizen(tt, updated, 'material_received', { dueDate: d.dueDate })
        await notifyStaff(tt, [updated.assigneeId], updated, 'material_supplied')
      },
    }
  })
}

export function saveFindings(ctx: Ctx, id: string, body: { version: number; findings: string }) {
  return perform(ctx, id, 'save_findings', body.version, () => ({ set: { findings: body.findings }, citizenVisible: false }))
}

/**
 * 维持 takes effect at once; 变更 / 撤销 wait for a unit head who is not the reviewer. A
 * correction may only lower the penalty (行政处罚法 art. 45: no heavier penalty for a defence).
 */
export async function decideAppeal(ctx: Ctx, id: string, body: DecisionBody) {
  const actor = requireStaff(ctx.actor)
  await requireActive(ctx, 'legalBases', body.legalBasis, (i) => `body.legalBasis.${i}`)
  const action = body.outcome === 'upheld' ? 'uphold' : body.outcome === 'corrected' ? 'correct' : 'revoke'
  return perform(ctx, id, action, body.version, async (t, row) => {
    const now = ctx.now()
    if (body.outcome === 'corrected') {
      const [ticket] = await t.db.select().from(tickets).where(eq(tickets.id, row.ticketId))
      const fine = body.correctedFineYuan ?? ticket!.fineYuan
      const points = body.correctedPoints ?? ticket!.points
      if (fine > ticket!.fineYuan || points > ticket!.points)
        throw new AppError(422, 'heavier_penalty', 'A correction cannot raise the fine or the points (行政处罚法 第四十五条)', [
          { path: 'body.correctedFineYuan', message: 'Must not exceed the original penalty' },
        ])
      if (fine === ticket!.fineYuan && points === ticket!.points)
        throw new AppError(422, 'no_change', 'A correction must change the fine or the points', [{ path: 'body.correctedFineYuan', message: 'Unchanged' }])
    }
    const decision = {
      outcome: body.outcome,
      findings: body.findings,
      legalBasis: body.legalBasis,
      replyText: body.replyText,
      correctedFineYuan: body.outcome === 'corrected' ? (body.correctedFineYuan ?? null) : null,
      correctedPoints: body.outcome === 'corrected' ? (body.correctedPoints ?? null) : null,
      proposedBy: actor.id,
      proposedAt: now,
    }
    if (body.outcome === 'upheld') {
      return {
        set: { ...decision, decidedAt: now, closedAt: now, approvedBy: null },
        recomputeDue: true,
        auditAfter: { outcome: 'upheld' },
        after: (tt, updated) => notifyCitizen(tt, updated, 'decided', { outcome: 'upheld' }),
      }
    }
    return {
      set: decision,
      citizenVisible: false,
      auditAfter: { outcome: body.outcome },
      after: async (tt, updated) => notifyStaff(tt, await unitHeadsFor(tt, updated.unitId), updated, 'approval_needed', { outcome: body.outcome }),
    }
  })
}

/** The unit head's sign-off: approve (the decision takes effect, the ticket follows) or send back. */
export function approveDecision(ctx: Ctx, id: string, body: { version: number; approve: boolean; note?: string }) {
  const actor = requireStaff(ctx.actor)
  if (!body.approve) {
    return perform(ctx, id, 'return', body.version, (_t, row) => ({
      set: { outcome: null, proposedAt: null, proposedBy: null },
      note: body.note ?? null,
      citizenVisible: false,
      auditAfter: { returned: row.outcome },
      after: (tt, updated) => notifyStaff(tt, [row.proposedBy, updated.assigneeId], updated, 'returned'),
    }))
  }
  return perform(ctx, id, 'approve', body.version, () => {
    const now = ctx.now()
    return {
      set: { approvedBy: actor.id, decidedAt: now, closedAt: now },
      note: body.note ?? null,
      recomputeDue: true,
      after: async (t, row) => {
        await applyToTicket(t, row)
        await notifyCitizen(t, row, 'decided', { outcome: row.outcome ?? '' })
        await notifyStaff(t, [row.proposedBy], row, 'approved')
      },
      auditAfter: { approvedBy: actor.id },
    }
  })
}

/** The ticket's status follows the outcome (optimistic lock on the ticket too). */
async function applyToTicket(ctx: Ctx, row: AppealRow) {
  if (row.outcome !== 'revoked' && row.outcome !== 'corrected') return
  const [ticket] = await ctx.db.select().from(tickets).where(eq(tickets.id, row.ticketId))
  if (!ticket) return
  const set =
    row.outcome === 'revoked'
      ? { status: 'revoked' as const }
      : { status: 'corrected' as const, correctedFineYuan: row.correctedFineYuan ?? ticket.fineYuan, correctedPoints: row.correctedPoints ?? ticket.points }
  const [updated] = await ctx.db
    .update(tickets)
    .set({ ...set, version: sql`${tickets.version} + 1`, updatedAt: ctx.now() })
    .where(and(eq(tickets.id, ticket.id), eq(tickets.version, ticket.version)))
    .returning({ id: tickets.id })
  if (!updated) throw conflict('version_conflict', 'The ticket was changed at the same time; please retry')
  await audit(ctx, {
    entityType: 'ticket',
    entityId: ticket.id,
    action: `ticket.${row.outcome}`,
    before: { status: ticket.status, fineYuan: ticket.fineYuan, points: ticket.points },
    after: { ...set, appeal: row.number },
    unitId: ticket.unitId,
  })
}

/** 延期: asks a unit head for more days, with a reason; capped by the policy. */
export function requestExtension(ctx: Ctx, id: string, body: { version: number; days: number; reason: string }) {
  const actor = requireStaff(ctx.actor)
  return perform(ctx, id, 'request_extension', body.version, (_t, row) => {
    if (row.extensionDays + body.days > row.policy.maxExtensionDays)
      throw new AppError(422, 'extension_too_long', `At most ${row.policy.maxExtensionDays} extension days in all for this appeal type`, [
        { path: 'body.days', message: `At most ${row.policy.maxExtensionDays - row.extensionDays} more days` },
      ])
    return {
      note: body.reason,
      citizenVisible: false,
      auditAfter: { days: body.days },
      after: async (t, updated) => {
        await t.db.insert(appealExtensions).values({ appealId: id, days: body.days, reason: body.reason, requestedBy: actor.id, requestedAt: ctx.now() })
        await notifyStaff(t, await unitHeadsFor(t, updated.unitId), updated, 'extension_requested', { days: body.days })
      },
    }
  })
}

export async function decideExtension(ctx: Ctx, id: string, body: { version: number; approve: boolean; note?: string }) {
  const actor = requireStaff(ctx.actor)
  return perform(ctx, id, body.approve ? 'approve_extension' : 'reject_extension', body.version, async (t, row) => {
    const ext = await pendingExtension(t, id)
    if (!ext) throw conflict('no_pending_extension', 'There is no pending extension request')
    await t.db
      .update(appealExtensions)
      .set({ state: body.approve ? 'approved' : 'rejected', decidedBy: actor.id, decidedAt: ctx.now(), decisionNote: body.note ?? null })
      .where(eq(appealExtensions.id, ext.id))
    const reason = body.approve ? `+${ext.days}: ${ext.reason}` : (body.note ?? null)
    return {
      set: body.approve ? { extensionDays: row.extensionDays + ext.days } : {},
      note: reason,
      // The citizen sees an approved extension and its reason, not a rejected request.
      citizenVisible: body.approve,
      recomputeDue: body.approve,
      auditAfter: { extensionId: ext.id, days: ext.days, approved: body.approve },
      after: async (tt, updated) => {
        if (body.approve) {
          const d = await dueOf(tt, updated)
          await notifyCitizen(tt, updated, 'extended', { days: ext.days, dueDate: d.dueDate })
        }
        await notifyStaff(tt, [ext.requestedBy], updated, body.approve ? 'extension_approved' : 'extension_rejected', { days: ext.days })
      },
    }
  })
}

/** The citizen withdraws an undecided appeal. */
export function withdrawAppeal(ctx: Ctx, id: string, body: { version: number; note?: string }) {
  return perform(ctx, id, 'withdraw', body.version, () => ({
    set: { closedAt: ctx.now(), pausedSince: null },
    note: body.note ?? null,
    after: async (t, row) => {
      await t.db
        .update(appealMaterialRequests)
        .set({ answeredAt: ctx.now(), answeredBy: 'withdrawn', answerNote: body.note ?? null })
        .where(and(eq(appealMaterialRequests.appealId, row.id), isNull(appealMaterialRequests.answeredAt)))
      await notifyCitizen(t, row, 'withdrawn')
      await notifyStaff(t, [row.assigneeId], row, 'withdrawn')
    },
  }))
}
