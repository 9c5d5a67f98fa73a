import { appealType, REPLY_TEMPLATES, renderTemplate, typesFor } from '@tp/shared/appeals/config'
import { type AppealDueResult, appealDue, isProvisional } from '@tp/shared/appeals/due'
import { officialCalendar, toChinaDate } from '@tp/shared/calendar'
import { eq } from 'drizzle-orm'
import type { Ctx } from '../../platform/context'
import type { DemoRefs } from '../../platform/module'
import { files } from '../../platform/platform.tables'
import { citizens } from '../identity/identity.tables'
import { dueColumns } from './appeals.core'
import { appealEvents, appealExtensions, appealMaterialRequests, appeals, tickets } from './appeals.tables'

type TicketRow = typeof tickets.$inferSelect

/** Violations as the police system codes them (demo values). */
const VIOLATIONS = [
  { code: '16250', desc: '驾驶机动车违反道路交通信号灯通行', fine: 200, points: 6, by: 'camera' },
  { code: '10390', desc: '机动车违反规定停放，驾驶人不在现场，妨碍其他车辆、行人通行', fine: 150, points: 0, by: 'camera' },
  { code: '13520', desc: '驾驶机动车在城市道路上超过规定时速20%以上未达到50%', fine: 200, points: 3, by: 'camera' },
  { code: '12080', desc: '不按导向车道行驶', fine: 100, points: 2, by: 'camera' },
  { code: '13570', desc: '驾驶机动车行经人行横道未按规定减速、停车、避让行人', fine: 200, points: 3, by: 'camera' },
  { code: '12230', desc: '驾驶机动车时拨打、接听手持电话', fine: 200, points: 3, by: 'camera' },
  { code: '60110', desc: '驾驶人未按规定使用安全带', fine: 50, points: 1, by: 'onsite' },
  { code: '10190', desc: '驾驶机动车违反禁令标志指示', fine: 100, points: 3, by: 'onsite' },
] as const

const PLACES = [
  '人民南路与锦江大道交叉口',
  '天府大道北段1700号',
  '二环路东三段（东往西）',
  '科华北路与一环路交叉口',
  '蜀都大道东风路段',
  '府城大道西段399号',
  '剑南大道中段与天府五街交叉口',
  '红星路三段',
  '滨江东路合江亭段',
  '高新大道创业路口',
]

const OFFICERS = [
  { name: '张路警', no: '051234' },
  { name: '孙路警', no: '052371' },
  { name: '何建军', no: '050918' },
  { name: '罗晓峰', no: '053306' },
]

const EXTRA_CITIZENS = [
  { phone: '13577000101', name: '陈晓梅', plate: '川A7K2M9' },
  { phone: '13577000102', name: '杨建国', plate: '川AF63218' },
  { phone: '13577000103', name: '黄丽', plate: '川G5B721' },
  { phone: '13577000104', name: '周志强', plate: '川A3P8Q6' },
  { phone: '13577000105', name: '吴芳', plate: '川AD55012' },
  { phone: '13577000106', name: '郑浩', plate: '川L9C260' },
]

const STATEMENTS: Record<string, string> = {
  camera_misread: '照片中车辆号牌与我的车辆不符，尾号识别有误。我的车是白色轿车，抓拍的是一辆深色SUV，请核实。',
  cloned_plate: '我的车辆当天全天停放在小区地下车库，有物业出入记录为证。抓拍车辆品牌、颜色均与我的车不同，怀疑被套牌。',
  emergency_avoidance: '当时后方救护车鸣笛通过，我为避让救护车驶过停止线，属于紧急避险，行车记录仪视频可以证明。',
  unclear_sign: '该路口导向箭头磨损严重，几乎看不清，且提前告知标志被树枝遮挡，无法按导向车道行驶。',
  vehicle_sold_or_stolen: '该车已于违法发生前转让给他人，已签订转让合同，但对方尚未办理过户手续，请核实。',
  other: '当时因道路施工临时改道，现场有交警指挥车辆绕行，我是按照现场指挥通行的，请调取现场记录核实。',
}

