import type { TimelineEvent } from '@tp/shared'
import { maskName, maskPhone } from '@tp/shared'
import { EVIDENCE_LIMITS, REMEDIES } from '@tp/shared/appeals/config'
import { appealActions, appealMachine } from '@tp/shared/appeals/machine'
import type { AppealCreateFields, AppealView, ReplyLetter, StaffAppealView } from '@tp/shared/appeals/schemas'
import { toChinaDate } from '@tp/shared/calendar'
import { and, asc, desc, eq, inArray, lt, ne, or } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import { type Ctx, requireCitizen, requireStaff, withDb } from '../../platform/context'
import { decodeCursor, encodeCursor } from '../../platform/cursor'
import { AppError, badRequest, conflict, notFound } from '../../platform/errors'
import { files } from '../../platform/platform.tables'
import { type InspectedFile, inspectFile, storeUpload } from '../../platform/uploads'
import { citizens, staff, units } from '../identity/identity.tables'
import {
  type AppealRow,
  announce,
  dueView,
  guardInput,
  loadForCitizen,
  loadForStaff,
  notifyCitizen,
  pausesOf,
  pendingExtension,
  recordEvent,
  refreshDue,
} from './appeals.core'
import { appealEvents, appealExtensions, appealIsOpen, appealMaterialRequests, appeals, tickets } from './appeals.tables'
import { inactiveOption, labelOf, optionList, requireActive } from './options.service'
import { fileRef, findTicketForCitizen, occurredUnit, staffTicketView, ticketView } from './tickets.service'
import { appealTypes, typesForTicket } from './types.service'

function isUniqueViolation(err: unknown, constraint?: string): boolean {
  for (
    let e = err as { code?: string; constraint_name?: string; constraint?: string; cause?: unknown } | undefined, i = 0;
    e && i < 5;
    e = e.cause as typeof e, i++
  ) {
    if (
      e.code === '23505' &&
      (!constraint || e.constraint_name === constraint || e.constraint === constraint || String((e as Error).message).includes(constraint))
    )
      return true
  }
  return false
}

async function openAppealConflict(ctx: Ctx, ticketId: string): Promise<AppError> {
  const [open] = await ctx.db
    .select({ id: appeals.id, number: appeals.number, state: appeals.state, citizenId: appeals.citizenId })
    .from(appeals)
    .where(and(eq(appeals.ticketId, ticketId), appealIsOpen))
  const mine = open && ctx.actor.kind === 'citizen' && open.citizenId === ctx.actor.id
  return conflict(
    'appeal_exists',
    'This ticket already has an open appeal',
    // Link to the first appeal: the citizen's own, or just its number when someone else filed it.
    open
      ? { appeal: mine ? { id: open.id, number: open.number, state: open.state, link: `/appeals/${open.id}` } : { number: open.number, state: open.state } }
      : {},
  )
}

/** Checks the evidence by content (photos and PDF), at most 9 files and 20 MB in all. */
export async function inspectEvidence(raw: unknown[]): Promise<InspectedFile[]> {
  const filesIn = raw.filter((f) => f !== undefined && f !== '')
  if (filesIn.length > EVIDENCE_LIMITS.maxFiles)
    throw badRequest(`At most ${EVIDENCE_LIMITS.maxFiles} files`, [{ path: 'body.evidence', message: `At most ${EVIDENCE_LIMITS.maxFiles} files` }])
  const total = filesIn.reduce<number>((n, f) => n + (f instanceof File ? f.size : 0), 0)
  if (total > EVIDENCE_LIMITS.maxTotalBytes)
    throw new AppError(413, 'evidence_too_large', 'The files are larger than 20 MB in all', [{ path: 'body.evidence', message: 'More than 20 MB in all' }])
  const out: InspectedFile[] = []
  for (const [i, f] of filesIn.entries()) out.push(await inspectFile(f, EVIDENCE_LIMITS.kinds, EVIDENCE_LIMITS.maxTotalBytes, `body.evidence.${i}`))
  return out
}

