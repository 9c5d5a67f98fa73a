import { queueTickets } from '@tp/server/modules/bookings/bookings.tables'
import { remindFollowUps } from '@tp/server/modules/ratings/followup.service'
import { ratingFollowUps, ratings } from '@tp/server/modules/ratings/ratings.tables'
import { systemCtx } from '@tp/server/platform/context'
import { auditLog, notifications } from '@tp/server/platform/platform.tables'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../support/app'
import { citizen, newClient, staffUser } from '../support/client'
import { advanceTo, type Booked, cn, evaluator, type Hall, hallOf, ok, prebook, ratingsApp, serveBooked, serveWalkIn } from './ratings-support'

// Monday 2026-09-28: the National Day holiday (10-01…10-07, make-up working day Sat 10-10) lies ahead.
const DAY = '2026-09-28'
let t: TestApp
let refs: Awaited<ReturnType<typeof ratingsApp>>['refs']
let hall: Hall
let pool: Record<string, Booked>
const TIMES = ['08:30', '09:00', '09:30', '11:00', '13:00', '13:30', '14:00', '15:00']

beforeAll(async () => {
  ;({ t, refs } = await ratingsApp(cn(DAY, '07:00')))
  hall = await hallOf(t, refs.vehicleOffice)
  const booked = await prebook(t, hall, DAY, TIMES)
  pool = Object.fromEntries(TIMES.map((x, i) => [x, booked[i] as Booked]))
})
afterAll(() => t.close())

const db = () => t.deps.database.db

/** The completed ticket of a pre-booked citizen. */
async function ticketOf(time: string): Promise<string> {
  const [row] = await db()
    .select({ id: queueTickets.id })
    .from(queueTickets)
    .where(and(eq(queueTickets.bookingId, (pool[time] as Booked).booking.id), eq(queueTickets.state, 'done')))
  return row?.id as string
}

describe('rating in the app', () => {
  it('invites the served citizen when the window completes the service, and only they can rate it, once', async () => {
    const { c, ticket } = await serveBooked(t, hall, pool['08:30'] as Booked)
    // Invitation: an in-app notification linking to the rate page, and a pending rating.
    const inbox = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.messageKey, 'ratings.notify.invite'), eq(notifications.link, `/ratings/${ticket.id}`)))
    expect(inbox).toHaveLength(1)
    const pending = await ok(c.get('/api/ratings/pending'))
    expect(pending.items.map((p: any) => p.ticket.id)).toContain(ticket.id)

    const page = await ok(c.get(`/api/ratings/tickets/${ticket.id}`))
    expect(page).toMatchObject({ canRate: true, reason: null, rating: null, followUp: null, ticket: { id: ticket.id, windowNumber: 1, staffName: '李窗口' } })
    expect(page.tags.length).toBeGreaterThan(5)

    // Someone else — another citizen, staff, nobody — cannot see or rate it.
    const other = await citizen(t, '13619999999')
    expect((await other.get(`/api/ratings/tickets/${ticket.id}`)).status).toBe(404)
    expect((await other.post(`/api/ratings/tickets/${ticket.id}`, { level: 'very_satisfied' })).status).toBe(404)
    expect((await (await staffUser(t, 'head')).post(`/api/ratings/tickets/${ticket.id}`, { level: 'very_satisfied' })).status).toBe(403)
    expect((await newClient(t).post(`/api/ratings/tickets/${ticket.id}`, { level: 'very_satisfied' })).status).toBe(401)

    // Validation: strict body, tags fitting the level.
    expect((await c.post(`/api/ratings/tickets/${ticket.id}`, { level: 'satisfied', stars: 5 })).status).toBe(400)
    const wrongTag = await c.post(`/api/ratings/tickets/${ticket.id}`, { level: 'satisfied', tags: ['rude'] })
    expect(wrongTag.status).toBe(422)
    expect(wrongTag.body.error.code).toBe('invalid_tags')

    const rated = await c.post(`/api/ratings/tickets/${ticket.id}`, { level: 'satisfied', tags: ['warm', 'efficient'], comment: '很快' })
    expect(rated.status).toBe(201)
    expect(rated.body).toMatchObject({
      canRate: false,
      reason: 'rated',
      rating: { level: 'satisfied', tags: ['warm', 'efficient'], channel: 'app', bad: false },
      followUp: null,
    })
    const again = await c.post(`/api/ratings/tickets/${ticket.id}`, { level: 'very_dissatisfied' })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('already_rated')
    expect((await ok(c.get('/api/ratings/pending'))).items.map((p: any) => p.ticket.id)).not.toContain(ticket.id)
    const [audited] = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'rating.create'), eq(auditLog.entityId, rated.body.rating.id)))
    expect(audited).toBeDefined()
  })

  it('accepts exactly one of many concurrent ratings of the same service', async () => {
    const { c, ticket } = await serveBooked(t, hall, pool['09:00'] as Booked)
    const levels = ['very_satisfied', 'satisfied', 'basic', 'dissatisfied', 'very_dissatisfied', 'satisfied', 'basic', 'very_satisfied']
    const results = await Promise.all(levels.map((level) => c.post(`/api/ratings/tickets/${ticket.id}`, { level })))
    expect(results.filter((r) => r.status === 201)).toHaveLength(1)
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'already_rated')).toBe(true)
    expect(results.filter((r) => r.status === 409)).toHaveLength(levels.length - 1)
    const rows = await db().select().from(ratings).where(eq(ratings.ticketId, ticket.id))
    expect(rows).toHaveLength(1)
    // A bad winner opened exactly one follow-up; a good one none.
    const f = await db().select().from(ratingFollowUps).where(eq(ratingFollowUps.ticketId, ticket.id))
    expect(f).toHaveLength(rows[0]?.bad ? 1 : 0)
  })

  it('links a booking to its rating card', async () => {
    const { c, booking, ticket } = await serveBooked(t, hall, pool['09:30'] as Booked)
    expect(await ok(c.get(`/api/ratings/bookings/${booking.id}`))).toMatchObject({
      ticketId: ticket.id,
      link: `/ratings/${ticket.id}`,
      canRate: true,
      rating: null,
    })
    expect((await (await citizen(t, '13619999998')).get(`/api/ratings/bookings/${booking.id}`)).status).toBe(404)
  })
})

