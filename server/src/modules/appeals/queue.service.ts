import { createHash } from 'node:crypto'
import { maskName, normalisePlate } from '@tp/shared'
import { DUE_SOON_DAYS } from '@tp/shared/appeals/config'
import { appealMachine } from '@tp/shared/appeals/machine'
import type { AppealCounts, AppealListItem, DueStatus, QueueQuery } from '@tp/shared/appeals/schemas'
import { addCalendarDays, chinaDayEnd, chinaDayStart, daysLeft, toChinaDate } from '@tp/shared/calendar'
import { aliasedTable, and, asc, eq, gte, inArray, isNull, lt, lte, or, type SQL, sql } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import { type Ctx, requireStaff } from '../../platform/context'
import { type KeysetPosition, keysetSort } from '../../platform/cursor'
import { listPlaceholders, listValues, preparedShapes } from '../../platform/prepared'
import { citizens, staff, units } from '../identity/identity.tables'
import { appealExtensions, appealIsOpen, appeals } from './appeals.tables'
import { labelOf, optionList } from './options.service'
import { appealTypes } from './types.service'

const OPEN = appealMachine.statesOfType('open')
const CLOSED = [...appealMachine.statesOfType('closed'), ...appealMachine.statesOfType('fixed')]

/** The list badge from the stored due date (kept current by every change and the jobs). */
export function listDue(row: { state: (typeof OPEN)[number] | string; dueDate: string | null; dueAt: Date | null; pausedSince: Date | null }, now: Date) {
  if (!OPEN.includes(row.state as never) || !row.dueDate || !row.dueAt) return { daysLeft: null, dueStatus: 'none' as DueStatus }
  const left = daysLeft(now, row.dueDate)
  const status: DueStatus = now > row.dueAt ? 'overdue' : row.pausedSince ? 'paused' : left <= DUE_SOON_DAYS ? 'soon' : 'ok'
  return { daysLeft: left, dueStatus: status }
}

/**
 * Which filters a queue request applies and how many values each list holds, its sort and cursor
 * shape: the shape of its statements, each prepared once (values are placeholders).
 */
interface QueueShape {
  units: number
  states: number
  closed: boolean
  open: boolean
  grounds: number
  types: number
  assignee: 'id' | 'none' | ''
  unit: boolean
  due: 'overdue' | 'soon' | ''
  extension: boolean
  from: boolean
  to: boolean
  text: boolean
  sort: QueueQuery['sort']
  pos: string
}

/** A queue request as its statements' shape and the values of their placeholders. */
function queueShape(ctx: Ctx, q: QueueQuery, pos: KeysetPosition | null) {
  const actor = requireStaff(ctx.actor)
  const now = ctx.now()
  const units = [...actor.unitScope]
  const assigneeId = q.assignee === 'me' ? actor.id : q.assignee && /^[0-9a-f-]{36}$/.test(q.assignee) ? q.assignee : undefined
  const term = q.q ? q.q.trim().toUpperCase() : undefined
  const shape: QueueShape = {
    units: units.length,
    states: q.state?.length ?? 0,
    closed: !q.state?.length && q.scope === 'closed',
    // Open only: for the scope, and implied by any due filter (a closed case has no clock).
    open: (!q.state?.length && q.scope === 'open') || !!q.due,
    grounds: q.grounds?.length ?? 0,
    types: q.type?.length ?? 0,
    assignee: assigneeId ? 'id' : q.assignee === 'none' ? 'none' : '',
    unit: !!q.unitId,
    due: q.due ?? '',
    extension: q.extension === 'pending',
    from: !!q.from,
    to: !!q.to,
    text: term !== undefined,
    sort: q.sort,
    pos: SORTS[q.sort].shapeOf(pos),
  }
  const values = {
    ...listValues('unit', units),
    ...listValues('state', q.state ?? []),
    ...listValues('grounds', q.grounds ?? []),
    ...listValues('type', q.type ?? []),
    assigneeId,
    unitId: q.unitId,
    now: now.toISOString(),
    soonDate: addCalendarDays(toChinaDate(now), DUE_SOON_DAYS),
    from: q.from ? chinaDayStart(q.from).toISOString() : undefined,
    to: q.to ? chinaDayEnd(q.to).toISOString() : undefined,
    term,
    plate: term ? normalisePlate(term) : undefined,
    ...SORTS[q.sort].boundKeys(pos),
  }
  return { shape, values }
}

