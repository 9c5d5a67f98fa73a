import type { ActorRole } from '@tp/shared'
import { type AppealDueResult, appealDue, isProvisional } from '@tp/shared/appeals/due'
import { type AppealAction, type AppealGuardInput, type AppealState, appealDenial, appealMachine, type Denial } from '@tp/shared/appeals/machine'
import type { AppealDue } from '@tp/shared/appeals/schemas'
import type { ClockPause } from '@tp/shared/calendar'
import { and, asc, eq, sql } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import { type Actor, type Ctx, withDb } from '../../platform/context'
import { AppError, conflict, forbidden, invalidTransition, notFound } from '../../platform/errors'
import { notify } from '../../platform/notify'
import { staff, units } from '../identity/identity.tables'
import { appealEvents, appealExtensions, appealMaterialRequests, appeals } from './appeals.tables'
import { workCalendar } from './calendar.service'

export type AppealRow = typeof appeals.$inferSelect
export type AppealPatch = Partial<typeof appeals.$inferInsert>

/** Staff see cases of their unit subtree only; anything else is "not found". */
export async function loadForStaff(ctx: Ctx, id: string): Promise<AppealRow> {
  const [row] = await ctx.db.select().from(appeals).where(eq(appeals.id, id))
  if (!row || ctx.actor.kind !== 'staff' || !ctx.actor.unitScope.includes(row.unitId)) throw notFound('Appeal')
  return row
}

/** Citizens see their own cases only. */
export async function loadForCitizen(ctx: Ctx, id: string): Promise<AppealRow> {
  const [row] = await ctx.db.select().from(appeals).where(eq(appeals.id, id))
  if (!row || ctx.actor.kind !== 'citizen' || row.citizenId !== ctx.actor.id) throw notFound('Appeal')
  return row
}

export function loadForActor(ctx: Ctx, id: string): Promise<AppealRow> {
  return ctx.actor.kind === 'citizen' ? loadForCitizen(ctx, id) : loadForStaff(ctx, id)
}

export async function pausesOf(ctx: Ctx, appealId: string): Promise<ClockPause[]> {
  const rows = await ctx.db
    .select({ from: appealMaterialRequests.requestedAt, to: appealMaterialRequests.answeredAt })
    .from(appealMaterialRequests)
    .where(eq(appealMaterialRequests.appealId, appealId))
    .orderBy(asc(appealMaterialRequests.requestedAt))
  return rows
}

export async function dueOf(ctx: Ctx, row: AppealRow, pauses?: ClockPause[]): Promise<AppealDueResult> {
  const cal = await workCalendar(ctx)
  return appealDue(
    {
      start: row.clockStart,
      policy: row.policy,
      pauses: pauses ?? (await pausesOf(ctx, row.id)),
      extensionDays: row.extensionDays,
      provisional: isProvisional(row.policy, row.acceptedAt),
    },
    cal,
    ctx.now(),
  )
}

/** The stored clock columns for a computed due date (sorting, counts, the reminder job's filter). */
export function dueColumns(d: AppealDueResult) {
  return { dueDate: d.dueDate, dueAt: d.dueAt, remind1At: d.remindAt[0] ?? null, remind2At: d.remindAt[1] ?? null }
}

const sameInstant = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null)

/** Whether the stored clock columns differ from the computed ones. */
export function dueChanged(row: Pick<AppealRow, 'dueDate' | 'dueAt' | 'remind1At' | 'remind2At'>, d: AppealDueResult): boolean {
  const c = dueColumns(d)
  return row.dueDate !== c.dueDate || !sameInstant(row.dueAt, c.dueAt) || !sameInstant(row.remind1At, c.remind1At) || !sameInstant(row.remind2At, c.remind2At)
}

/** The due block of a view: live for open cases, the final date (no badge) for closed ones. */
export async function dueView(ctx: Ctx, row: AppealRow, pauses?: ClockPause[]): Promise<AppealDue | null> {
  if (appealMachine.typeOf(row.state) !== 'open') {
    if (!row.dueDate || !row.dueAt) return null
    return {
      startedAt: row.clockStart.toISOString(),
      dueDate: row.dueDate,
      dueAt: row.dueAt.toISOString(),
      daysLeft: 0,
      status: 'none',
      paused: false,
      pausedDays: 0,
      extensionDays: row.extensionDays,
      provisional: false,
    }
  }
  const d = await dueOf(ctx, row, pauses)
  return {
    startedAt: d.startedAt.toISOString(),
    dueDate: d.dueDate,
    dueAt: d.dueAt.toISOString(),
    daysLeft: d.daysLeft,
    status: d.status,
    paused: d.paused,
    pausedDays: d.pausedDays,
    extensionDays: d.extensionDays,
    provisional: d.provisional,
  }
}

