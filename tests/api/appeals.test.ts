import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../support/app'
import { type Client, citizen, newClient, staffUser } from '../support/client'
import { addStaff, appealForm, appealsApp, cst, file, fileOn, importTickets, PDF, PNG, STATEMENT } from './appeals-support'

let t: TestApp
let admin: Client
let legal: Client
let legal2: Client
let head: Client
let zhang: Client
let li: Client

beforeAll(async () => {
  // An ordinary Wednesday: the seed's due-soon case cannot exist in the first days of a long
  // holiday (every deadline then rolls past it), and the queue tests expect one.
  t = await appealsApp({ startAt: cst('2026-11-25T10:00:00') })
  await addStaff(t, 'head2', 'unit_head', '市公安局交通警察支队', '钱副队长')
  await addStaff(t, 'legal_b2', 'legal_officer', '城区二大队', '二大队法制员')
  admin = await staffUser(t, 'admin')
  legal = await staffUser(t, 'legal')
  legal2 = await staffUser(t, 'legal2')
  head = await staffUser(t, 'head')
  zhang = await citizen(t, '13800138000')
  li = await citizen(t, '13900139000')
})
afterAll(() => t.close())

const v = (r: { body: { version: number } }) => r.body.version
/** Another citizen each time: filing is rate-limited per account (20 an hour), as in production. */
let phoneSeq = 0
const fresh = () => citizen(t, `1358800${String(++phoneSeq).padStart(4, '0')}`)

describe('tickets for citizens', () => {
  it('publishes the clock policy of every appeal type with its citation', async () => {
    const res = await newClient(t).get('/api/appeals/config')
    expect(res.status).toBe(200)
    const statement = res.body.types.find((x: { key: string }) => x.key === 'statement')
    const camera = res.body.types.find((x: { key: string }) => x.key === 'camera_objection')
    expect(statement.clock).toMatchObject({ days: 15, unit: 'calendar' })
    expect(camera.clock).toMatchObject({ days: 5, unit: 'working' })
    expect(camera.citation['zh-CN']).toContain('第五条第三款')
    expect(res.body.grounds.map((g: { key: string }) => g.key)).toEqual([
      'camera_misread',
      'cloned_plate',
      'emergency_avoidance',
      'unclear_sign',
      'vehicle_sold_or_stolen',
      'other',
    ])
  })

  it('lists the tickets of my bound vehicles only', async () => {
    const res = await zhang.get('/api/tickets')
    expect(res.status).toBe(200)
    expect(res.body.items.length).toBeGreaterThan(0)
    for (const tk of res.body.items) expect(tk.plate).toBe('川A12345')
  })

  it('finds a ticket by decision number and plate; a wrong plate looks like an unknown number', async () => {
    const [row] = await importTickets(admin, [{ plate: '川A77777' }])
    const ok = await li.get(`/api/tickets/lookup?decisionNo=${row!.decisionNo}&plate=${encodeURIComponent('川A77777')}`)
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({ decisionNo: row!.decisionNo, status: 'effective', appealTypes: ['statement'] })
    const wrong = await li.get(`/api/tickets/lookup?decisionNo=${row!.decisionNo}&plate=${encodeURIComponent('川A77778')}`)
    expect(wrong.status).toBe(404)
    const unbound = await li.get(`/api/tickets/lookup?decisionNo=${row!.decisionNo}`)
    expect(unbound.status).toBe(404)
    expect((await newClient(t).get(`/api/tickets/lookup?decisionNo=${row!.decisionNo}`)).status).toBe(401)
  })
})