function shapedWhere(s: QueueShape): SQL | undefined {
  const now = sql.placeholder('now')
  const term = sql.placeholder('term')
  return and(
    inArray(appeals.unitId, listPlaceholders('unit', s.units)),
    s.states ? inArray(appeals.state, listPlaceholders('state', s.states)) : undefined,
    s.closed ? inArray(appeals.state, CLOSED) : undefined,
    s.open ? appealIsOpen : undefined,
    s.grounds ? inArray(appeals.grounds, listPlaceholders('grounds', s.grounds)) : undefined,
    s.types ? inArray(appeals.type, listPlaceholders('type', s.types)) : undefined,
    s.assignee === 'id' ? eq(appeals.assigneeId, sql.placeholder('assigneeId')) : s.assignee === 'none' ? isNull(appeals.assigneeId) : undefined,
    s.unit ? eq(appeals.unitId, sql.placeholder('unitId')) : undefined,
    s.due === 'overdue' ? lt(appeals.dueAt, now) : undefined,
    s.due === 'soon' ? and(gte(appeals.dueAt, now), lte(appeals.dueDate, sql.placeholder('soonDate')), isNull(appeals.pausedSince)) : undefined,
    s.extension ? sql`exists (select 1 from ${appealExtensions} e where e.appeal_id = ${appeals.id} and e.state = 'pending')` : undefined,
    s.from ? gte(appeals.submittedAt, sql.placeholder('from')) : undefined,
    s.to ? lte(appeals.submittedAt, sql.placeholder('to')) : undefined,
    s.text ? or(eq(appeals.number, term), eq(appeals.decisionNo, term), eq(appeals.plate, sql.placeholder('plate'))) : undefined,
  )
}

const assignee = aliasedTable(staff, 'assignee')

/** The queue's sorts: by due date (most urgent first, cases without a clock last) or by filing time; the id breaks ties. */
const SORTS = {
  due: keysetSort('due', [
    { expr: appeals.dueAt, type: 'timestamptz', nullable: true },
    { expr: appeals.id, type: 'uuid' },
  ]),
  submitted: keysetSort('submitted', [
    { expr: appeals.submittedAt, type: 'timestamptz' },
    { expr: appeals.id, type: 'uuid' },
  ]),
  '-submitted': keysetSort('-submitted', [
    { expr: appeals.submittedAt, type: 'timestamptz', desc: true },
    { expr: appeals.id, type: 'uuid', desc: true },
  ]),
} satisfies Record<QueueQuery['sort'], ReturnType<typeof keysetSort>>

const shapeKey = (s: QueueShape) => Object.values(s).join(':')
/** Statement names stay under PostgreSQL's 63 bytes however long the shape. */
const nameOf = (prefix: string, key: string) => `${prefix}_${createHash('sha1').update(key).digest('hex').slice(0, 16)}`

/** The queue's page statement: the list's columns, in scope and filtered, after the cursor, in the sort's order. */
const queuePage = preparedShapes(shapeKey, (db, s: QueueShape, key) => {
  const sort = SORTS[s.sort]
  const pos = sort.positionOf(s.pos)
  return db
    .select({
      a: {
        id: appeals.id,
        number: appeals.number,
        state: appeals.state,
        type: appeals.type,
        grounds: appeals.grounds,
        plate: appeals.plate,
        decisionNo: appeals.decisionNo,
        unitId: appeals.unitId,
        assigneeId: appeals.assigneeId,
        submittedAt: appeals.submittedAt,
        dueDate: appeals.dueDate,
        dueAt: appeals.dueAt,
        pausedSince: appeals.pausedSince,
        outcome: appeals.outcome,
        version: appeals.version,
      },
      keys: sort.keys,
      unitName: units.name,
      assigneeName: assignee.name,
      citizenName: citizens.name,
    })
    .from(appeals)
    .innerJoin(units, eq(units.id, appeals.unitId))
    .leftJoin(assignee, eq(assignee.id, appeals.assigneeId))
    .leftJoin(citizens, eq(citizens.id, appeals.citizenId))
    .where(and(shapedWhere(s), sort.where(pos, true)))
    .orderBy(...sort.orderBy(pos))
    .limit(sql.placeholder('limit'))
    .prepare(nameOf('appeals_queue', key))
})