/** Stores the current due date on the row (sorting, counts, reminders). */
export async function refreshDue(ctx: Ctx, row: AppealRow): Promise<AppealRow> {
  const d = await dueOf(ctx, row)
  if (!dueChanged(row, d)) return row
  const [updated] = await ctx.db.update(appeals).set(dueColumns(d)).where(eq(appeals.id, row.id)).returning()
  return updated ?? row
}

export async function pendingExtension(ctx: Ctx, appealId: string) {
  const [row] = await ctx.db
    .select()
    .from(appealExtensions)
    .where(and(eq(appealExtensions.appealId, appealId), eq(appealExtensions.state, 'pending')))
  return row ?? null
}

export function guardInput(actor: Actor, row: AppealRow, pending: { requestedBy: string } | null): AppealGuardInput {
  return {
    state: row.state,
    role: actor.role as ActorRole,
    actorId: actor.kind === 'citizen' || actor.kind === 'staff' ? actor.id : '',
    citizenId: row.citizenId,
    assigneeId: row.assigneeId,
    proposedBy: row.state === 'pending_approval' ? row.proposedBy : null,
    pendingExtension: pending,
  }
}

export const staleVersion = (row: Pick<AppealRow, 'state' | 'version'>) =>
  conflict('version_conflict', 'Someone else has just changed this case; please look at its current state', {
    current: { state: row.state, version: row.version },
  })

const DENIALS: Record<Exclude<Denial, 'state' | 'role'>, () => AppError> = {
  not_owner: () => notFound('Appeal'),
  not_assignee: () => new AppError(403, 'not_assignee', 'Only the officer assigned to this case can do this'),
  own_proposal: () => new AppError(403, 'four_eyes', 'A unit head other than the reviewer must approve this decision'),
  own_extension: () => new AppError(403, 'four_eyes', 'A unit head other than the requester must decide on this extension'),
  no_pending_extension: () => conflict('no_pending_extension', 'There is no pending extension request'),
  extension_pending: () => conflict('extension_pending', 'An extension request is already waiting for a decision'),
}

export function denialError(d: Denial, row: AppealRow, action: AppealAction): AppError {
  if (d === 'role') return forbidden(`Your role cannot ${action.replace(/_/g, ' ')} an appeal`)
  if (d === 'state') {
    const e = invalidTransition(row.state, action.replace(/_/g, ' '))
    return new AppError(409, e.code, e.message, undefined, { ...e.extra, current: { state: row.state, version: row.version } })
  }
  return DENIALS[d]()
}

export interface Step {
  set?: AppealPatch
  note?: string | null
  fileIds?: string[]
  citizenVisible?: boolean
  /** Runs after the row is updated, in the same transaction (material requests, tickets, notifications). */
  after?: (t: Ctx, updated: AppealRow) => Promise<void>
  /** Store the recomputed due date afterwards (clock changes). */
  recomputeDue?: boolean
  auditAfter?: Record<string, unknown>
}

/**
 * One action on one case, all or nothing: load in scope → check the version the actor saw → ask
 * the state machine and its guards → conditional UPDATE … WHERE version = seen (two people acting
 * at once: the second gets 409 with the current state) → timeline event, audit, live event.
 */
export async function perform(
  ctx: Ctx,
  id: string,
  action: AppealAction,
  version: number,
  step: (t: Ctx, row: AppealRow, to: AppealState) => Promise<Step> | Step,
): Promise<AppealRow> {
  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const row = await loadForActor(t, id)
    if (row.version !== version) throw staleVersion(row)
    const pending = await pendingExtension(t, id)
    const denial = appealDenial(guardInput(ctx.actor, row, pending), action)
    if (denial) throw denialError(denial, row, action)
    const to = appealMachine.next(row.state, action, ctx.actor.role as ActorRole) as AppealState
    const s = await step(t, row, to)
    const now = ctx.now()
    const [updated] = await tx
      .update(appeals)
      .set({ ...s.set, state: to, version: sql`${appeals.version} + 1`, updatedAt: now })
      .where(and(eq(appeals.id, id), eq(appeals.version, version)))
      .returning()
    if (!updated) {
      const [current] = await tx.select({ state: appeals.state, version: appeals.version }).from(appeals).where(eq(appeals.id, id))
      throw staleVersion(current ?? row)
    }
    let final = updated
    // A case that leaves the open states takes its pending extension request with it.
    if (appealMachine.typeOf(to) !== 'open')
      await tx
        .update(appealExtensions)
        .set({ state: 'cancelled', decidedAt: now })
        .where(and(eq(appealExtensions.appealId, id), eq(appealExtensions.state, 'pending')))
    await s.after?.(t, updated)
    if (s.recomputeDue) final = await refreshDue(t, updated)
    await recordEvent(t, id, { action, from: row.state, to, note: s.note ?? null, fileIds: s.fileIds ?? [], citizenVisible: s.citizenVisible ?? true })
    await audit(t, {
      entityType: 'appeal',
      entityId: id,
      action: `appeal.${action}`,
      before: { state: row.state, version: row.version },
      after: { state: to, version: final.version, ...s.auditAfter },
      unitId: row.unitId,
    })
    announce(ctx, final)
    return final
  })
}