describe('filing an appeal', () => {
  it('files with a photo and a PDF, starts the clock on filing, and allows one open appeal per ticket', async () => {
    const [tk] = await importTickets(admin, [{ plate: '川A12345', recordedBy: 'camera' }])
    const created = await fileOn(zhang, { decisionNo: tk!.decisionNo!, plate: '川A12345' }, { type: 'camera_objection' }, [
      file(PNG, 'photo.png', 'image/png'),
      file(PDF, 'contract.pdf', 'application/pdf'),
    ])
    expect(created).toMatchObject({ state: 'submitted', type: 'camera_objection', stateType: 'open', policy: { startsOn: 'filing' } })
    expect(created.number).toMatch(/^SS\d{8}\d{6,}$/)
    expect(created.evidence).toHaveLength(2)
    expect(created.evidence[0].thumbUrl).toContain('thumb=1')
    // Same-day forwarding: the camera objection's clock runs from filing, not provisionally.
    expect(created.due).toMatchObject({ provisional: false, paused: false, startedAt: created.submittedAt })
    expect(created.policy).toMatchObject({ days: 5, unit: 'working' })
    expect(created.actions).toEqual(['withdraw'])
    expect(created.timeline.map((e: { action: string; actorRole: string }) => [e.action, e.actorRole])).toEqual([['file', 'citizen']])

    // The photo is served to its owner (re-encoded JPEG), not to another citizen.
    const img = await zhang.get(created.evidence[0].url)
    expect(img.status).toBe(200)
    expect(img.headers.get('content-type')).toBe('image/jpeg')
    expect((await li.get(created.evidence[0].url)).status).toBe(404)

    const second = await zhang.post(
      '/api/appeals',
      appealForm({ decisionNo: tk!.decisionNo!, plate: '川A12345', grounds: 'other', statement: STATEMENT, contactPhone: '13800138000' }),
    )
    expect(second.status).toBe(409)
    expect(second.body.error.code).toBe('appeal_exists')
    expect(second.body.error.appeal).toMatchObject({ id: created.id, number: created.number, link: `/appeals/${created.id}` })
  })

  it('checks uploads by content, their number and the statement length', async () => {
    const [tk] = await importTickets(admin, [{ plate: '川A12345' }])
    const me = await fresh()
    const base = { decisionNo: tk!.decisionNo!, plate: '川A12345', grounds: 'other', statement: STATEMENT, contactPhone: '13800138000' }
    const fake = await me.post('/api/appeals', appealForm(base, [file('not really a photo', 'photo.jpg', 'image/jpeg')]))
    expect(fake.status).toBe(415)
    const many = await me.post(
      '/api/appeals',
      appealForm(
        base,
        Array.from({ length: 10 }, (_, i) => file(PNG, `p${i}.png`, 'image/png')),
      ),
    )
    expect(many.status).toBe(400)
    const short = await me.post('/api/appeals', appealForm({ ...base, statement: '太短了' }))
    expect(short.status).toBe(400)
    expect(short.body.error.details.map((d: { path: string }) => d.path)).toContain('body.statement')
    const badPhone = await me.post('/api/appeals', appealForm({ ...base, contactPhone: '12345' }))
    expect(badPhone.status).toBe(400)
    const unknownField = await me.post('/api/appeals', appealForm({ ...base, outcome: 'revoked' }))
    expect(unknownField.status).toBe(400)
    // Nothing was created by the failed attempts.
    const ok = await me.post('/api/appeals', appealForm(base))
    expect(ok.status).toBe(201)
  })

  it('refuses the camera-objection type for an on-site ticket', async () => {
    const [tk] = await importTickets(admin, [{ plate: '川A12345', recordedBy: 'onsite' }])
    const res = await zhang.post(
      '/api/appeals',
      appealForm({
        decisionNo: tk!.decisionNo!,
        plate: '川A12345',
        type: 'camera_objection',
        grounds: 'other',
        statement: STATEMENT,
        contactPhone: '13800138000',
      }),
    )
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('type_not_applicable')
  })

  it('replays an Idempotency-Key instead of filing twice', async () => {
    const [tk] = await importTickets(admin, [{ plate: '川A12345' }])
    // A retry sends the very same bytes (same multipart boundary) with the same key.
    const req = new Request('http://x/', {
      method: 'POST',
      body: appealForm({ decisionNo: tk!.decisionNo!, plate: '川A12345', grounds: 'other', statement: STATEMENT, contactPhone: '13800138000' }),
    })
    const type = req.headers.get('content-type') as string
    const bytes = new Uint8Array(await req.arrayBuffer())
    const send = () =>
      t.app.request('/api/appeals', {
        method: 'POST',
        headers: { cookie: zhang.cookie, 'x-csrf-token': zhang.csrf, 'content-type': type, 'idempotency-key': `k-${tk!.decisionNo}` },
        body: bytes,
      })
    const a = await send()
    const b = await send()
    expect(a.status).toBe(201)
    expect(b.status).toBe(201)
    expect(b.headers.get('idempotent-replayed')).toBe('true')
    expect(((await b.json()) as { id: string }).id).toBe(((await a.json()) as { id: string }).id)
  })
})