/** The capped count of the same filter (the cursor does not change it). */
const queueCount = preparedShapes(shapeKey, (db, s: QueueShape, key) =>
  SORTS[s.sort].countQuery(db, db.select({ one: sql`1` }).from(appeals).where(shapedWhere(s)).$dynamic()).prepare(nameOf('appeals_queue_count', key)),
)

async function queueRows(ctx: Ctx, q: QueueQuery, limit: number, pos: KeysetPosition | null = null) {
  const { shape, values } = queueShape(ctx, q, pos)
  return queuePage(ctx.db, shape).execute({ ...values, limit })
}

function toItem(r: Awaited<ReturnType<typeof queueRows>>[number], now: Date): AppealListItem {
  const a = r.a
  return {
    id: a.id,
    number: a.number,
    state: a.state,
    stateType: appealMachine.typeOf(a.state),
    type: a.type as never,
    grounds: a.grounds as never,
    plate: a.plate,
    decisionNo: a.decisionNo,
    unitId: a.unitId,
    unitName: r.unitName,
    assignee: a.assigneeId ? { id: a.assigneeId, name: r.assigneeName ?? '' } : null,
    citizenNameMasked: maskName(r.citizenName),
    submittedAt: a.submittedAt.toISOString(),
    dueDate: a.dueDate,
    dueAt: a.dueAt?.toISOString() ?? null,
    ...listDue(a, now),
    outcome: a.state === 'decided' || a.state === 'pending_approval' ? a.outcome : null,
    version: a.version,
  }
}

/**
 * The legal office's queue: in scope, filtered, sorted by due date (most urgent first), a page
 * at a time by keyset (`nextCursor` / `prevCursor`; null at either end).
 */
export async function listQueue(
  ctx: Ctx,
  q: QueueQuery,
): Promise<{ items: AppealListItem[]; total: number; totalCapped: boolean; nextCursor: string | null; prevCursor: string | null }> {
  const sort = SORTS[q.sort]
  const pos = sort.decode(q.cursor)
  // Count (up to a cap) and page side by side (two pool connections on PostgreSQL); one row more tells whether more follow.
  const { shape, values } = queueShape(ctx, q, pos)
  const [counted, fetched] = await Promise.all([
    queueCount(ctx.db, { ...shape, pos: '' }).execute(values),
    queuePage(ctx.db, shape).execute({ ...values, limit: q.pageSize + 1 }),
  ])
  const { rows, nextCursor, prevCursor } = sort.page(fetched, q.pageSize, pos, (r) => r.keys)
  const now = ctx.now()
  return { items: rows.map((r) => toItem(r, now)), ...sort.totalOf(counted), nextCursor, prevCursor }
}

/** Dashboard and menu badges: overdue and due-soon counts in my scope. */
export async function queueCounts(ctx: Ctx): Promise<AppealCounts> {
  const actor = requireStaff(ctx.actor)
  const now = ctx.now()
  const soonDate = addCalendarDays(toChinaDate(now), DUE_SOON_DAYS)
  const nowIso = now.toISOString()
  const scope = [...actor.unitScope]
  const [r] = await ctx.db
    .select({
      open: sql<number>`count(*)::int`,
      overdue: sql<number>`(count(*) filter (where ${appeals.dueAt} < ${nowIso}::timestamptz))::int`,
      dueSoon: sql<number>`(count(*) filter (where ${appeals.dueAt} >= ${nowIso}::timestamptz and ${appeals.dueDate} <= ${soonDate} and ${appeals.pausedSince} is null))::int`,
      awaitingAcceptance: sql<number>`(count(*) filter (where ${appeals.state} = 'submitted'))::int`,
      pendingApproval: sql<number>`(count(*) filter (where ${appeals.state} = 'pending_approval'))::int`,
      mine: sql<number>`(count(*) filter (where ${appeals.assigneeId} = ${actor.id}))::int`,
    })
    .from(appeals)
    .where(and(inArray(appeals.unitId, scope), appealIsOpen))
  const [ext] = await ctx.db
    .select({ n: sql<number>`count(*)::int` })
    .from(appealExtensions)
    .innerJoin(appeals, eq(appeals.id, appealExtensions.appealId))
    .where(and(eq(appealExtensions.state, 'pending'), inArray(appeals.unitId, scope), appealIsOpen))
  return {
    open: r?.open ?? 0,
    overdue: r?.overdue ?? 0,
    dueSoon: r?.dueSoon ?? 0,
    awaitingAcceptance: r?.awaitingAcceptance ?? 0,
    pendingApproval: r?.pendingApproval ?? 0,
    pendingExtensions: ext?.n ?? 0,
    mine: r?.mine ?? 0,
  }
}

