import { randomBytes } from 'node:crypto'
import { addCalendarDays, chinaTime, toChinaDate, type WorkCalendar } from '@tp/shared/calendar'
import { DEFAULT_RATING_CONFIG, tagsFor } from '@tp/shared/ratings/config'
import { followUpDue, followUpSoonAt } from '@tp/shared/ratings/due'
import { isBad, LEVEL_SCORE, LEVELS, type RatingLevel } from '@tp/shared/ratings/levels'
import type { FollowUpState } from '@tp/shared/ratings/machine'
import { and, asc, eq, isNull } from 'drizzle-orm'
import type { Ctx } from '../../platform/context'
import type { DemoRefs } from '../../platform/module'
import { offices, queueTickets, services, serviceWindows, windowServices } from '../bookings/bookings.tables'
import { chinaMonth, loadWorkCalendar } from './common'
import { ratingCallBacks, ratingConfig, ratingDevices, ratingFollowUpEvents, ratingFollowUps, ratingInvitations, ratings } from './ratings.tables'

/** A small deterministic generator: the demo data is the same on every run. */
function prng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Weights = [number, number, number, number, number]
/** Service quality per window (weights for 非常满意 … 非常不满意): one excellent, one weaker. */
const PROFILES: Weights[] = [
  [70, 22, 5, 2, 1],
  [55, 30, 10, 3, 2],
  [62, 28, 7, 2, 1],
  [45, 32, 15, 5, 3],
  [60, 25, 10, 3, 2],
  [50, 33, 12, 3, 2],
  [66, 24, 7, 2, 1],
  [58, 30, 8, 3, 1],
  [52, 30, 12, 4, 2],
]

const BAD_COMMENTS = [
  '等了一个多小时才叫到号，窗口只开了一个。',
  '工作人员说话不耐烦，材料要求没讲清楚。',
  '第一次来被告知缺材料，第二次来又说还缺一份，希望一次性告知。',
  '叫号后等了很久才开始办理，中途离开窗口。',
  '系统故障，办了一半让明天再来。',
]
const GOOD_COMMENTS = ['办理很快，态度很好！', '民警耐心讲解，谢谢！', '', '', '流程清楚，比以前方便多了。']

const WORKING_HOURS_MS = 3600_000

/** An instant `days` working days after `from` (same time of day). */
function afterWorkingDays(from: Date, days: number, cal: WorkCalendar): Date {
  let d = toChinaDate(from)
  let n = 0
  while (n < days) {
    d = addCalendarDays(d, 1)
    if (cal.isWorkingDay(d)) n++
  }
  return new Date(chinaTime(d, '10:00').getTime() + ((from.getTime() % 3_600_000) % (2 * WORKING_HOURS_MS)))
}

/**
 * Ratings for the last three months and this one across the demo offices' windows (the 车管所's
 * windows are served by 李窗口 and 周窗口; the police stations' windows have no staff account),
 * with queue figures behind them, and follow-up cases of bad ratings in every state — one
 * overdue, one contest upheld (voided), two of 张三's with the outcome visible in his app.
 */