describe('the journey: accept, material, revoke, approval, letter', () => {
  it('runs end to end with the clock paused while waiting for material', async () => {
    const [tk] = await importTickets(admin, [{ plate: '川A12345', recordedBy: 'camera' }])
    const filed = await fileOn(zhang, { decisionNo: tk!.decisionNo!, plate: '川A12345' }, { type: 'statement' }, [file(PNG, 'photo.png', 'image/png')])
    const id = filed.id

    // The citizen cannot decide or accept; not even see the console.
    expect((await zhang.post(`/api/console/appeals/${id}/accept`, { version: filed.version })).status).toBe(403)

    const accepted = await legal.post(`/api/console/appeals/${id}/accept`, { version: filed.version, assign: 'none' })
    expect(accepted.status).toBe(200)
    expect(accepted.body).toMatchObject({ state: 'accepted', due: { provisional: false, status: 'ok' } })
    expect(accepted.body.actions).toContain('assign')

    const legalId = (await legal.get('/api/me')).body.id
    const mine = await legal.post(`/api/console/appeals/${id}/assign`, { version: v(accepted), assignee: legalId })
    expect(mine.status).toBe(200)
    expect(mine.body.state).toBe('in_review')
    expect(mine.body.assignee.name).toBe('刘法制')
    const dueBefore = mine.body.due.dueDate

    const asked = await legal.post(`/api/console/appeals/${id}/material-requests`, { version: v(mine), items: '请补充车辆停放位置的证明材料。' })
    expect(asked.status).toBe(200)
    expect(asked.body).toMatchObject({ state: 'awaiting_material', due: { paused: true, status: 'paused' } })

    // The citizen sees the request in the tracker, and the action to answer it.
    const tracker = await zhang.get(`/api/appeals/${id}`)
    expect(tracker.body.state).toBe('awaiting_material')
    expect(tracker.body.actions).toEqual(['supply_material', 'withdraw'])
    expect(tracker.body.materialRequests[0]).toMatchObject({ items: '请补充车辆停放位置的证明材料。', answeredAt: null })
    expect(tracker.body.timeline.map((e: { action: string }) => e.action)).toEqual(['file', 'accept', 'request_material'])
    expect(tracker.body.timeline.every((e: { actorName?: unknown }) => e.actorName === undefined)).toBe(true)

    const fd = new FormData()
    fd.append('version', String(tracker.body.version))
    fd.append('note', '已上传小区物业出具的停车记录。')
    fd.append('files', file(PNG, 'parking.png', 'image/png'))
    const supplied = await zhang.post(`/api/appeals/${id}/material`, fd)
    expect(supplied.status).toBe(200)
    expect(supplied.body.state).toBe('in_review')
    expect(supplied.body.due.paused).toBe(false)
    expect(supplied.body.materialRequests[0].files).toHaveLength(1)
    expect(supplied.body.due.dueDate >= dueBefore).toBe(true)

    // A citizen cannot decide (not even with the version they hold).
    const byCitizen = await zhang.post(`/api/console/appeals/${id}/decision`, {
      version: supplied.body.version,
      outcome: 'revoked',
      findings: '理由成立',
      legalBasis: ['apl_40'],
      replyText: '经复核，原处罚决定予以撤销。',
    })
    expect(byCitizen.status).toBe(403)

    const review = await legal.get(`/api/console/appeals/${id}`)
    expect(review.body.ticket.officerName).toBe('张路警')
    expect(review.body.citizen.phoneMasked).toBe('138****8000')
    expect(review.body.actions).toEqual(expect.arrayContaining(['uphold', 'correct', 'revoke', 'request_material', 'request_extension']))

    const revoked = await legal.post(`/api/console/appeals/${id}/decision`, {
      version: review.body.version,
      outcome: 'revoked',
      findings: '抓拍号牌识别有误，违法车辆并非申诉人车辆',
      legalBasis: ['apl_40', 'proc_19_20'],
      replyText: '经复核，您提出的申诉理由成立，原处罚决定予以撤销。',
    })
    expect(revoked.status).toBe(200)
    expect(revoked.body.state).toBe('pending_approval')
    // The reviewer (a legal officer) cannot approve at all; the citizen does not see the proposal yet.
    expect((await legal.post(`/api/console/appeals/${id}/approval`, { version: v(revoked), approve: true })).status).toBe(403)
    const pendingForCitizen = await zhang.get(`/api/appeals/${id}`)
    expect(pendingForCitizen.body.decision).toBeNull()
    expect(pendingForCitizen.body.timeline.map((e: { action: string }) => e.action)).not.toContain('revoke')
    expect((await zhang.get(`/api/appeals/${id}/letter`)).status).toBe(409)

    const approved = await head.post(`/api/console/appeals/${id}/approval`, { version: v(revoked), approve: true, note: '同意撤销' })
    expect(approved.status).toBe(200)
    expect(approved.body).toMatchObject({ state: 'decided', stateType: 'fixed', approvedBy: { name: '王队长' }, proposedBy: { name: '刘法制' } })
    expect(approved.body.ticket.status).toBe('revoked')

    const seen = await zhang.get(`/api/appeals/${id}`)
    expect(seen.body.decision).toMatchObject({ outcome: 'revoked', effective: true, legalBasis: ['apl_40', 'proc_19_20'] })
    expect(seen.body.ticket.status).toBe('revoked')
    expect(seen.body.letterAvailable).toBe(true)
    const roles = seen.body.timeline.map((e: { action: string; actorRole: string }) => `${e.action}:${e.actorRole}`)
    expect(roles).toEqual(['file:citizen', 'accept:legal_officer', 'request_material:legal_officer', 'supply_material:citizen', 'approve:unit_head'])

    const letter = await zhang.get(`/api/appeals/${id}/letter`)
    expect(letter.status).toBe(200)
    expect(letter.body).toMatchObject({ kind: 'decision', outcome: 'revoked', citizenName: '张三', appealNumber: filed.number })
    expect(letter.body.remedies).toMatchObject({ reconsiderationDays: 60, litigationMonths: 6 })
    expect(letter.body.legalBasis[0].label).toContain('第四十条')

    // Notifications at each step, in the citizen's inbox keys.
    const { notifications } = await import('@tp/server/platform/platform.tables')
    const { eq } = await import('drizzle-orm')
    const me = (await zhang.get('/api/me')).body.id
    const keys = (await t.deps.database.db.select().from(notifications).where(eq(notifications.recipientId, me))).map((n) => n.messageKey)
    for (const k of ['submitted', 'accepted', 'material_requested', 'material_received', 'decided']) expect(keys).toContain(`appeals.notify.${k}`)

    // The ticket can be appealed no more (it is revoked).
    const again = await zhang.post(
      '/api/appeals',
      appealForm({ decisionNo: tk!.decisionNo!, plate: '川A12345', grounds: 'other', statement: STATEMENT, contactPhone: '13800138000' }),
    )
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('ticket_not_effective')
  })
})