describe('the evaluator tablet at a window', () => {
  it('needs a token bound to that window: none, revoked or another window’s are refused', async () => {
    const w1 = hall.windows[0]?.id as string
    const w2 = hall.windows[1]?.id as string
    const anon = newClient(t)
    expect((await anon.get(`/api/evaluator/windows/${w1}`)).status).toBe(401)
    expect((await anon.get(`/api/evaluator/windows/${w1}`, { 'x-evaluator-token': 'guess' })).body.error.code).toBe('evaluator_unbound')
    const ev2 = await evaluator(t, w2)
    const wrong = await anon.get(`/api/evaluator/windows/${w1}`, { 'x-evaluator-token': ev2.device.token })
    expect(wrong.status).toBe(403)
    expect(wrong.body.error.code).toBe('evaluator_wrong_window')
    expect(ev2.device.setupPath).toBe(`/console/evaluator/${w2}#token=${ev2.device.token}`)
    // A brigade head outside the 车管所 cannot bind a tablet there; a citizen not at all.
    expect((await (await staffUser(t, 'head1')).post('/api/console/ratings/devices', { windowId: w1, label: 'x' })).status).toBe(404)
    expect((await (await citizen(t, '13619999997')).post('/api/console/ratings/devices', { windowId: w1, label: 'x' })).status).toBe(403)
    const admin = await staffUser(t, 'admin')
    await ok(admin.post(`/api/console/ratings/devices/${ev2.device.id}/revoke`))
    expect((await ev2.state()).status).toBe(401)
    const [issued] = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'rating_device.issue'), eq(auditLog.entityId, ev2.device.id)))
    expect(issued).toBeDefined()
  })

  it('rates only the service the window completed last, once, then works for the next citizen', async () => {
    advanceTo(t, cn(DAY, '10:00'))
    const w1 = hall.windows[0]?.id as string
    const ev = await evaluator(t, w1)
    const first = await serveWalkIn(t, hall)
    let state = await ok(ev.state())
    expect(state).toMatchObject({ window: { number: 1 }, staff: { name: '李窗口' }, ticket: { id: first.id, staffName: '李窗口' } })
    expect(state.idleSeconds).toBeGreaterThan(0)
    // A stranger with the tablet cannot rate another ticket (e.g. one completed elsewhere).
    const other = await serveWalkIn(t, hall, { clerk: 'window2', window: 2 })
    const wrongTicket = await ev.rate({ ticketId: other.id, level: 'very_dissatisfied' })
    expect(wrongTicket.status).toBe(409)
    expect(wrongTicket.body.error.code).toBe('not_current_ticket')
    expect(await ok(ev.rate({ ticketId: first.id, level: 'very_satisfied', tags: ['warm'] }), 201)).toEqual({ ok: true, bad: false })
    expect((await ev.rate({ ticketId: first.id, level: 'very_dissatisfied' })).status).toBe(409)
    state = await ok(ev.state())
    expect(state.ticket).toBeNull()
    // The next citizen.
    const second = await serveWalkIn(t, hall)
    state = await ok(ev.state())
    expect(state.ticket.id).toBe(second.id)
    expect(
      await ok(ev.rate({ ticketId: second.id, level: 'dissatisfied', tags: ['long_wait'], comment: '等太久', contactPhone: '139 1234 5678' }), 201),
    ).toEqual({ ok: true, bad: true })
    const [r] = await db().select().from(ratings).where(eq(ratings.ticketId, second.id))
    expect(r).toMatchObject({ channel: 'evaluator', level: 'dissatisfied', contactPhone: '13912345678', staffId: refs.staff.window })
    // Too late for the evaluator after the configured minutes.
    const third = await serveWalkIn(t, hall)
    t.now.value = new Date(t.now.value.getTime() + 31 * 60_000)
    expect((await ok(ev.state())).ticket).toBeNull()
    const late = await ev.rate({ ticketId: third.id, level: 'satisfied' })
    expect(late.status).toBe(422)
  })

  it('counts one rating per service across the app and the evaluator, also when both come at once', async () => {
    const ev = await evaluator(t, hall.windows[0]?.id as string)
    const { c, ticket } = await serveBooked(t, hall, pool['11:00'] as Booked)
    const [app, tablet] = await Promise.all([
      c.post(`/api/ratings/tickets/${ticket.id}`, { level: 'satisfied' }),
      ev.rate({ ticketId: ticket.id, level: 'basic' }),
    ])
    expect([app.status, tablet.status].sort()).toEqual([201, 409])
    expect(await db().select().from(ratings).where(eq(ratings.ticketId, ticket.id))).toHaveLength(1)
    // Rated at the window: the citizen sees it in the app and cannot rate again.
    const page = await ok(c.get(`/api/ratings/tickets/${ticket.id}`))
    expect(page.canRate).toBe(false)
    expect(page.rating).not.toBeNull()
  })
})