/** A citizen files an appeal on a ticket they identified by decision number and plate (or a bound vehicle). */
export async function fileAppeal(ctx: Ctx, fields: AppealCreateFields, evidence: InspectedFile[]): Promise<AppealView> {
  const me = requireCitizen(ctx.actor)
  const { t: ticket } = await findTicketForCitizen(ctx, fields.decisionNo, fields.plate)
  if (ticket.status !== 'effective') throw conflict('ticket_not_effective', `This ticket has already been ${ticket.status}`)
  await requireActive(ctx, 'grounds', [fields.grounds], () => 'body.grounds')
  if (fields.type && !(await appealTypes(ctx)).some((x) => x.key === fields.type && !x.retired)) throw inactiveOption(['body.type'])
  const allowed = await typesForTicket(ctx, ticket.recordedBy)
  const type = fields.type ? allowed.find((x) => x.key === fields.type) : allowed[0]
  if (!type)
    throw new AppError(422, 'type_not_applicable', 'This appeal type does not apply to this ticket', [
      { path: 'body.type', message: 'Not applicable to this ticket' },
    ])
  const [open] = await ctx.db
    .select({ id: appeals.id })
    .from(appeals)
    .where(and(eq(appeals.ticketId, ticket.id), appealIsOpen))
  if (open) throw await openAppealConflict(ctx, ticket.id)

  const now = ctx.now()
  let row: AppealRow
  try {
    row = await ctx.db.transaction(async (tx) => {
      const t = withDb(ctx, tx)
      const [created] = await tx
        .insert(appeals)
        .values({
          filedOn: toChinaDate(now).replace(/-/g, ''),
          ticketId: ticket.id,
          citizenId: me.id,
          // Same-day forwarding (camera objections): the unit where the violation happened reviews it.
          unitId: type.forwardSameDay ? occurredUnit(ticket) : ticket.unitId,
          plate: ticket.plate,
          decisionNo: ticket.decisionNo,
          type: type.key,
          grounds: fields.grounds,
          statement: fields.statement,
          contactPhone: fields.contactPhone,
          state: 'submitted',
          // The clock and the rule it comes from, as they are today: later edits never change this case.
          policy: { ...type.clock, citation: type.citation },
          clockStart: now,
          submittedAt: now,
          createdAt: now,
          updatedAt: now,
        })
        .returning()
      const stored = []
      for (const f of evidence) stored.push(await storeUpload(t, f, { type: 'citizen', id: me.id }, { type: 'appeal', id: created!.id }))
      const withDue = await refreshDue(t, created!)
      await recordEvent(t, created!.id, { action: 'file', from: null, to: 'submitted', note: null, fileIds: stored.map((s) => s.id) })
      await audit(t, {
        entityType: 'appeal',
        entityId: created!.id,
        action: 'appeal.file',
        after: { number: created!.number, ticket: ticket.decisionNo, type: type.key, grounds: fields.grounds, files: stored.length },
        unitId: withDue.unitId,
      })
      await notifyCitizen(t, withDue, 'submitted', { forwarded: type.forwardSameDay ? 1 : 0 })
      announce(t, withDue)
      return withDue
    })
  } catch (err) {
    if (isUniqueViolation(err, 'appeals_one_open_per_ticket_uq')) throw await openAppealConflict(ctx, ticket.id)
    throw err
  }
  return citizenView(ctx, row)
}

// ---- views -------------------------------------------------------------------------------

async function filesById(ctx: Ctx, ids: string[]) {
  if (!ids.length) return new Map<string, typeof files.$inferSelect>()
  const rows = await ctx.db
    .select()
    .from(files)
    .where(inArray(files.id, [...new Set(ids)]))
  return new Map(rows.map((f) => [f.id, f]))
}