describe('transitions per role', () => {
  async function inReviewBy(reviewer: Client, username: string) {
    const [tk] = await importTickets(admin, [{ plate: '川A12345' }])
    const filed = await fileOn(await fresh(), { decisionNo: tk!.decisionNo!, plate: '川A12345' })
    const reviewerId = (await reviewer.get('/api/me')).body.id
    const acc = await head.post(`/api/console/appeals/${filed.id}/accept`, { version: filed.version, assign: reviewerId })
    expect(acc.status, `${username}: ${JSON.stringify(acc.body)}`).toBe(200)
    expect(acc.body.assignee.id).toBe(reviewerId)
    return acc.body
  }

  it('does not let a reviewer approve their own revocation, even as a unit head', async () => {
    const c = await inReviewBy(head, 'head')
    const proposed = await head.post(`/api/console/appeals/${c.id}/decision`, {
      version: c.version,
      outcome: 'revoked',
      findings: '经核查理由成立',
      legalBasis: ['apl_40'],
      replyText: '经复核，原处罚决定予以撤销。',
    })
    expect(proposed.status).toBe(200)
    expect(proposed.body.actions).not.toContain('approve')
    const own = await head.post(`/api/console/appeals/${c.id}/approval`, { version: proposed.body.version, approve: true })
    expect(own.status).toBe(403)
    expect(own.body.error.code).toBe('four_eyes')
    const head2 = await staffUser(t, 'head2')
    const other = await head2.post(`/api/console/appeals/${c.id}/approval`, { version: proposed.body.version, approve: true })
    expect(other.status).toBe(200)
    expect(other.body.state).toBe('decided')
  })

  it('lets only the assignee decide; upheld takes effect at once; a correction cannot raise the penalty', async () => {
    const c = await inReviewBy(legal, 'legal')
    const notMine = await legal2.post(`/api/console/appeals/${c.id}/decision`, {
      version: c.version,
      outcome: 'upheld',
      findings: '事实清楚',
      legalBasis: ['apl_45'],
      replyText: '经复核，维持原处罚决定。',
    })
    expect(notMine.status).toBe(403)
    expect(notMine.body.error.code).toBe('not_assignee')
    const heavier = await legal.post(`/api/console/appeals/${c.id}/decision`, {
      version: c.version,
      outcome: 'corrected',
      findings: '情节较重',
      legalBasis: ['rtsl_90'],
      replyText: '经复核，对原处罚决定予以变更。',
      correctedFineYuan: 500,
    })
    expect(heavier.status).toBe(422)
    expect(heavier.body.error.code).toBe('heavier_penalty')
    const upheld = await legal.post(`/api/console/appeals/${c.id}/decision`, {
      version: c.version,
      outcome: 'upheld',
      findings: '违法事实清楚、证据确凿',
      legalBasis: ['apl_45', 'rtsl_90'],
      replyText: '经复核，维持原处罚决定。',
    })
    expect(upheld.status).toBe(200)
    expect(upheld.body).toMatchObject({ state: 'decided', decision: { outcome: 'upheld', effective: true } })
    expect(upheld.body.ticket.status).toBe('effective')
    // Decided is final: no more transitions for anyone.
    const late = await head.post(`/api/console/appeals/${c.id}/approval`, { version: upheld.body.version, approve: true })
    expect(late.status).toBe(409)
    expect(late.body.error.code).toBe('invalid_transition')
  })

  it('returns a correction to the reviewer, then approves it: the ticket shows the new fine', async () => {
    const c = await inReviewBy(legal2, 'legal2')
    const proposed = await legal2.post(`/api/console/appeals/${c.id}/decision`, {
      version: c.version,
      outcome: 'corrected',
      findings: '初次违法且及时改正',
      legalBasis: ['apl_33'],
      replyText: '经复核，对原处罚决定予以变更，罚款调整为50元。',
      correctedFineYuan: 50,
    })
    expect(proposed.status).toBe(200)
    const returned = await head.post(`/api/console/appeals/${c.id}/approval`, { version: proposed.body.version, approve: false, note: '请补充说明依据' })
    expect(returned.body.state).toBe('in_review')
    const again = await legal2.post(`/api/console/appeals/${c.id}/decision`, {
      version: returned.body.version,
      outcome: 'corrected',
      findings: '初次违法且及时改正，未造成危害后果',
      legalBasis: ['apl_33', 'rtsl_90'],
      replyText: '经复核，对原处罚决定予以变更，罚款调整为50元。',
      correctedFineYuan: 50,
    })
    const ok = await head.post(`/api/console/appeals/${c.id}/approval`, { version: again.body.version, approve: true })
    expect(ok.status).toBe(200)
    expect(ok.body.ticket).toMatchObject({ status: 'corrected', correctedFineYuan: 50, correctedPoints: 6 })
  })

  it('refuses to accept with a reason and issues a refusal letter', async () => {
    const [tk] = await importTickets(admin, [{ plate: '川A12345' }])
    const me = await fresh()
    const filed = await fileOn(me, { decisionNo: tk!.decisionNo!, plate: '川A12345' })
    const refused = await legal.post(`/api/console/appeals/${filed.id}/refuse`, { version: filed.version, reason: 'out_of_time', note: '已超过申诉期限。' })
    expect(refused.status).toBe(200)
    expect(refused.body.state).toBe('refused')
    const mine = await me.get(`/api/appeals/${filed.id}`)
    expect(mine.body.refusal).toEqual({ reason: 'out_of_time', note: '已超过申诉期限。' })
    const letter = await me.get(`/api/appeals/${filed.id}/letter`)
    expect(letter.body).toMatchObject({ kind: 'refusal', refusalReason: 'out_of_time' })
    // Closed: a new appeal on the same ticket is possible again.
    expect(
      (
        await me.post(
          '/api/appeals',
          appealForm({ decisionNo: tk!.decisionNo!, plate: '川A12345', grounds: 'other', statement: STATEMENT, contactPhone: '13800138000' }),
        )
      ).status,
    ).toBe(201)
  })

  it('lets the citizen withdraw, but not a case that is not theirs', async () => {
    const [tk] = await importTickets(admin, [{ plate: '川A12345' }])
    const filed = await fileOn(zhang, { decisionNo: tk!.decisionNo!, plate: '川A12345' })
    expect((await li.post(`/api/appeals/${filed.id}/withdraw`, { version: filed.version })).status).toBe(404)
    const w = await zhang.post(`/api/appeals/${filed.id}/withdraw`, { version: filed.version, note: '已自行处理' })
    expect(w.status).toBe(200)
    expect(w.body).toMatchObject({ state: 'withdrawn', stateType: 'closed', actions: [] })
  })

  it('answers a stale version with 409 and the current state', async () => {
    const [tk] = await importTickets(admin, [{ plate: '川A12345' }])
    const filed = await fileOn(await fresh(), { decisionNo: tk!.decisionNo!, plate: '川A12345' })
    await legal.post(`/api/console/appeals/${filed.id}/accept`, { version: filed.version })
    const second = await legal2.post(`/api/console/appeals/${filed.id}/refuse`, { version: filed.version, reason: 'not_party' })
    expect(second.status).toBe(409)
    expect(second.body.error).toMatchObject({ code: 'version_conflict', current: { state: 'accepted', version: filed.version + 1 } })
  })
})