/** A tiny valid PNG (1×1): contest evidence. */
const PNG = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='), (ch) => ch.charCodeAt(0))
function contestForm(version: number, reason: string, withFile = true) {
  const f = new FormData()
  f.set('version', String(version))
  f.set('reason', reason)
  if (withFile) f.append('evidence', new File([PNG], '录像截图.png', { type: 'image/png' }))
  return f
}

async function rateBad(b: Booked, level = 'dissatisfied') {
  const { c, ticket } = await serveBooked(t, hall, b)
  const page = await ok(c.post(`/api/ratings/tickets/${ticket.id}`, { level, tags: ['long_wait'], comment: '等了很久，窗口有人闲聊。' }), 201)
  return { c, ticket, page }
}

describe('follow-up of a bad rating', () => {
  let followUpId: string
  let citizenClient: Awaited<ReturnType<typeof rateBad>>['c']
  let ticketId: string

  it('opens a case for the unit head with a deadline of 15 working days across the National Day holiday', async () => {
    const { c, ticket, page } = await rateBad(pool['13:00'] as Booked)
    citizenClient = c
    ticketId = ticket.id
    // Opened Mon 09-28: 09-29, 09-30, (10-01…10-07 holiday), 10-08, 10-09, Sat 10-10 (make-up day), 10-12…10-16, 10-19…10-23.
    expect(page.followUp).toMatchObject({ state: 'opened', stateType: 'open', dueAt: '2026-10-23T15:59:59.999Z', outcome: null })
    expect(page.followUp.number).toMatch(/^HF20260928\d{6}$/)
    const head = await staffUser(t, 'head')
    const list = await ok(head.get('/api/console/ratings/followups?view=open&sort=openedAt&order=desc'))
    const item = list.items.find((x: any) => x.ticketNumber === ticket.number && x.officeName === '评价测试大厅')
    expect(item).toMatchObject({
      state: 'opened',
      level: 'dissatisfied',
      staffName: '李窗口',
      windowNumber: 1,
      overdue: false,
      dueAt: '2026-10-23T15:59:59.999Z',
    })
    expect(item.contactMasked).toMatch(/^\d{3}\*{4}\d{4}$/)
    followUpId = item.id
    const inbox = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.recipientId, refs.staff.head), eq(notifications.messageKey, 'ratings.notify.badRating')))
    expect(inbox.some((n) => n.link === `/console/ratings/followups/${followUpId}`)).toBe(true)
  })

  it('is verified, called back (every one), rectified and closed by the unit head — in that order only', async () => {
    const head = await staffUser(t, 'head')
    const window = await staffUser(t, 'window')
    const base = `/api/console/ratings/followups/${followUpId}`
    let d = await ok(head.get(base))
    expect(d.actions).toEqual(['verify'])
    expect((await ok(window.get(base))).actions).toEqual(['contest'])
    // Nobody skips a step; window staff cannot take the head's steps; a stale version is refused.
    expect((await head.post(`${base}/close`, { version: d.version, outcome: '已整改完毕' })).body.error.code).toBe('invalid_transition')
    expect((await window.post(`${base}/verify`, { version: d.version, note: '核实' })).status).toBe(403)
    d = await ok(head.post(`${base}/verify`, { version: d.version, note: '调取录音录像，情况属实。' }))
    expect(d.state).toBe('verified')
    const stale = await head.post(`${base}/verify`, { version: 0, note: '再次核实' })
    expect(stale.status).toBe(409)
    expect(stale.body.error.code).toBe('version_conflict')
    expect((await head.post(`${base}/rectify`, { version: d.version, measures: '批评教育，增开窗口。' })).body.error.code).toBe('invalid_transition')
    // The number to call: unmasked only through the audited action.
    const contact = await ok(head.get(`${base}/contact`))
    expect(contact).toMatchObject({ source: 'account' })
    expect(contact.phone).toMatch(/^1\d{10}$/)
    expect((await window.get(`${base}/contact`)).status).toBe(403)
    const viewed = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'citizen.view_personal_data'), eq(auditLog.entityId, followUpId)))
    expect(viewed).toHaveLength(1)
    // Two attempts: the first unanswered.
    d = await ok(head.post(`${base}/call-back`, { version: d.version, method: 'phone', reached: false, note: '无人接听' }))
    expect(d.state).toBe('called_back')
    d = await ok(head.post(`${base}/call-back`, { version: d.version, method: 'phone', reached: true, feedback: 'basic', note: '已致歉，当事人表示理解。' }))
    expect(d.callBacks.map((x: any) => x.reached)).toEqual([false, true])
    expect(d.actions).toEqual(['call_back', 'rectify'])
    d = await ok(head.post(`${base}/rectify`, { version: d.version, measures: '对当事民警批评教育；高峰时段增开窗口。' }))
    d = await ok(head.post(`${base}/close`, { version: d.version, outcome: '经核实问题属实，已对相关人员批评教育并增开高峰窗口，感谢您的监督。' }))
    expect(d).toMatchObject({ state: 'closed', stateType: 'fixed', actions: [] })
    expect(d.timeline.map((e: any) => e.action)).toEqual(['open', 'verify', 'call_back', 'call_back', 'rectify', 'close'])
  })

  it('shows the citizen the outcome and the public steps, never the internal notes', async () => {
    const page = await ok(citizenClient.get(`/api/ratings/tickets/${ticketId}`))
    expect(page.followUp).toMatchObject({ state: 'closed', stateType: 'fixed', outcome: '经核实问题属实，已对相关人员批评教育并增开高峰窗口，感谢您的监督。' })
    expect(page.followUp.timeline.map((e: any) => e.action)).toEqual(['open', 'verify', 'call_back', 'call_back', 'rectify', 'close'])
    const notes = page.followUp.timeline.map((e: any) => e.note)
    expect(notes).not.toContain('调取录音录像，情况属实。')
    expect(notes).not.toContain('无人接听')
    expect(notes).toContain('对当事民警批评教育；高峰时段增开窗口。')
    const cases = await ok(citizenClient.get('/api/me/cases'))
    expect(cases.items.find((x: any) => x.kind === 'rating' && x.id === ticketId)).toMatchObject({
      state: 'closed',
      stateType: 'fixed',
      number: page.followUp.number,
    })
    const keys = (
      await db()
        .select()
        .from(notifications)
        .where(eq(notifications.link, `/ratings/${ticketId}`))
    ).map((n) => n.messageKey)
    expect(keys).toEqual(
      expect.arrayContaining([
        'ratings.notify.invite',
        'ratings.notify.followUpOpened',
        'ratings.notify.verified',
        'ratings.notify.rectified',
        'ratings.notify.closed',
      ]),
    )
  })
})