const DAY = 86_400_000

/** One rendered camera frame, stored for a few camera tickets (so the review page shows evidence). */
async function cameraFrame(plate: string, place: string, when: string): Promise<{ full: Buffer; thumb: Buffer }> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="960" height="540">
  <rect width="960" height="540" fill="#3b4450"/><rect y="330" width="960" height="210" fill="#55606c"/>
  <rect x="0" y="420" width="960" height="6" fill="#f5f5f5"/><rect x="360" y="240" width="260" height="150" rx="18" fill="#d9dde2"/>
  <rect x="430" y="350" width="120" height="32" fill="#1e4fa8"/><text x="490" y="373" font-size="22" text-anchor="middle" fill="#fff" font-family="sans-serif">${plate}</text>
  <rect x="0" y="0" width="960" height="44" fill="rgba(0,0,0,0.55)"/>
  <text x="16" y="29" font-size="20" fill="#fff" font-family="sans-serif">${when}  ${place}  CAM-0211</text></svg>`
  const { default: sharp } = await import('sharp')
  const img = sharp(Buffer.from(svg))
  return { full: await img.clone().jpeg({ quality: 75 }).toBuffer(), thumb: await img.clone().resize(320, 180).jpeg({ quality: 60 }).toBuffer() }
}

interface Spec {
  ticket: TicketRow
  citizenId: string
  grounds: keyof typeof STATEMENTS
  type?: string
  filed: Date
  accepted?: Date
  assignee?: string
  material?: { at: Date; items: string; answered?: Date; note?: string; by?: 'citizen' | 'staff' }
  extension?: { at: Date; days: number; reason: string; state: 'pending' | 'approved'; decided?: Date }
  findings?: string
  decision?: {
    at: Date
    outcome: 'upheld' | 'corrected' | 'revoked'
    basis: string[]
    findings: string
    correctedFine?: number
    correctedPoints?: number
    approvedAt?: Date
  }
  refused?: { at: Date; reason: string; note: string }
  withdrawn?: Date
}

/**
 * A believable registry (80 tickets over four months, camera and on-site, four brigades' officers)
 * and appeals in every stage: waiting for acceptance, accepted, in review (due soon and one
 * overdue), waiting for material, pending approval, with a pending extension, decided each way,
 * refused, withdrawn — plus three months of decided cases for the backlog report.
 */
export async function seedAppeals(ctx: Ctx, refs: DemoRefs): Promise<void> {
  const db = ctx.db
  const now = ctx.now()
  const ago = (days: number, hours = 0) => new Date(now.getTime() - days * DAY - hours * 3_600_000)
  const cal = officialCalendar()
  const legal = refs.staff.legal
  const legal2 = refs.staff.legal2
  const head = refs.staff.head
  const units = refs.units.brigades

  // Citizens: the three demo citizens plus a few more, so the queue has variety.
  const people = refs.citizens.map((c) => ({ id: c.id, plate: c.plate, phone: c.phone }))
  for (const c of EXTRA_CITIZENS) {
    const [row] = await db
      .insert(citizens)
      .values({ phone: c.phone, name: c.name, preferences: { notifyInApp: true, notifySms: false, locale: 'zh-CN' } })
      .onConflictDoNothing()
      .returning({ id: citizens.id })
    if (row) people.push({ id: row.id, plate: c.plate, phone: c.phone })
  }

  // The registry: deterministic pseudo-random spread over the last 120 days.
  let seed = 20260315
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed % n
  }
  const plates = [...people.map((p) => p.plate), '川A1B2C3', '川AG0731', '川A8H5N2', '川A09X77', '川AK6650', '川H2E915', '川A5T0R8', '川AF21007']
  const ticketValues: (typeof tickets.$inferInsert)[] = []
  for (let i = 0; i < 80; i++) {
    const v = VIOLATIONS[rnd(VIOLATIONS.length)]!
    const plate = i < people.length * 3 ? people[i % people.length]!.plate : plates[rnd(plates.length)]!
    const occurredAt = new Date(ago(3 + rnd(117)).getTime() - rnd(12) * 3_600_000)
    const officer = OFFICERS[rnd(OFFICERS.length)]!
    ticketValues.push({
      decisionNo: `51010${4 + (i % 3)}${String(100000000 + 7919 * i + rnd(7000)).slice(-9)}${String(i).padStart(2, '0')}`,
      plate,
      occurredAt,
      place: PLACES[rnd(PLACES.length)]!,
      violationCode: v.code,
      violationDesc: v.desc,
      fineYuan: v.fine,
      points: v.points,
      unitId: units[i % 2 === 0 ? 0 : i % 5 === 0 ? 2 : 1]!,
      officerName: officer.name,
      officerNo: officer.no,
      recordedBy: v.by,
      evidenceRef:
        v.by === 'camera' ? `CAM-${String(211 + (i % 9)).padStart(4, '0')}-${toChinaDate(occurredAt).replace(/-/g, '')}-${String(i).padStart(3, '0')}` : null,
      source: 'seed',
      createdAt: new Date(occurredAt.getTime() + 2 * DAY),
      updatedAt: new Date(occurredAt.getTime() + 2 * DAY),
    })
  }
  const ticketRows = await db.insert(tickets).values(ticketValues).returning()

  // Camera frames for the camera tickets of the demo citizens.
  const framed = ticketRows.filter((t) => t.recordedBy === 'camera').slice(0, 6)
  for (const t of framed) {
    const frame = await cameraFrame(t.plate, t.place, toChinaDate(t.occurredAt))
    const storageKey = await ctx.deps.storage.put(frame.full, 'jpg')
    const thumbKey = await ctx.deps.storage.put(frame.thumb, 'jpg')
    await db.insert(files).values({
      storageKey,
      thumbKey,
      contentType: 'image/jpeg',
      size: frame.full.byteLength,
      name: `${t.evidenceRef ?? t.decisionNo}.jpg`,
      ownerType: 'system',
      ownerId: null,
      entityType: 'ticket',
      entityId: t.id,
    })
  }

  const ownerOf = (t: TicketRow) => people.find((p) => p.plate === t.plate)?.id ?? people[0]!.id
  const used = new Set<string>()
  const pick = (pred: (t: TicketRow) => boolean): TicketRow => {
    const t = ticketRows.find((x) => !used.has(x.id) && pred(x)) ?? ticketRows.find((x) => !used.has(x.id))!
    used.add(t.id)
    return t
  }
  const byPlate = (plate: string, by?: 'camera' | 'onsite') => (t: TicketRow) => t.plate === plate && (!by || t.recordedBy === by)
  const zhang = refs.citizens[0]!
  const li = refs.citizens[1]!
  const wang = refs.citizens[2]!
  const any = () => true
  const spec = (t: TicketRow, s: Omit<Spec, 'ticket' | 'citizenId'> & { citizenId?: string }): Spec => ({
    ticket: t,
    citizenId: s.citizenId ?? ownerOf(t),
    ...s,
  })

  // The due-soon and overdue cases depend on today's place in the calendar (a 15-day period that
  // ends on a weekend or holiday rolls to the next working day): accept them on the latest day
  // that lands their due date where the demo says. Always possible, except in the first days of
  // a holiday longer than DUE_SOON_DAYS, when nothing can fall due soon.
  const statementClock = appealType('statement')!.clock
  const acceptedFor = (want: (d: AppealDueResult) => boolean, fallbackDays: number) => {
    for (let k = 1; k <= 60; k++) {
      const start = ago(k, 2)
      if (want(appealDue({ start, policy: statementClock, pauses: [], extensionDays: 0, provisional: false }, cal, now))) return start
    }
    return ago(fallbackDays, 2)
  }
  const dueSoonStart = acceptedFor((d) => d.status === 'soon', 13)
  const overdueStart = acceptedFor((d) => d.status === 'overdue' && d.daysLeft <= -2, 18)

  const specs: Spec[] = [
    // Waiting for acceptance.
    spec(pick(byPlate(zhang.plate, 'camera')), { grounds: 'camera_misread', filed: ago(0, 3) }),
    spec(pick(any), { grounds: 'unclear_sign', filed: ago(1, 5) }),
    // Accepted, not yet assigned.
    spec(pick(byPlate(wang.plate)), { grounds: 'other', filed: ago(2), accepted: ago(1, 20) }),
    // In review.
    spec(pick(byPlate(zhang.plate)), { grounds: 'emergency_avoidance', type: 'statement', filed: ago(4), accepted: ago(3, 20), assignee: legal }),
    spec(pick(any), {
      grounds: 'vehicle_sold_or_stolen',
      type: 'statement',
      filed: new Date(dueSoonStart.getTime() - 22 * 3_600_000),
      accepted: dueSoonStart,
      assignee: legal2,
      findings: '已调取车辆转让合同复印件，待核实交易时间。',
    }),
    spec(pick(any), {
      grounds: 'unclear_sign',
      type: 'statement',
      filed: new Date(overdueStart.getTime() - 21 * 3_600_000),
      accepted: overdueStart,
      assignee: legal2,
    }),
    spec(
      pick((t) => t.recordedBy === 'camera'),
      { grounds: 'camera_misread', type: 'camera_objection', filed: ago(2), accepted: ago(1, 22), assignee: legal },
    ),
    // Waiting for the citizen's material (clock paused).
    spec(pick(byPlate(zhang.plate)), {
      grounds: 'cloned_plate',
      type: 'statement',
      filed: ago(6),
      accepted: ago(5, 20),
      assignee: legal,
      material: { at: ago(2, 4), items: '请补充：1. 违法时段车辆停放位置的证明（如物业出入记录）；2. 行驶证正副本照片。' },
    }),
    // Pending approval.
    spec(pick(byPlate(li.plate)), {
      grounds: 'cloned_plate',
      type: 'statement',
      filed: ago(9),
      accepted: ago(8, 21),
      assignee: legal,
      material: { at: ago(7), items: '请补充车辆停放地点的监控截图或物业证明。', answered: ago(5, 3), note: '已上传物业出具的停车记录证明。', by: 'citizen' },
      decision: {
        at: ago(1, 4),
        outcome: 'revoked',
        basis: ['apl_40', 'rtsl_114'],
        findings: '经比对抓拍图片，涉案车辆品牌、颜色与申诉人登记车辆不一致，且申诉人提供的物业记录显示其车辆当时停放在小区内，系套牌车辆所为',
      },
    }),
    spec(
      pick((t) => t.fineYuan >= 150),
      {
        grounds: 'other',
        type: 'statement',
        filed: ago(10),
        accepted: ago(9, 22),
        assignee: legal2,
        decision: {
          at: ago(0, 20),
          outcome: 'corrected',
          basis: ['apl_33', 'rtsl_90'],
          findings: '当事人系初次违法且及时改正，未造成危害后果，罚款金额予以降低',
          correctedFine: 50,
        },
      },
    ),
    // Extension waiting for a unit head.
    spec(pick(any), {
      grounds: 'vehicle_sold_or_stolen',
      type: 'statement',
      filed: ago(12),
      accepted: ago(11, 20),
      assignee: legal,
      extension: { at: ago(0, 6), days: 10, reason: '需向外省车管所调取车辆转让登记档案，函调尚未回复。', state: 'pending' },
    }),
    // An approved extension, still in review.
    spec(pick(any), {
      grounds: 'cloned_plate',
      type: 'statement',
      filed: ago(16),
      accepted: ago(15, 22),
      assignee: legal2,
      extension: { at: ago(3), days: 7, reason: '需调取相邻路口卡口数据比对车辆轨迹。', state: 'approved', decided: ago(2, 20) },
    }),
    // Decided.
    spec(pick(byPlate(wang.plate)), {
      grounds: 'emergency_avoidance',
      type: 'statement',
      filed: ago(26),
      accepted: ago(25, 20),
      assignee: legal,
      decision: {
        at: ago(15),
        outcome: 'upheld',
        basis: ['apl_45', 'rtsl_90'],
        findings: '经调取路口监控，违法时段周边无执行任务的特种车辆通过，紧急避险理由不成立',
      },
    }),
    spec(pick(byPlate(zhang.plate)), {
      grounds: 'camera_misread',
      type: 'statement',
      filed: ago(22),
      accepted: ago(21, 23),
      assignee: legal2,
      decision: {
        at: ago(12),
        outcome: 'revoked',
        basis: ['apl_40', 'proc_19_20'],
        findings: '抓拍图片中车辆号牌尾号“3”被误识别为“8”，实际违法车辆并非申诉人车辆',
        approvedAt: ago(11, 20),
      },
    }),
    spec(
      pick((t) => t.fineYuan >= 150),
      {
        grounds: 'unclear_sign',
        type: 'statement',
        filed: ago(33),
        accepted: ago(32, 20),
        assignee: legal,
        decision: {
          at: ago(22),
          outcome: 'corrected',
          basis: ['apl_33'],
          findings: '该路段导向标线确有磨损，已通知养护单位重新施划；考虑标线状况，对罚款予以变更',
          correctedFine: 100,
          approvedAt: ago(21),
        },
      },
    ),
    // Refused, withdrawn.
    spec(pick(any), {
      grounds: 'other',
      filed: ago(8),
      refused: { at: ago(7, 20), reason: 'not_party', note: '申诉人提供的材料不能证明其为车辆所有人或驾驶人，请由当事人本人提出申诉。' },
    }),
    spec(pick(byPlate(li.plate)), { grounds: 'unclear_sign', filed: ago(11), accepted: ago(10, 22), assignee: legal2, withdrawn: ago(6) }),
  ]

  // Three months of history for the backlog report: mostly on time, one late.
  for (let i = 0; i < 18; i++) {
    const filedDays = 40 + i * 4 + rnd(3)
    const outcome = (['upheld', 'upheld', 'revoked', 'upheld', 'corrected', 'upheld'] as const)[i % 6]!
    const late = i === 7
    const decidedAfter = late ? 19 : 5 + rnd(9)
    const t = pick(any)
    const grounds = (['camera_misread', 'cloned_plate', 'emergency_avoidance', 'unclear_sign', 'vehicle_sold_or_stolen', 'other'] as const)[i % 6]!
    const decision = {
      at: ago(filedDays - decidedAfter),
      outcome,
      basis: outcome === 'upheld' ? ['apl_45', 'rtsl_90'] : outcome === 'revoked' ? ['apl_40'] : ['apl_33'],
      findings:
        outcome === 'upheld' ? '违法事实清楚、证据确凿，申诉理由不能成立' : outcome === 'revoked' ? '经核查，申诉理由成立' : '综合考虑违法情节，对罚款予以变更',
      correctedFine: outcome === 'corrected' ? Math.max(0, t.fineYuan - 50) : undefined,
      approvedAt: outcome === 'upheld' ? undefined : ago(filedDays - decidedAfter - 1),
    }
    if (i % 9 === 4) specs.push(spec(t, { grounds, filed: ago(filedDays), refused: { at: ago(filedDays - 1), reason: 'out_of_time', note: '超过申诉期限。' } }))
    else specs.push(spec(t, { grounds, type: 'statement', filed: ago(filedDays), accepted: ago(filedDays, -20), assignee: i % 2 ? legal : legal2, decision }))
  }

  for (const s of specs) await seedCase(ctx, s, { legal, legal2, head, cal, now, phone: people.find((p) => p.id === s.citizenId)?.phone ?? '13800138000' })
}

async function seedCase(
  ctx: Ctx,
  s: Spec,
  env: { legal: string; legal2: string; head: string; cal: ReturnType<typeof officialCalendar>; now: Date; phone: string },
): Promise<void> {
  const db = ctx.db
  const type = appealType(s.type ?? typesFor(s.ticket.recordedBy)[0]!.key) ?? typesFor(s.ticket.recordedBy)[0]!
  const usable = type.appliesTo.includes(s.ticket.recordedBy) ? type : typesFor(s.ticket.recordedBy)[0]!
  const d = s.decision
  const approved = d && (d.outcome === 'upheld' || d.approvedAt)
  const state = s.withdrawn
    ? 'withdrawn'
    : s.refused
      ? 'refused'
      : d
        ? approved
          ? 'decided'
          : 'pending_approval'
        : s.material && !s.material.answered
          ? 'awaiting_material'
          : s.assignee
            ? 'in_review'
            : s.accepted
              ? 'accepted'
              : 'submitted'
  const clockStart = usable.clock.startsOn === 'filing' ? s.filed : (s.accepted ?? s.filed)
  const pauses = s.material ? [{ from: s.material.at, to: s.material.answered ?? null }] : []
  const extensionDays = s.extension?.state === 'approved' ? s.extension.days : 0
  const decidedAt = d ? (d.outcome === 'upheld' ? d.at : (d.approvedAt ?? null)) : null
  const closedAt = s.withdrawn ?? s.refused?.at ?? decidedAt
  const due = appealDue(
    { start: clockStart, policy: usable.clock, pauses, extensionDays, provisional: isProvisional(usable.clock, s.accepted ?? null) },
    env.cal,
    closedAt ?? env.now,
  )
  const params = {
    plate: s.ticket.plate,
    occurredAt: toChinaDate(s.ticket.occurredAt),
    place: s.ticket.place,
    violation: s.ticket.violationDesc,
    decisionNo: s.ticket.decisionNo,
    findings: d?.findings ?? '',
  }
  const template = d ? REPLY_TEMPLATES.find((x) => x.outcome === d.outcome)! : null
  const [a] = await db
    .insert(appeals)
    .values({
      filedOn: toChinaDate(s.filed).replace(/-/g, ''),
      ticketId: s.ticket.id,
      citizenId: s.citizenId,
      unitId: usable.forwardSameDay ? (s.ticket.occurredUnitId ?? s.ticket.unitId) : s.ticket.unitId,
      plate: s.ticket.plate,
      decisionNo: s.ticket.decisionNo,
      type: usable.key,
      grounds: s.grounds,
      statement: STATEMENTS[s.grounds]!,
      contactPhone: env.phone,
      state,
      assigneeId: s.assignee ?? null,
      assignedAt: s.assignee ? new Date((s.accepted ?? s.filed).getTime() + 600_000) : null,
      findings: d?.findings ?? s.findings ?? null,
      outcome: d?.outcome ?? null,
      legalBasis: d?.basis ?? null,
      replyText: template ? renderTemplate(template.text, params) : null,
      correctedFineYuan: d?.correctedFine ?? null,
      correctedPoints: d?.correctedPoints ?? null,
      proposedBy: d ? (s.assignee ?? env.legal) : null,
      proposedAt: d?.at ?? null,
      approvedBy: d && d.outcome !== 'upheld' && d.approvedAt ? env.head : null,
      refuseReason: s.refused?.reason ?? null,
      refuseNote: s.refused?.note ?? null,
      policy: { ...usable.clock, citation: usable.citation },
      clockStart,
      extensionDays,
      ...dueColumns(due),
      pausedSince: s.material && !s.material.answered ? s.material.at : null,
      submittedAt: s.filed,
      acceptedAt: s.accepted ?? null,
      decidedAt,
      closedAt: closedAt ?? null,
      createdAt: s.filed,
      updatedAt: closedAt ?? s.decision?.at ?? s.extension?.at ?? s.material?.answered ?? s.material?.at ?? s.accepted ?? s.filed,
    })
    .returning()
  const id = a!.id
  const ev: (typeof appealEvents.$inferInsert)[] = []
  const add = (
    at: Date,
    action: string,
    role: string,
    actorId: string | null,
    from: string | null,
    to: string | null,
    note: string | null = null,
    visible = true,
  ) =>
    ev.push({
      appealId: id,
      at,
      action,
      actorType: role === 'citizen' ? 'citizen' : role === 'system' ? 'system' : 'staff',
      actorRole: role,
      actorId,
      fromState: from,
      toState: to,
      note,
      citizenVisible: visible,
    })
  add(s.filed, 'file', 'citizen', s.citizenId, null, 'submitted')
  if (s.refused) add(s.refused.at, 'refuse', 'legal_officer', env.legal, 'submitted', 'refused', s.refused.note)
  if (s.accepted) add(s.accepted, 'accept', 'legal_officer', s.assignee ?? env.legal, 'submitted', 'accepted')
  if (s.assignee) add(new Date((s.accepted ?? s.filed).getTime() + 600_000), 'assign', 'legal_officer', s.assignee, 'accepted', 'in_review', null, false)
  if (s.material) {
    add(s.material.at, 'request_material', 'legal_officer', s.assignee ?? env.legal, 'in_review', 'awaiting_material', s.material.items)
    if (s.material.answered) add(s.material.answered, 'supply_material', 'citizen', s.citizenId, 'awaiting_material', 'in_review', s.material.note ?? null)
    await db.insert(appealMaterialRequests).values({
      appealId: id,
      items: s.material.items,
      requestedBy: s.assignee ?? env.legal,
      requestedAt: s.material.at,
      answeredAt: s.material.answered ?? null,
      answerNote: s.material.note ?? null,
      answeredBy: s.material.answered ? (s.material.by ?? 'citizen') : null,
    })
  }
  if (s.extension) {
    add(s.extension.at, 'request_extension', 'legal_officer', s.assignee ?? env.legal, 'in_review', 'in_review', s.extension.reason, false)
    if (s.extension.state === 'approved')
      add(
        s.extension.decided ?? s.extension.at,
        'approve_extension',
        'unit_head',
        env.head,
        'in_review',
        'in_review',
        `+${s.extension.days}: ${s.extension.reason}`,
      )
    await db.insert(appealExtensions).values({
      appealId: id,
      days: s.extension.days,
      reason: s.extension.reason,
      state: s.extension.state,
      requestedBy: s.assignee ?? env.legal,
      requestedAt: s.extension.at,
      decidedBy: s.extension.state === 'approved' ? env.head : null,
      decidedAt: s.extension.state === 'approved' ? (s.extension.decided ?? s.extension.at) : null,
    })
  }
  if (d) {
    const action = d.outcome === 'upheld' ? 'uphold' : d.outcome === 'corrected' ? 'correct' : 'revoke'
    add(
      d.at,
      action,
      'legal_officer',
      s.assignee ?? env.legal,
      'in_review',
      d.outcome === 'upheld' ? 'decided' : 'pending_approval',
      null,
      d.outcome === 'upheld',
    )
    if (d.outcome !== 'upheld' && d.approvedAt) add(d.approvedAt, 'approve', 'unit_head', env.head, 'pending_approval', 'decided')
    if (approved && d.outcome !== 'upheld') {
      await db
        .update(tickets)
        .set(
          d.outcome === 'revoked'
            ? { status: 'revoked', version: 2 }
            : {
                status: 'corrected',
                correctedFineYuan: d.correctedFine ?? s.ticket.fineYuan,
                correctedPoints: d.correctedPoints ?? s.ticket.points,
                version: 2,
              },
        )
        .where(eq(tickets.id, s.ticket.id))
    }
  }
  if (s.withdrawn) add(s.withdrawn, 'withdraw', 'citizen', s.citizenId, s.assignee ? 'in_review' : 'submitted', 'withdrawn')
  ev.sort((x, y) => (x.at as Date).getTime() - (y.at as Date).getTime())
  await db.insert(appealEvents).values(ev)
}