async function timelineOf(ctx: Ctx, row: AppealRow, forCitizen: boolean) {
  const events = await ctx.db
    .select()
    .from(appealEvents)
    .where(forCitizen ? and(eq(appealEvents.appealId, row.id), eq(appealEvents.citizenVisible, true)) : eq(appealEvents.appealId, row.id))
    .orderBy(asc(appealEvents.at), asc(appealEvents.seq))
  const fmap = await filesById(
    ctx,
    events.flatMap((e) => e.fileIds),
  )
  const staffIds = forCitizen ? [] : events.filter((e) => e.actorType === 'staff' && e.actorId).map((e) => e.actorId as string)
  const names = await staffNames(ctx, staffIds)
  return events.map((e) => ({
    id: e.id,
    at: e.at.toISOString(),
    action: e.action,
    actorRole: e.actorRole,
    fromState: e.fromState,
    toState: e.toState,
    note: e.note,
    attachments: e.fileIds
      .map((id) => fmap.get(id))
      .filter((f): f is typeof files.$inferSelect => !!f)
      .map((f) => {
        const r = fileRef(f)
        return { id: r.id, url: r.url, thumbUrl: r.thumbUrl, name: r.name }
      }),
    actorName: e.actorType === 'staff' && e.actorId ? (names.get(e.actorId) ?? null) : null,
  }))
}

async function staffNames(ctx: Ctx, ids: (string | null | undefined)[]): Promise<Map<string, string>> {
  const list = [...new Set(ids.filter((x): x is string => !!x))]
  if (!list.length) return new Map()
  const rows = await ctx.db.select({ id: staff.id, name: staff.name }).from(staff).where(inArray(staff.id, list))
  return new Map(rows.map((r) => [r.id, r.name]))
}

async function materialRequestsOf(ctx: Ctx, appealId: string) {
  const reqs = await ctx.db
    .select()
    .from(appealMaterialRequests)
    .where(eq(appealMaterialRequests.appealId, appealId))
    .orderBy(asc(appealMaterialRequests.requestedAt))
  const reqFiles = reqs.length
    ? await ctx.db
        .select()
        .from(files)
        .where(
          and(
            eq(files.entityType, 'appeal_material'),
            inArray(
              files.entityId,
              reqs.map((r) => r.id),
            ),
          ),
        )
    : []
  return reqs.map((r) => ({
    id: r.id,
    items: r.items,
    requestedAt: r.requestedAt.toISOString(),
    answeredAt: r.answeredAt?.toISOString() ?? null,
    answerNote: r.answerNote,
    answeredBy: r.answeredBy,
    files: reqFiles.filter((f) => f.entityId === r.id).map(fileRef),
  }))
}

async function extensionsOf(ctx: Ctx, appealId: string, forCitizen: boolean) {
  const rows = await ctx.db
    .select()
    .from(appealExtensions)
    .where(forCitizen ? and(eq(appealExtensions.appealId, appealId), eq(appealExtensions.state, 'approved')) : eq(appealExtensions.appealId, appealId))
    .orderBy(asc(appealExtensions.requestedAt))
  const names = forCitizen
    ? new Map<string, string>()
    : await staffNames(
        ctx,
        rows.flatMap((r) => [r.requestedBy, r.decidedBy]),
      )
  return rows.map((r) => ({
    id: r.id,
    days: r.days,
    reason: r.reason,
    state: r.state,
    requestedAt: r.requestedAt.toISOString(),
    decidedAt: r.decidedAt?.toISOString() ?? null,
    decisionNote: forCitizen ? null : r.decisionNote,
    requestedBy: forCitizen ? null : (names.get(r.requestedBy) ?? null),
    decidedBy: forCitizen || !r.decidedBy ? null : (names.get(r.decidedBy) ?? null),
  }))
}

function decisionOf(row: AppealRow, forCitizen: boolean) {
  const effective = row.state === 'decided'
  if (forCitizen ? !effective : !row.outcome && !row.findings) return null
  if (!row.outcome && !forCitizen) {
    return {
      outcome: null,
      effective: false,
      findings: row.findings ?? '',
      legalBasis: [],
      replyText: '',
      correctedFineYuan: null,
      correctedPoints: null,
      decidedAt: null,
    }
  }
  return {
    outcome: row.outcome,
    effective,
    findings: row.findings ?? '',
    legalBasis: (row.legalBasis ?? []) as never[],
    replyText: row.replyText ?? '',
    correctedFineYuan: row.correctedFineYuan,
    correctedPoints: row.correctedPoints,
    decidedAt: row.decidedAt?.toISOString() ?? null,
  }
}