describe('access', () => {
  it('shows a citizen only their own appeals', async () => {
    const [tk] = await importTickets(admin, [{ plate: '川A12345' }])
    const filed = await fileOn(zhang, { decisionNo: tk!.decisionNo!, plate: '川A12345' })
    expect((await li.get(`/api/appeals/${filed.id}`)).status).toBe(404)
    expect((await li.get(`/api/appeals/${filed.id}/letter`)).status).toBe(404)
    const lis = await li.get('/api/appeals?limit=100')
    expect(lis.body.items.find((a: { id: string }) => a.id === filed.id)).toBeUndefined()
    const mine = await zhang.get('/api/appeals?limit=2')
    expect(mine.body.items).toHaveLength(2)
    expect(mine.body.nextCursor).toEqual(expect.any(String))
    const next = await zhang.get(`/api/appeals?limit=2&cursor=${mine.body.nextCursor}`)
    expect(next.body.items[0].id).not.toBe(mine.body.items[0].id)
    const cases = await zhang.get('/api/me/cases')
    expect(cases.body.items.some((c: { kind: string; id: string }) => c.kind === 'appeal' && c.id === filed.id)).toBe(true)
  })

  it('shows staff only cases in their unit scope', async () => {
    const [b1] = await importTickets(admin, [{ plate: '川A12345', unit: '城区一大队' }])
    const [b2] = await importTickets(admin, [{ plate: '川A12345', unit: '城区二大队' }])
    const one = await fileOn(zhang, { decisionNo: b1!.decisionNo!, plate: '川A12345' })
    const two = await fileOn(zhang, { decisionNo: b2!.decisionNo!, plate: '川A12345' })
    const b2legal = await staffUser(t, 'legal_b2')
    expect((await b2legal.get(`/api/console/appeals/${one.id}`)).status).toBe(404)
    expect((await b2legal.post(`/api/console/appeals/${one.id}/accept`, { version: one.version })).status).toBe(404)
    expect((await b2legal.get(`/api/console/appeals/${two.id}`)).status).toBe(200)
    const queue = await b2legal.get('/api/console/appeals?pageSize=200&scope=all')
    expect(queue.body.items.length).toBeGreaterThan(0)
    for (const a of queue.body.items) expect(a.unitName).toBe('城区二大队')
    // Detachment-level legal officers see both.
    const all = await legal.get(`/api/console/appeals?q=${one.number}`)
    expect(all.body.items.map((a: { id: string }) => a.id)).toEqual([one.id])
    // Evidence files of out-of-scope cases are not served either.
    expect((await b2legal.get(`/api/console/appeals/${one.id}/letter`)).status).toBe(404)
  })

  it('keeps window staff and dispatchers out of the legal console', async () => {
    const win = await staffUser(t, 'window')
    expect((await win.get('/api/console/appeals')).status).toBe(403)
    expect((await win.get('/api/console/appeals/counts')).status).toBe(403)
    expect((await newClient(t).get('/api/console/appeals')).status).toBe(401)
  })

  it('audits the reveal of a contact number', async () => {
    const q = await legal.get('/api/console/appeals?pageSize=1')
    const id = q.body.items[0].id
    const res = await legal.post(`/api/console/appeals/${id}/contact`)
    expect(res.status).toBe(200)
    expect(res.body.contactPhone).toMatch(/^1\d{10}$/)
    const { auditLog } = await import('@tp/server/platform/platform.tables')
    const { eq } = await import('drizzle-orm')
    const rows = await t.deps.database.db.select().from(auditLog).where(eq(auditLog.action, 'citizen.view_personal_data'))
    expect(rows.length).toBeGreaterThan(0)
  })
})