export async function seedRatings(ctx: Ctx, refs: DemoRefs): Promise<void> {
  const db = ctx.db
  const now = ctx.now()
  const today = toChinaDate(now)
  const rnd = prng(20260310)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T
  await db.insert(ratingConfig).values({ id: 'default', config: DEFAULT_RATING_CONFIG }).onConflictDoNothing()
  const cal = await loadWorkCalendar(db)

  const officeRows = await db.select().from(offices).orderBy(asc(offices.createdAt))
  const hall = officeRows.find((o) => o.unitId === refs.units.vehicleOffice)
  const windows = await db
    .select({ w: serviceWindows, unitId: offices.unitId })
    .from(serviceWindows)
    .innerJoin(offices, eq(offices.id, serviceWindows.officeId))
    .orderBy(asc(offices.createdAt), asc(serviceWindows.number))
  if (!hall || windows.length === 0) return
  const svcRows = await db.select().from(services)
  const offered = await db.select().from(windowServices)
  const staffAt = (w: typeof serviceWindows.$inferSelect): string | null =>
    w.officeId !== hall.id ? null : [1, 2, 5].includes(w.number) ? refs.staff.window : refs.staff.window2

  // One evaluator per window (a real tablet gets its own token from the console).
  const devices = new Map<string, string>()
  for (const { w } of windows) {
    const [d] = await db
      .insert(ratingDevices)
      .values({ windowId: w.id, label: `${w.number}号窗口评价器`, tokenHash: randomBytes(32).toString('hex'), createdBy: refs.staff.admin, createdAt: now })
      .returning({ id: ratingDevices.id })
    devices.set(w.id, d?.id as string)
  }

  // --- Tickets and ratings, day by day, from the first day of the month three months back.
  const [y, m] = chinaMonth(now).split('-').map(Number) as [number, number]
  const startMonth = new Date(Date.UTC(y, m - 1 - 3, 1))
  const start = startMonth.toISOString().slice(0, 10)
  type TicketInsert = typeof queueTickets.$inferInsert
  type RatingPlan = {
    ticket: number
    level: RatingLevel
    channel: 'app' | 'evaluator'
    citizenId: string | null
    ratedAt: Date
    comment: string | null
    tags: string[]
  }
  const tickets: TicketInsert[] = []
  const plans: RatingPlan[] = []
  const counters = new Map<string, number>()
  for (let d = start; d < today; d = addCalendarDays(d, 1)) {
    if (!cal.isWorkingDay(d)) continue
    windows.forEach(({ w }, wi) => {
      const profile = PROFILES[wi % PROFILES.length] as Weights
      const svcIds = offered.filter((o) => o.windowId === w.id).map((o) => o.serviceId)
      if (svcIds.length === 0) return
      // The second window of 滨江 is rarely staffed: too few ratings to be ranked.
      const quiet = w.officeId !== hall.id && w.number === 2
      const n = quiet ? (rnd() < 0.25 ? 1 : 0) : 1 + Math.floor(rnd() * 3)
      for (let i = 0; i < n; i++) {
        const sid = pick(svcIds)
        const svc = svcRows.find((s) => s.id === sid) as typeof services.$inferSelect
        const key = `${w.officeId}|${d}|${svc.prefix}`
        const seq = (counters.get(key) ?? 0) + 1
        counters.set(key, seq)
        const issuedAt = new Date(chinaTime(d, '09:00').getTime() + Math.floor(rnd() * 400) * 60_000)
        const calledAt = new Date(issuedAt.getTime() + (3 + Math.floor(rnd() * 35)) * 60_000)
        const noShow = rnd() < 0.07
        const servingAt = noShow ? null : new Date(calledAt.getTime() + 60_000)
        const completedAt = servingAt ? new Date(servingAt.getTime() + Math.round(svc.durationMinutes * (0.6 + rnd() * 0.8)) * 60_000) : null
        const appRated = rnd() < 0.25
        const citizen = appRated ? pick(refs.citizens) : null
        tickets.push({
          officeId: w.officeId,
          date: d,
          serviceId: svc.id,
          citizenId: citizen?.id ?? null,
          number: `${svc.prefix}${String(seq).padStart(3, '0')}`,
          seq,
          kind: 'walk_in',
          state: noShow ? 'no_show' : 'done',
          windowId: w.id,
          issuedAt,
          calledAt,
          callCount: noShow ? 3 : 1,
          servingAt,
          completedAt,
          servedBy: staffAt(w),
          createdAt: issuedAt,
        })
        if (!completedAt || rnd() > 0.72) continue
        const r = rnd() * 100
        let acc = 0
        let level: RatingLevel = 'very_satisfied'
        for (const [li, weight] of profile.entries()) {
          acc += weight
          if (r < acc) {
            level = LEVELS[li] as RatingLevel
            break
          }
        }
        const offeredTags = tagsFor(level, DEFAULT_RATING_CONFIG).map((t) => t.code)
        const tagCount = isBad(level) ? 1 + Math.floor(rnd() * 2) : Math.floor(rnd() * 3)
        const tags = [...new Set(Array.from({ length: tagCount }, () => pick(offeredTags)))]
        const comment = isBad(level) ? pick(BAD_COMMENTS) : pick(GOOD_COMMENTS) || null
        plans.push({
          ticket: tickets.length - 1,
          level,
          channel: appRated ? 'app' : 'evaluator',
          citizenId: citizen?.id ?? null,
          ratedAt: new Date(completedAt.getTime() + (appRated ? 2 * 3600_000 + Math.floor(rnd() * 20 * 3600_000) : 60_000 + Math.floor(rnd() * 300_000))),
          comment,
          tags,
        })
      }
    })
  }
  const ticketIds: string[] = []
  for (let i = 0; i < tickets.length; i += 500) {
    const rows = await db
      .insert(queueTickets)
      .values(tickets.slice(i, i + 500))
      .returning({ id: queueTickets.id })
    ticketIds.push(...rows.map((r) => r.id))
  }
  const unitOf = new Map(officeRows.map((o) => [o.id, o.unitId]))
  const ratingRows: (typeof ratings.$inferSelect)[] = []
  const values = plans.map((p) => {
    const t = tickets[p.ticket] as TicketInsert
    return {
      ticketId: ticketIds[p.ticket] as string,
      officeId: t.officeId,
      unitId: unitOf.get(t.officeId) as string,
      windowId: t.windowId ?? null,
      staffId: t.servedBy ?? null,
      serviceId: t.serviceId,
      citizenId: p.citizenId,
      channel: p.channel,
      deviceId: p.channel === 'evaluator' ? (devices.get(t.windowId as string) ?? null) : null,
      level: p.level,
      score: LEVEL_SCORE[p.level],
      bad: isBad(p.level),
      tags: p.tags,
      comment: p.comment,
      contactPhone: p.channel === 'evaluator' && isBad(p.level) && rnd() < 0.5 ? `139${String(Math.floor(rnd() * 1e8)).padStart(8, '0')}` : null,
      completedAt: t.completedAt as Date,
      ratedAt: p.ratedAt,
      month: chinaMonth(p.ratedAt),
    }
  })
  for (let i = 0; i < values.length; i += 500)
    ratingRows.push(
      ...(await db
        .insert(ratings)
        .values(values.slice(i, i + 500))
        .returning()),
    )

  // --- Follow-ups: older bad ratings are closed (one late, one voided); the last weeks' are in progress.
  const bad = ratingRows.filter((r) => r.bad).sort((a, b) => a.ratedAt.getTime() - b.ratedAt.getTime())
  const ageDays = (d: Date) => (now.getTime() - d.getTime()) / 86_400_000
  let voided = false
  for (const [i, r] of bad.entries()) {
    const age = ageDays(r.ratedAt)
    const state: FollowUpState =
      age > 30 ? (!voided && i % 7 === 3 ? 'voided' : 'closed') : age > 24 ? 'rectified' : age > 10 ? 'called_back' : i % 2 ? 'verified' : 'opened'
    if (state === 'voided') voided = true
    await followUp(ctx, cal, r, state, { late: i === 1, head: refs.staff.head })
  }

  // --- Scenarios for the demo: 张三's two cases (closed, and being called back), every state at window 1 and at 滨江.
  const zhang = refs.citizens[0]
  const w1 = windows.find((x) => x.w.officeId === hall.id && x.w.number === 1)?.w
  const station = windows.find((x) => x.w.officeId !== hall.id)?.w
  const recentDay = (back: number) => {
    let d = today
    let n = 0
    while (n < back) {
      d = addCalendarDays(d, -1)
      if (cal.isWorkingDay(d)) n++
    }
    return d
  }
  const scenarios: {
    w: typeof serviceWindows.$inferSelect | undefined
    back: number
    level: RatingLevel
    state: FollowUpState
    citizen?: string
    comment: string
    tags: string[]
  }[] = [
    {
      w: w1,
      back: 9,
      level: 'dissatisfied',
      state: 'closed',
      citizen: zhang?.id,
      comment: '材料要求前后说法不一致，跑了两趟。',
      tags: ['extra_trips', 'unclear'],
    },
    { w: w1, back: 3, level: 'very_dissatisfied', state: 'called_back', citizen: zhang?.id, comment: '排队两个小时，窗口却有人在闲聊。', tags: ['long_wait'] },
    { w: w1, back: 1, level: 'dissatisfied', state: 'opened', comment: '叫号后十分钟才开始办理。', tags: ['slow'] },
    { w: w1, back: 2, level: 'very_dissatisfied', state: 'contested', comment: '民警态度恶劣！', tags: ['rude'] },
    { w: station, back: 4, level: 'dissatisfied', state: 'verified', comment: '异地违法处理告知不清楚。', tags: ['unclear'] },
    { w: station, back: 6, level: 'dissatisfied', state: 'rectified', comment: '等候区没有座位，等了很久。', tags: ['long_wait'] },
    { w: w1, back: 22, level: 'very_dissatisfied', state: 'verified', comment: '系统故障让明天再来，没有任何解释。', tags: ['extra_trips'] },
  ]
  for (const s of scenarios) {
    if (!s.w) continue
    const d = recentDay(s.back)
    const svcId = offered.find((o) => o.windowId === s.w?.id)?.serviceId as string
    const issuedAt = chinaTime(d, '10:05')
    const completedAt = chinaTime(d, '10:52')
    const [t] = await db
      .insert(queueTickets)
      .values({
        officeId: s.w.officeId,
        date: d,
        serviceId: svcId,
        citizenId: s.citizen ?? null,
        number: `Z${String(900 + scenarios.indexOf(s)).padStart(3, '0')}`,
        seq: 900 + scenarios.indexOf(s),
        kind: 'walk_in',
        state: 'done',
        windowId: s.w.id,
        issuedAt,
        calledAt: chinaTime(d, '10:40'),
        callCount: 1,
        servingAt: chinaTime(d, '10:41'),
        completedAt,
        servedBy: staffAt(s.w),
        createdAt: issuedAt,
      })
      .returning()
    const ratedAt = new Date(completedAt.getTime() + (s.citizen ? 3 * 3600_000 : 120_000))
    const [r] = await db
      .insert(ratings)
      .values({
        ticketId: t?.id as string,
        officeId: s.w.officeId,
        unitId: unitOf.get(s.w.officeId) as string,
        windowId: s.w.id,
        staffId: staffAt(s.w),
        serviceId: svcId,
        citizenId: s.citizen ?? null,
        channel: s.citizen ? 'app' : 'evaluator',
        deviceId: s.citizen ? null : (devices.get(s.w.id) ?? null),
        level: s.level,
        score: LEVEL_SCORE[s.level],
        bad: true,
        tags: s.tags,
        comment: s.comment,
        contactPhone: s.citizen ? null : '13912345678',
        completedAt,
        ratedAt,
        month: chinaMonth(ratedAt),
      })
      .returning()
    if (r) await followUp(ctx, cal, r, s.state, { contestBy: s.state === 'contested' ? refs.staff.window : undefined, head: refs.staff.head })
  }

  // Today's services already completed by the bookings demo: invite their citizens to rate.
  const done = await db
    .select({ id: queueTickets.id, citizenId: queueTickets.citizenId, completedAt: queueTickets.completedAt })
    .from(queueTickets)
    .leftJoin(ratings, eq(ratings.ticketId, queueTickets.id))
    .where(and(eq(queueTickets.date, today), eq(queueTickets.state, 'done'), isNull(ratings.id)))
  for (const t of done) {
    if (!t.citizenId || !t.completedAt) continue
    await db
      .insert(ratingInvitations)
      .values({
        ticketId: t.id,
        citizenId: t.citizenId,
        expiresAt: new Date(t.completedAt.getTime() + DEFAULT_RATING_CONFIG.appRatingDays * 86_400_000),
        createdAt: t.completedAt,
      })
      .onConflictDoNothing()
  }
}