/** The case's clock policy and citation as filed (rows from before the citation snapshot: the type's current citation). */
async function policyView(ctx: Ctx, row: AppealRow) {
  const citation = row.policy.citation ?? (await appealTypes(ctx)).find((x) => x.key === row.type)?.citation
  return {
    type: row.type as never,
    days: row.policy.days,
    unit: row.policy.unit,
    rollToWorkingDay: !!row.policy.rollToWorkingDay,
    pausable: row.policy.pausable,
    maxPausedDays: row.policy.maxPausedDays,
    maxExtensionDays: row.policy.maxExtensionDays,
    startsOn: row.policy.startsOn ?? 'acceptance',
    citation: citation ?? { 'zh-CN': '', en: '' },
  }
}

async function ticketWithUnit(ctx: Ctx, ticketId: string) {
  const [r] = await ctx.db
    .select({ t: tickets, unitName: units.name })
    .from(tickets)
    .innerJoin(units, eq(units.id, tickets.unitId))
    .where(eq(tickets.id, ticketId))
  if (!r) throw notFound('Ticket')
  return r
}

async function baseView(ctx: Ctx, row: AppealRow, forCitizen: boolean) {
  const pauses = await pausesOf(ctx, row.id)
  const evidence = await ctx.db
    .select()
    .from(files)
    .where(and(eq(files.entityType, 'appeal'), eq(files.entityId, row.id)))
    .orderBy(asc(files.createdAt))
  const pending = await pendingExtension(ctx, row.id)
  return {
    id: row.id,
    number: row.number,
    version: row.version,
    state: row.state,
    stateType: appealMachine.typeOf(row.state),
    type: row.type as never,
    grounds: row.grounds as never,
    statement: row.statement,
    contactPhoneMasked: maskPhone(row.contactPhone),
    submittedAt: row.submittedAt.toISOString(),
    acceptedAt: row.acceptedAt?.toISOString() ?? null,
    closedAt: row.closedAt?.toISOString() ?? null,
    policy: await policyView(ctx, row),
    due: await dueView(ctx, row, pauses),
    evidence: evidence.map(fileRef),
    materialRequests: await materialRequestsOf(ctx, row.id),
    extensions: await extensionsOf(ctx, row.id, forCitizen),
    refusal: row.state === 'refused' && row.refuseReason ? { reason: row.refuseReason as never, note: row.refuseNote } : null,
    letterAvailable: row.state === 'decided' || row.state === 'refused',
    actions: appealActions(guardInput(ctx.actor, row, pending)),
  }
}

export async function citizenView(ctx: Ctx, row: AppealRow): Promise<AppealView> {
  const base = await baseView(ctx, row, true)
  const { t, unitName } = await ticketWithUnit(ctx, row.ticketId)
  const open = appealMachine.typeOf(row.state) === 'open' ? { id: row.id, number: row.number, state: row.state } : null
  const timeline = (await timelineOf(ctx, row, true)).map(({ actorName: _n, ...e }) => e as TimelineEvent)
  return { ...base, ticket: ticketView(t, unitName, open, await appealTypes(ctx)), timeline, decision: decisionOf(row, true) }
}

export async function staffView(ctx: Ctx, row: AppealRow): Promise<StaffAppealView> {
  const actor = requireStaff(ctx.actor)
  const base = await baseView(ctx, row, false)
  const { t, unitName } = await ticketWithUnit(ctx, row.ticketId)
  const open = appealMachine.typeOf(row.state) === 'open' ? { id: row.id, number: row.number, state: row.state } : null
  const [citizen] = await ctx.db.select({ name: citizens.name, phone: citizens.phone }).from(citizens).where(eq(citizens.id, row.citizenId))
  const names = await staffNames(ctx, [row.assigneeId, row.proposedBy, row.approvedBy])
  // The case's unit: the ticket's issuing unit, or where it happened for same-day-forwarded types.
  const [caseUnit] = await ctx.db.select({ name: units.name }).from(units).where(eq(units.id, row.unitId))
  const ref = (id: string | null) => (id ? { id, name: names.get(id) ?? '' } : null)
  const earlier = await ctx.db
    .select({
      id: appeals.id,
      number: appeals.number,
      state: appeals.state,
      outcome: appeals.outcome,
      submittedAt: appeals.submittedAt,
      decisionNo: appeals.decisionNo,
      grounds: appeals.grounds,
    })
    .from(appeals)
    .where(and(eq(appeals.plate, row.plate), ne(appeals.id, row.id), inArray(appeals.unitId, [...actor.unitScope])))
    .orderBy(desc(appeals.submittedAt))
    .limit(20)
  return {
    ...base,
    ticket: await staffTicketView(ctx, t, unitName, open),
    timeline: await timelineOf(ctx, row, false),
    decision: decisionOf(row, false),
    unit: { id: row.unitId, name: caseUnit?.name ?? unitName },
    citizen: { nameMasked: maskName(citizen?.name), phoneMasked: maskPhone(row.contactPhone) },
    assignee: ref(row.assigneeId),
    proposedBy: ref(row.proposedBy),
    approvedBy: ref(row.approvedBy),
    earlierAppeals: earlier.map((e) => ({ ...e, grounds: e.grounds as never, submittedAt: e.submittedAt.toISOString() })),
  }
}