describe('the queue', () => {
  it('sorts open cases by due date with badges, filters and searches', async () => {
    const res = await legal.get('/api/console/appeals?pageSize=100')
    expect(res.status).toBe(200)
    expect(res.body.totalCapped).toBe(false)
    expect(res.body.total).toBe(res.body.items.length)
    const dues = res.body.items.map((a: { dueAt: string | null }) => a.dueAt).filter(Boolean)
    expect([...dues].sort()).toEqual(dues)
    expect(res.body.items.some((a: { dueStatus: string }) => a.dueStatus === 'overdue')).toBe(true)
    expect(res.body.items.some((a: { dueStatus: string }) => a.dueStatus === 'soon')).toBe(true)
    for (const a of res.body.items) expect(a.citizenNameMasked).toMatch(/^.\*+$|^$/)
    const overdue = await legal.get('/api/console/appeals?due=overdue')
    expect(overdue.body.items.every((a: { dueStatus: string }) => a.dueStatus === 'overdue')).toBe(true)
    const awaiting = await legal.get('/api/console/appeals?state=submitted')
    expect(awaiting.body.items.every((a: { state: string }) => a.state === 'submitted')).toBe(true)
    const byGrounds = await legal.get('/api/console/appeals?grounds=cloned_plate&scope=all')
    expect(byGrounds.body.items.length).toBeGreaterThan(0)
    expect(byGrounds.body.items.every((a: { grounds: string }) => a.grounds === 'cloned_plate')).toBe(true)
    const mine = await legal.get('/api/console/appeals?assignee=me')
    expect(mine.body.items.every((a: { assignee: { name: string } }) => a.assignee.name === '刘法制')).toBe(true)
    const plate = await legal.get(`/api/console/appeals?q=${encodeURIComponent('川a12345')}&scope=all`)
    expect(plate.body.items.length).toBeGreaterThan(0)
    expect(plate.body.items.every((a: { plate: string }) => a.plate === '川A12345')).toBe(true)
    const byDecision = await legal.get(`/api/console/appeals?q=${plate.body.items[0].decisionNo}&scope=all`)
    expect(byDecision.body.items[0].decisionNo).toBe(plate.body.items[0].decisionNo)
  })

  it('pages by keyset both ways, whatever the sort, with the same rows as one long page', async () => {
    for (const sort of ['due', 'submitted', '-submitted']) {
      const all = (await legal.get(`/api/console/appeals?scope=all&sort=${sort}&pageSize=200`)).body
      expect(all.prevCursor).toBeNull()
      const ids: string[][] = []
      let cursor: string | null = null
      let last: { prevCursor: string | null; items: { id: string }[] } | null = null
      do {
        const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null; prevCursor: string | null } } = await legal.get(
          `/api/console/appeals?scope=all&sort=${sort}&pageSize=4${cursor ? `&cursor=${cursor}` : ''}`,
        )
        expect(res.status).toBe(200)
        ids.push(res.body.items.map((a) => a.id))
        cursor = res.body.nextCursor
        last = res.body
      } while (cursor && ids.length < 100)
      expect(ids.flat()).toEqual(all.items.map((a: { id: string }) => a.id))
      expect(ids.length).toBeGreaterThan(2)
      // Back from the last page: the page before it, then the one before that.
      const back = await legal.get(`/api/console/appeals?scope=all&sort=${sort}&pageSize=4&cursor=${last!.prevCursor}`)
      expect(back.body.items.map((a: { id: string }) => a.id)).toEqual(ids[ids.length - 2])
      expect(back.body.nextCursor).not.toBeNull()
      const back2 = await legal.get(`/api/console/appeals?scope=all&sort=${sort}&pageSize=4&cursor=${back.body.prevCursor}`)
      expect(back2.body.items.map((a: { id: string }) => a.id)).toEqual(ids[ids.length - 3])
    }
    const first = await legal.get('/api/console/appeals?scope=all&sort=due&pageSize=4')
    const wrongSort = await legal.get(`/api/console/appeals?scope=all&sort=submitted&pageSize=4&cursor=${first.body.nextCursor}`)
    expect(wrongSort.status).toBe(400)
    expect((await legal.get('/api/console/appeals?cursor=not-a-cursor')).status).toBe(400)
  })

  it('counts overdue and due-soon cases for the dashboards', async () => {
    const res = await head.get('/api/console/appeals/counts')
    expect(res.status).toBe(200)
    expect(res.body.overdue).toBeGreaterThanOrEqual(1)
    expect(res.body.dueSoon).toBeGreaterThanOrEqual(1)
    expect(res.body.pendingApproval).toBeGreaterThanOrEqual(2)
    expect(res.body.pendingExtensions).toBeGreaterThanOrEqual(1)
    const q = await head.get('/api/console/appeals?due=overdue&pageSize=200')
    expect(q.body.total).toBe(res.body.overdue)
    const ext = await head.get('/api/console/appeals?extension=pending')
    expect(ext.body.total).toBe(res.body.pendingExtensions)
  })

  it('exports the filtered queue as XLSX', async () => {
    const res = await legal.request('GET', '/api/console/appeals/export.xlsx?scope=all')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('spreadsheetml')
  })

  it('assigns round-robin within the unit', async () => {
    const [a, b] = await importTickets(admin, [{ plate: '川A12345' }, { plate: '川A12345' }])
    const filer = await fresh()
    const one = await fileOn(filer, { decisionNo: a!.decisionNo!, plate: '川A12345' })
    const two = await fileOn(filer, { decisionNo: b!.decisionNo!, plate: '川A12345' })
    const x = await head.post(`/api/console/appeals/${one.id}/accept`, { version: one.version, assign: 'auto' })
    const y = await head.post(`/api/console/appeals/${two.id}/accept`, { version: two.version, assign: 'auto' })
    expect(x.status).toBe(200)
    expect(y.status).toBe(200)
    expect(x.body.assignee).not.toBeNull()
    expect(y.body.assignee.id).not.toBe(x.body.assignee.id)
  })

  it('lists the reviewers with their load', async () => {
    const res = await head.get('/api/console/appeals/reviewers')
    expect(res.body.items.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['刘法制', '赵审核', '王队长']))
  })
})