const VERIFY_NOTES = ['调取窗口录音录像核实，情况属实。', '经核实，当日系统故障导致办理延误。', '经与当事民警核实，告知材料不完整。']
const FIXES = ['对当事民警批评教育，全所通报；增设材料清单一次性告知卡。', '高峰时段增开窗口，安排引导员分流。', '组织窗口人员业务培训，完善首问负责制。']
const OUTCOMES = ['经核实，您反映的问题属实。我们已对相关人员批评教育并整改，感谢您的监督。', '已整改：高峰时段增开窗口并安排引导，欢迎您再次监督。']

/** Writes a follow-up case and walks it to `state` with plausible times, records and events. */
async function followUp(
  ctx: Ctx,
  cal: WorkCalendar,
  r: typeof ratings.$inferSelect,
  state: FollowUpState,
  opts: { late?: boolean; contestBy?: string | undefined; head?: string } = {},
): Promise<void> {
  const db = ctx.db
  const opened = r.ratedAt
  const due = followUpDue(opened, DEFAULT_RATING_CONFIG, cal)
  const at = (days: number) => afterWorkingDays(opened, days, cal)
  const reached = ['verified', 'contested', 'called_back', 'rectified', 'closed', 'voided'] as FollowUpState[]
  const has = (s: FollowUpState) => reached.indexOf(state) >= reached.indexOf(s) && state !== 'voided' && state !== 'contested'
  const verifiedAt = state !== 'opened' ? at(1) : null
  const calledBackAt = has('called_back') ? at(2) : null
  const rectifiedAt = has('rectified') ? at(opts.late ? 14 : 4) : null
  const closedAt = state === 'closed' ? at(opts.late ? 18 : 6) : state === 'voided' ? at(3) : null
  const i = r.id.charCodeAt(0) % 3
  const [f] = await db
    .insert(ratingFollowUps)
    .values({
      openedOn: toChinaDate(opened).replace(/-/g, ''),
      ratingId: r.id,
      ticketId: r.ticketId,
      unitId: r.unitId,
      officeId: r.officeId,
      windowId: r.windowId,
      staffId: r.staffId,
      citizenId: r.citizenId,
      state,
      policy: DEFAULT_RATING_CONFIG.followUp,
      openedAt: opened,
      dueDate: due.dueDate,
      dueAt: due.dueAt,
      soonAt: followUpSoonAt(opened, DEFAULT_RATING_CONFIG, cal),
      verifiedAt,
      verification: verifiedAt ? (VERIFY_NOTES[i] as string) : null,
      calledBackAt,
      rectifiedAt,
      rectification: rectifiedAt ? (FIXES[i] as string) : null,
      closedAt,
      outcome: state === 'closed' ? (OUTCOMES[i % 2] as string) : state === 'voided' ? '经调取录音录像核实，该评价与实际情况不符，不纳入统计。' : null,
      contestReason: state === 'contested' || state === 'voided' ? '当事人办理时情绪激动，录像显示民警全程文明用语，评价与事实不符。' : null,
      contestedBy: state === 'contested' || state === 'voided' ? (opts.contestBy ?? r.staffId) : null,
      contestedAt: state === 'contested' || state === 'voided' ? at(1) : null,
      contestDecision: state === 'voided' ? 'upheld' : null,
      contestDecidedBy: state === 'voided' ? (opts.head ?? null) : null,
      contestDecidedAt: state === 'voided' ? at(3) : null,
      contestNote: state === 'voided' ? '录像证据充分，申辩成立。' : null,
      remindedAt: state !== 'closed' && state !== 'voided' && ctx.now().getTime() > due.dueAt.getTime() ? due.dueAt : null,
      overdueNotifiedAt: state !== 'closed' && state !== 'voided' && ctx.now().getTime() > due.dueAt.getTime() ? due.dueAt : null,
      updatedAt: closedAt ?? rectifiedAt ?? calledBackAt ?? verifiedAt ?? opened,
    })
    .returning()
  if (!f) return
  if (state === 'voided') await db.update(ratings).set({ excluded: true }).where(eq(ratings.id, r.id))
  const head = opts.head ?? null
  const ev = (
    action: string,
    when: Date,
    from: string | null,
    to: string,
    note: string | null,
    pub: boolean,
    publicNote: string | null = null,
    role = 'unit_head',
  ) => ({
    followUpId: f.id,
    at: when,
    action,
    actorType: role === 'system' ? 'system' : 'staff',
    actorRole: role,
    actorId: role === 'system' ? null : role === 'window_staff' ? (f.contestedBy ?? null) : head,
    fromState: from,
    toState: to,
    note,
    public: pub,
    publicNote,
  })
  const events = [ev('open', opened, null, 'opened', null, true, null, 'system')]
  if (state === 'contested' || state === 'voided') {
    events.push(ev('contest', f.contestedAt as Date, 'opened', 'contested', f.contestReason, false, null, 'window_staff'))
    if (state === 'voided') events.push(ev('uphold_contest', f.contestDecidedAt as Date, 'contested', 'voided', f.contestNote, true, f.outcome))
  } else {
    if (verifiedAt) events.push(ev('verify', verifiedAt, 'opened', 'verified', f.verification, true))
    if (calledBackAt) events.push(ev('call_back', calledBackAt, 'verified', 'called_back', '电话回访，当事人接受处理意见。', true))
    if (rectifiedAt) events.push(ev('rectify', rectifiedAt, 'called_back', 'rectified', f.rectification, true, f.rectification))
    if (state === 'closed' && closedAt) events.push(ev('close', closedAt, 'rectified', 'closed', f.outcome, true, f.outcome))
  }
  await db.insert(ratingFollowUpEvents).values(events)
  if (calledBackAt) {
    await db.insert(ratingCallBacks).values({
      followUpId: f.id,
      calledAt: calledBackAt,
      method: 'phone',
      reached: true,
      feedback: state === 'called_back' ? 'basic' : 'satisfied',
      note: '电话回访，当事人接受处理意见。',
      recordedBy: head,
      createdAt: calledBackAt,
    })
  }
}