export async function getCitizenAppeal(ctx: Ctx, id: string) {
  return citizenView(ctx, await loadForCitizen(ctx, id))
}

export async function getStaffAppeal(ctx: Ctx, id: string) {
  return staffView(ctx, await loadForStaff(ctx, id))
}

/** The contact number unmasked, for a call: audited as a view of personal data. */
export async function revealContact(ctx: Ctx, id: string) {
  const row = await loadForStaff(ctx, id)
  const [citizen] = await ctx.db.select({ name: citizens.name }).from(citizens).where(eq(citizens.id, row.citizenId))
  await audit(ctx, {
    entityType: 'citizen',
    entityId: row.citizenId,
    action: 'citizen.view_personal_data',
    after: { appeal: row.number, fields: ['contactPhone', 'name'] },
    unitId: row.unitId,
  })
  return { name: citizen?.name ?? null, contactPhone: row.contactPhone }
}

/** My appeals, newest first (keyset paging). */
export async function myAppeals(ctx: Ctx, q: { limit: number; cursor?: string }) {
  const me = requireCitizen(ctx.actor)
  const c = q.cursor ? decodeCursor(q.cursor) : null
  if (q.cursor && !c) throw badRequest('Invalid cursor', [{ path: 'query.cursor', message: 'Malformed' }])
  const rows = await ctx.db
    .select({ a: appeals, violationDesc: tickets.violationDesc })
    .from(appeals)
    .innerJoin(tickets, eq(tickets.id, appeals.ticketId))
    .where(and(eq(appeals.citizenId, me.id), c ? or(lt(appeals.submittedAt, c.at), and(eq(appeals.submittedAt, c.at), lt(appeals.id, c.id))) : undefined))
    .orderBy(desc(appeals.submittedAt), desc(appeals.id))
    .limit(q.limit + 1)
  const page = rows.slice(0, q.limit)
  const items = []
  for (const { a, violationDesc } of page) {
    const due = await dueView(ctx, a)
    items.push({
      id: a.id,
      number: a.number,
      state: a.state,
      stateType: appealMachine.typeOf(a.state),
      plate: a.plate,
      decisionNo: a.decisionNo,
      violationDesc,
      submittedAt: a.submittedAt.toISOString(),
      dueDate: due?.dueDate ?? null,
      daysLeft: due && due.status !== 'none' ? due.daysLeft : null,
      dueStatus: due?.status ?? 'none',
      outcome: a.state === 'decided' ? a.outcome : null,
    })
  }
  const last = page[page.length - 1]
  return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last.a.submittedAt, last.a.id) : null }
}

// ---- reply letter --------------------------------------------------------------------------

/**
 * 答复告知书 (or 不予受理告知书): the data for the printable letter and the in-app view. It is
 * addressed to the citizen by name, so a staff view is recorded as a view of personal data.
 */