describe('extensions', () => {
  it('needs a unit head; the citizen sees the approved extension and the later due date', async () => {
    const [tk] = await importTickets(admin, [{ plate: '川A12345' }])
    const filer = await fresh()
    const filed = await fileOn(filer, { decisionNo: tk!.decisionNo!, plate: '川A12345' })
    const me = (await legal.get('/api/me')).body.id
    const acc = await legal.post(`/api/console/appeals/${filed.id}/accept`, { version: filed.version, assign: me })
    const before = acc.body.due.dueDate
    const tooLong = await legal.post(`/api/console/appeals/${filed.id}/extensions`, { version: acc.body.version, days: 30, reason: '需函调外省档案' })
    expect(tooLong.status).toBe(422)
    const req = await legal.post(`/api/console/appeals/${filed.id}/extensions`, { version: acc.body.version, days: 10, reason: '需函调外省档案' })
    expect(req.status).toBe(200)
    expect(req.body.extensions[0]).toMatchObject({ state: 'pending', days: 10 })
    expect((await legal.post(`/api/console/appeals/${filed.id}/extension-decision`, { version: req.body.version, approve: true })).status).toBe(403)
    const ok = await head.post(`/api/console/appeals/${filed.id}/extension-decision`, { version: req.body.version, approve: true })
    expect(ok.status).toBe(200)
    expect(ok.body.due.extensionDays).toBe(10)
    expect(ok.body.due.dueDate > before).toBe(true)
    const seen = await filer.get(`/api/appeals/${filed.id}`)
    expect(seen.body.extensions).toEqual([expect.objectContaining({ days: 10, reason: '需函调外省档案', state: 'approved' })])
    expect(seen.body.due.dueDate).toBe(ok.body.due.dueDate)
  })
})