export async function recordEvent(
  ctx: Ctx,
  appealId: string,
  e: { action: string; from: string | null; to: string | null; note: string | null; fileIds?: string[]; citizenVisible?: boolean; at?: Date },
) {
  const a = ctx.actor
  await ctx.db.insert(appealEvents).values({
    appealId,
    at: e.at ?? ctx.now(),
    action: e.action,
    actorType: a.kind,
    actorRole: a.role,
    actorId: a.kind === 'staff' || a.kind === 'citizen' ? a.id : null,
    fromState: e.from,
    toState: e.to,
    note: e.note,
    fileIds: e.fileIds ?? [],
    citizenVisible: e.citizenVisible ?? true,
  })
}

/** Live views (queue, tracker) refresh on this; no personal data in it. */
export function announce(ctx: Ctx, row: AppealRow) {
  ctx.emit({
    type: 'appeal.updated',
    audience: { unitIds: [row.unitId], citizenIds: [row.citizenId] },
    data: { id: row.id, number: row.number, state: row.state, version: row.version },
  })
}

export const citizenLink = (id: string) => `/appeals/${id}`
export const staffLink = (id: string) => `/appeals/${id}`

export async function notifyCitizen(ctx: Ctx, row: AppealRow, key: string, params: Record<string, string | number> = {}) {
  await notify(ctx, {
    recipientType: 'citizen',
    recipientId: row.citizenId,
    messageKey: `appeals.notify.${key}`,
    params: { number: row.number, ...params },
    link: citizenLink(row.id),
  })
}

export async function notifyStaff(
  ctx: Ctx,
  staffIds: (string | null | undefined)[],
  row: AppealRow,
  key: string,
  params: Record<string, string | number> = {},
) {
  const self = ctx.actor.kind === 'staff' ? ctx.actor.id : null
  for (const id of new Set(staffIds)) {
    if (!id || id === self) continue
    await notify(ctx, {
      recipientType: 'staff',
      recipientId: id,
      messageKey: `appeals.notify.${key}`,
      params: { number: row.number, ...params },
      link: staffLink(row.id),
    })
  }
}

/** Active unit heads at or above the case's unit. */
export async function unitHeadsFor(ctx: Ctx, unitId: string): Promise<string[]> {
  const rows = await ctx.db
    .select({ id: staff.id })
    .from(staff)
    .innerJoin(units, eq(units.id, unitId))
    .where(and(eq(staff.role, 'unit_head'), eq(staff.active, true), sql`${staff.unitId}::text = any(${units.path})`))
  return rows.map((r) => r.id)
}

/**
 * Legal officers who may take the case (their unit at or above the case's unit), the one assigned
 * longest ago first: round-robin within the unit.
 */
export async function roundRobinCandidate(ctx: Ctx, unitId: string): Promise<string | null> {
  const [row] = await ctx.db
    .select({ id: staff.id })
    .from(staff)
    .innerJoin(units, eq(units.id, unitId))
    .where(and(eq(staff.role, 'legal_officer'), eq(staff.active, true), sql`${staff.unitId}::text = any(${units.path})`))
    .orderBy(sql`(select max(a.assigned_at) from ${appeals} a where a.assignee_id = ${staff.id}) asc nulls first`, asc(staff.username))
    .limit(1)
  return row?.id ?? null
}

/** A manual assignee must be an active legal officer or unit head whose scope covers the case. */
export async function checkAssignee(ctx: Ctx, staffId: string, unitId: string): Promise<void> {
  const [row] = await ctx.db
    .select({ id: staff.id })
    .from(staff)
    .innerJoin(units, eq(units.id, unitId))
    .where(
      and(eq(staff.id, staffId), eq(staff.active, true), sql`${staff.role} in ('legal_officer', 'unit_head')`, sql`${staff.unitId}::text = any(${units.path})`),
    )
  if (!row)
    throw new AppError(422, 'invalid_assignee', 'Assign the case to an active legal officer or unit head of its unit', [
      { path: 'body.assignee', message: 'Not an eligible reviewer' },
    ])
}