export async function replyLetter(ctx: Ctx, id: string, locale: 'zh-CN' | 'en' = 'zh-CN'): Promise<ReplyLetter> {
  const row = ctx.actor.kind === 'citizen' ? await loadForCitizen(ctx, id) : await loadForStaff(ctx, id)
  if (row.state !== 'decided' && row.state !== 'refused') throw conflict('letter_not_ready', 'The reply letter is issued once the case is decided')
  const { t, unitName } = await ticketWithUnit(ctx, row.ticketId)
  const [citizen] = await ctx.db.select({ name: citizens.name }).from(citizens).where(eq(citizens.id, row.citizenId))
  if (ctx.actor.kind === 'staff')
    await audit(ctx, {
      entityType: 'citizen',
      entityId: row.citizenId,
      action: 'citizen.view_personal_data',
      after: { appeal: row.number, document: 'reply_letter' },
      unitId: row.unitId,
    })
  const issuedAt = (row.decidedAt ?? row.closedAt ?? row.updatedAt).toISOString()
  const legalBases = await optionList(ctx, 'legalBases')
  return {
    kind: row.state === 'decided' ? 'decision' : 'refusal',
    letterNo: `${row.number.replace(/^SS/, 'DF')}`,
    appealNumber: row.number,
    issuedAt,
    unitName,
    citizenName: citizen?.name ?? '',
    ticket: {
      decisionNo: t.decisionNo,
      plate: t.plate,
      occurredAt: t.occurredAt.toISOString(),
      place: t.place,
      violationDesc: t.violationDesc,
      fineYuan: t.fineYuan,
      points: t.points,
    },
    submittedAt: row.submittedAt.toISOString(),
    acceptedAt: row.acceptedAt?.toISOString() ?? null,
    grounds: row.grounds as never,
    findings: row.state === 'decided' ? row.findings : null,
    outcome: row.state === 'decided' ? row.outcome : null,
    correctedFineYuan: row.correctedFineYuan,
    correctedPoints: row.correctedPoints,
    legalBasis: (row.legalBasis ?? []).map((key) => ({ key, label: labelOf(legalBases, key, locale) })),
    replyText: row.state === 'decided' ? (row.replyText ?? '') : (row.refuseNote ?? ''),
    refusalReason: row.state === 'refused' ? (row.refuseReason as never) : null,
    remedies: {
      reconsiderationDays: REMEDIES.reconsiderationDays,
      reconsiderationBody: REMEDIES.reconsiderationBody[locale],
      litigationMonths: REMEDIES.litigationMonths,
      court: REMEDIES.court[locale],
      citation: REMEDIES.citation[locale],
    },
  }
}

// ---- files -----------------------------------------------------------------------------------

/** A stored file, if the actor may see what it is attached to (their own case, or a case in scope). */
export async function readFile(ctx: Ctx, fileId: string, thumb: boolean) {
  const [f] = await ctx.db.select().from(files).where(eq(files.id, fileId))
  if (!f?.entityId) throw notFound('File')
  const a = ctx.actor
  let allowed = false
  if (f.entityType === 'appeal' || f.entityType === 'appeal_material') {
    const appealId =
      f.entityType === 'appeal'
        ? f.entityId
        : (await ctx.db.select({ id: appealMaterialRequests.appealId }).from(appealMaterialRequests).where(eq(appealMaterialRequests.id, f.entityId)))[0]?.id
    const [row] = appealId ? await ctx.db.select({ citizenId: appeals.citizenId, unitId: appeals.unitId }).from(appeals).where(eq(appeals.id, appealId)) : []
    if (row) allowed = a.kind === 'citizen' ? row.citizenId === a.id : a.kind === 'staff' && a.unitScope.includes(row.unitId)
  } else if (f.entityType === 'ticket') {
    const [tk] = await ctx.db.select({ unitId: tickets.unitId, occurredUnitId: tickets.occurredUnitId }).from(tickets).where(eq(tickets.id, f.entityId))
    if (tk && a.kind === 'staff') allowed = a.unitScope.includes(tk.unitId) || a.unitScope.includes(occurredUnit(tk))
    if (tk && a.kind === 'citizen') {
      const [mine] = await ctx.db
        .select({ id: appeals.id })
        .from(appeals)
        .where(and(eq(appeals.ticketId, f.entityId), eq(appeals.citizenId, a.id)))
        .limit(1)
      allowed = !!mine
    }
  }
  if (!allowed) throw notFound('File')
  const key = thumb && f.thumbKey ? f.thumbKey : f.storageKey
  const bytes = await ctx.deps.storage.get(key)
  return { bytes, contentType: thumb && f.thumbKey ? 'image/jpeg' : f.contentType, name: f.name }
}