/** Reviewers a case in my scope may be assigned to (with their open load). */
export async function listReviewers(ctx: Ctx) {
  const actor = requireStaff(ctx.actor)
  const rows = await ctx.db
    .select({
      id: staff.id,
      name: staff.name,
      role: staff.role,
      unitId: staff.unitId,
      open: sql<number>`(select count(*)::int from ${appeals} a where a.assignee_id = ${staff.id} and a.state in ('accepted', 'in_review', 'awaiting_material', 'pending_approval'))`,
    })
    .from(staff)
    .innerJoin(units, eq(units.id, staff.unitId))
    .where(
      and(
        inArray(staff.role, ['legal_officer', 'unit_head']),
        eq(staff.active, true),
        // Reviewers in my subtree or above my unit (the detachment's legal office covers brigades).
        or(inArray(staff.unitId, [...actor.unitScope]), sql`${staff.unitId}::text = any((select path from ${units} u where u.id = ${actor.unitId})::text[])`),
      ),
    )
    .orderBy(asc(staff.role), asc(staff.name))
  return rows
}

const STATE_ZH: Record<string, string> = {
  submitted: '待受理',
  accepted: '已受理',
  in_review: '审查中',
  awaiting_material: '待补正',
  pending_approval: '待审批',
  decided: '已办结',
  refused: '不予受理',
  withdrawn: '已撤回',
}
const OUTCOME_ZH: Record<string, string> = { upheld: '维持', corrected: '变更', revoked: '撤销' }
const DUE_ZH: Record<DueStatus, string> = { none: '', ok: '正常', soon: '临期', overdue: '超期', paused: '暂停计时' }

/** The filtered queue as XLSX (personal data masked), at most 10,000 rows; the export is audited. */
export async function exportQueue(ctx: Ctx, q: QueueQuery): Promise<Buffer> {
  const rows = await queueRows(ctx, q, 10_000)
  const now = ctx.now()
  const { default: ExcelJS } = await import('exceljs')
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('申诉队列')
  ws.columns = [
    { header: '案件编号', key: 'number', width: 20 },
    { header: '状态', key: 'state', width: 10 },
    { header: '类型', key: 'type', width: 24 },
    { header: '申诉理由', key: 'grounds', width: 20 },
    { header: '号牌号码', key: 'plate', width: 12 },
    { header: '处罚决定书编号', key: 'decisionNo', width: 20 },
    { header: '单位', key: 'unit', width: 16 },
    { header: '承办人', key: 'assignee', width: 10 },
    { header: '申诉人', key: 'citizen', width: 10 },
    { header: '提交时间', key: 'submitted', width: 18 },
    { header: '答复期限', key: 'due', width: 12 },
    { header: '剩余天数', key: 'left', width: 10 },
    { header: '期限状态', key: 'dueStatus', width: 10 },
    { header: '结果', key: 'outcome', width: 8 },
  ]
  ws.getRow(1).font = { bold: true }
  const [types, grounds] = [await appealTypes(ctx), await optionList(ctx, 'grounds')]
  for (const r of rows) {
    const item = toItem(r, now)
    ws.addRow({
      number: item.number,
      state: STATE_ZH[item.state],
      type: labelOf(types, item.type),
      grounds: labelOf(grounds, item.grounds),
      plate: item.plate,
      decisionNo: item.decisionNo,
      unit: item.unitName,
      assignee: item.assignee?.name ?? '',
      citizen: item.citizenNameMasked,
      submitted: new Date(new Date(item.submittedAt).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' '),
      due: item.dueDate ?? '',
      left: item.daysLeft ?? '',
      dueStatus: DUE_ZH[item.dueStatus],
      outcome: item.outcome ? OUTCOME_ZH[item.outcome] : '',
    })
  }
  await audit(ctx, { entityType: 'appeal', action: 'export.xlsx', after: { rows: rows.length, filters: { ...q, cursor: undefined, pageSize: undefined } } })
  return Buffer.from(await wb.xlsx.writeBuffer())
}