describe('contest of a malicious rating', () => {
  it('lets the rated staff member contest with evidence; the unit head upholds it and the rating leaves the statistics', async () => {
    const { c, ticket } = await rateBad(pool['13:30'] as Booked, 'very_dissatisfied')
    const head = await staffUser(t, 'head')
    const window = await staffUser(t, 'window')
    const window2 = await staffUser(t, 'window2')
    const [f] = await db().select().from(ratingFollowUps).where(eq(ratingFollowUps.ticketId, ticket.id))
    const base = `/api/console/ratings/followups/${f?.id}`
    // Another clerk neither sees nor contests it; the evidence is required.
    expect((await window2.get(base)).status).toBe(404)
    expect((await window2.post(`${base}/contest`, contestForm(0, '评价与事实不符，录像可证。'))).status).toBe(404)
    const noFile = await window.post(`${base}/contest`, contestForm(0, '评价与事实不符，录像可证。', false))
    expect(noFile.status).toBe(422)
    expect(noFile.body.error.code).toBe('evidence_required')
    const contested = await ok(window.post(`${base}/contest`, contestForm(0, '当事人情绪激动，录像显示全程文明用语，评价与事实不符。')))
    expect(contested).toMatchObject({ state: 'contested', contest: { byName: '李窗口', decision: null } })
    expect(contested.contest.evidence).toHaveLength(1)
    const file = contested.contest.evidence[0]
    const got = await head.request('GET', file.url)
    expect(got.status).toBe(200)
    expect(got.headers.get('content-type')).toBe('image/jpeg')
    expect((await window2.request('GET', file.url)).status).toBe(404)
    // The clerk cannot decide; the head must tell the citizen something when upholding.
    expect((await window.post(`${base}/decide-contest`, { version: contested.version, decision: 'uphold', note: '成立' })).status).toBe(403)
    expect((await head.post(`${base}/decide-contest`, { version: contested.version, decision: 'uphold', note: '成立' })).status).toBe(400)
    const decided = await ok(
      head.post(`${base}/decide-contest`, {
        version: contested.version,
        decision: 'uphold',
        note: '录像证据充分，申辩成立。',
        publicNote: '经调取录音录像核实，该评价与实际情况不符，不纳入统计。',
      }),
    )
    expect(decided).toMatchObject({ state: 'voided', stateType: 'closed', contest: { decision: 'upheld' }, actions: [] })
    const [r] = await db().select().from(ratings).where(eq(ratings.ticketId, ticket.id))
    expect(r?.excluded).toBe(true)
    // The citizen sees the outcome, not the contest.
    const page = await ok(c.get(`/api/ratings/tickets/${ticket.id}`))
    expect(page.followUp).toMatchObject({ state: 'voided', outcome: '经调取录音录像核实，该评价与实际情况不符，不纳入统计。' })
    expect(page.followUp.timeline.map((e: any) => e.action)).toEqual(['open', 'uphold_contest'])
    const staffInbox = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.recipientId, refs.staff.window), eq(notifications.messageKey, 'ratings.notify.contestUpheld')))
    expect(staffInbox).toHaveLength(1)
  })

  it('goes on as verified when the contest is rejected; two heads deciding at once get one success', async () => {
    const { ticket } = await rateBad(pool['14:00'] as Booked)
    const head = await staffUser(t, 'head')
    const admin = await staffUser(t, 'admin')
    const window = await staffUser(t, 'window')
    const [f] = await db().select().from(ratingFollowUps).where(eq(ratingFollowUps.ticketId, ticket.id))
    const base = `/api/console/ratings/followups/${f?.id}`
    const v = (await ok(head.post(`${base}/verify`, { version: 0, note: '情况属实。' }))).version
    const contested = await ok(window.post(`${base}/contest`, contestForm(v, '我认为评价不客观，请领导复核。')))
    const both = await Promise.all([
      head.post(`${base}/decide-contest`, { version: contested.version, decision: 'reject', note: '录像显示确有等待过久，申辩不成立。' }),
      admin.post(`${base}/decide-contest`, { version: contested.version, decision: 'reject', note: '申辩不成立。' }),
    ])
    expect(both.map((r) => r.status).sort()).toEqual([200, 409])
    const d = await ok(head.get(base))
    expect(d).toMatchObject({ state: 'verified', contest: { decision: 'rejected' } })
    expect(d.actions).toEqual(['call_back'])
    // Contested once and rejected: the clerk may contest again only before the call-back.
    await ok(head.post(`${base}/call-back`, { version: d.version, method: 'phone', reached: true, note: '已回访。' }))
    expect((await window.post(`${base}/contest`, contestForm(d.version + 1, '再次申辩，理由同上。'))).body.error.code).toBe('invalid_transition')
    const [r] = await db().select().from(ratings).where(eq(ratings.ticketId, ticket.id))
    expect(r?.excluded).toBe(false)
  })
})

describe('deadlines, reminders and late ratings', () => {
  it('uses the configured deadline (5 working days) for cases opened afterwards, reminds at two thirds, flags overdue once', async () => {
    const admin = await staffUser(t, 'admin')
    const config = await ok(admin.get('/api/console/ratings/config'))
    expect(config.followUp).toEqual({ days: 15, unit: 'working' })
    expect((await (await staffUser(t, 'head')).put('/api/console/ratings/config', { ...config, followUp: { days: 5, unit: 'working' } })).status).toBe(403)
    await ok(admin.put('/api/console/ratings/config', { ...config, followUp: { days: 5, unit: 'working' } }))
    const late = pool['15:00'] as Booked
    const { ticket } = await rateBad(late)
    const [f5] = await db().select().from(ratingFollowUps).where(eq(ratingFollowUps.ticketId, ticket.id))
    // Opened Mon 09-28: 09-29, 09-30, (holiday), 10-08, 10-09, and Sat 10-10 — the make-up working day.
    expect(f5).toMatchObject({ dueDate: '2026-10-10', policy: { days: 5, unit: 'working' } })
    // The earlier case keeps its 15-day deadline.
    const [f15] = await db()
      .select()
      .from(ratingFollowUps)
      .where(eq(ratingFollowUps.ticketId, await ticketOf('13:00')))
    expect(f15?.dueDate).toBe('2026-10-23')
    await ok((await staffUser(t, 'admin')).put('/api/console/ratings/config', config))

    const ctx = () => systemCtx(t.deps)
    const heads = async (key: string) =>
      (
        await db()
          .select()
          .from(notifications)
          .where(and(eq(notifications.messageKey, key), eq(notifications.recipientId, refs.staff.head)))
      ).filter((n) => n.link?.endsWith(f5?.id as string))
    advanceTo(t, cn('2026-10-08', '09:00')) // 3 of 5 working days used
    await remindFollowUps(ctx())
    expect(await heads('ratings.notify.dueSoon')).toHaveLength(0)
    advanceTo(t, cn('2026-10-09', '09:00')) // 4 of 5: past two thirds
    await remindFollowUps(ctx())
    await remindFollowUps(ctx())
    expect(await heads('ratings.notify.dueSoon')).toHaveLength(1)
    const soon = await ok((await staffUser(t, 'head')).get('/api/console/ratings/followups/counts'))
    expect(soon.dueSoon).toBeGreaterThanOrEqual(1)
    advanceTo(t, cn('2026-10-10', '23:59'))
    await remindFollowUps(ctx())
    expect(await heads('ratings.notify.overdue')).toHaveLength(0)
    advanceTo(t, cn('2026-10-11', '00:01'))
    await remindFollowUps(ctx())
    await remindFollowUps(ctx())
    expect(await heads('ratings.notify.overdue')).toHaveLength(1)
    const head = await staffUser(t, 'head')
    const overdue = await ok(head.get('/api/console/ratings/followups?view=overdue'))
    expect(overdue.items.map((x: any) => x.id)).toContain(f5?.id)
    expect(overdue.items.every((x: any) => x.overdue)).toBe(true)
    const counts = await ok(head.get('/api/console/ratings/followups/counts'))
    expect(counts.overdue).toBeGreaterThanOrEqual(1)
  })

  it('refuses an app rating after the configured days', async () => {
    // The booking-card citizen was served on 09-28 and never rated; it is now 10-11, past the 7 days.
    const b = pool['09:30'] as Booked
    const ticket = await ticketOf('09:30')
    const page = await ok(b.c.get(`/api/ratings/tickets/${ticket}`))
    expect(page).toMatchObject({ canRate: false, reason: 'expired', rating: null })
    expect((await ok(b.c.get('/api/ratings/pending'))).items).toEqual([])
    const res = await b.c.post(`/api/ratings/tickets/${ticket}`, { level: 'satisfied' })
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('rating_expired')
  })
})
