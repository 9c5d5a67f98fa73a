import { auditLog } from '@tp/server/platform/platform.tables'
import { and, eq, like } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../support/app'
import type { Client } from '../support/client'
import { appealForm, cst, fileOn, importTickets, movableClockApp, STATEMENT } from './appeals-support'

/** The admin-configured lists (grounds, refusal reasons, legal bases, templates) and added appeal types. */

let t: TestApp
let admin: Client
let legal: Client
let zhang: Client
let legalId: string

beforeAll(async () => {
  ;({ t, admin, legal, zhang, legalId } = await movableClockApp())
})
afterAll(() => t.close())

const at = (when: string) => {
  t.now.value = cst(when)
}

async function freshTicket(recordedBy: 'camera' | 'onsite' = 'camera') {
  const [tk] = await importTickets(admin, [{ plate: '川A12345', recordedBy, occurredAt: '2026-01-10 08:30' }])
  return { decisionNo: tk!.decisionNo!, plate: '川A12345' }
}

/** The appeal types a ticket offers its citizen. */
const offered = async (ticket: { decisionNo: string; plate: string }) =>
  (await zhang.get(`/api/tickets/lookup?decisionNo=${ticket.decisionNo}&plate=${encodeURIComponent(ticket.plate)}`)).body.appealTypes as string[]

const fileRaw = (ticket: { decisionNo: string; plate: string }, extra: Record<string, string>) =>
  zhang.post(
    '/api/appeals',
    appealForm({ decisionNo: ticket.decisionNo, plate: ticket.plate, grounds: 'camera_misread', statement: STATEMENT, contactPhone: '13800138000', ...extra }),
  )

const auditRows = (action: string) =>
  t.deps.database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entityType, action.split('.')[0]!), like(auditLog.action, action)))

const TOWED = { key: 'towed_before', label: { 'zh-CN': '车辆此前已被拖移', en: 'Vehicle had been towed' } }

describe('configured grounds', () => {
  it('lets only an admin add one; citizens see it and can file with it', async () => {
    at('2026-10-12T09:00:00')
    expect((await legal.post('/api/console/appeals/options/grounds', TOWED)).status).toBe(403)
    expect((await admin.post('/api/console/appeals/options/grounds', { ...TOWED, key: 'Bad Key' })).status).toBe(400)
    const added = await admin.post('/api/console/appeals/options/grounds', TOWED)
    expect(added.status).toBe(201)
    expect(added.body).toMatchObject({ ...TOWED, retired: false })
    expect((await admin.post('/api/console/appeals/options/grounds', TOWED)).status).toBe(409)

    const config = await zhang.get('/api/appeals/config')
    const keys = config.body.grounds.map((g: { key: string }) => g.key)
    expect(keys.at(-1)).toBe('towed_before')
    expect(keys).toContain('cloned_plate')

    const filed = await fileOn(zhang, await freshTicket(), { grounds: 'towed_before' })
    expect(filed.grounds).toBe('towed_before')

    const [created] = await auditRows('appeal_option.create')
    expect(created!.after).toMatchObject({ list: 'grounds', key: 'towed_before', label: TOWED.label })
  })

  it('refuses a retired or unknown ground naming body.grounds; an old case keeps its label', async () => {
    at('2026-10-12T09:30:00')
    const old = await fileOn(zhang, await freshTicket(), { grounds: 'towed_before' })
    expect((await legal.put('/api/console/appeals/options/grounds/towed_before', { label: TOWED.label, retired: true })).status).toBe(403)
    const retired = await admin.put('/api/console/appeals/options/grounds/towed_before', { label: TOWED.label, retired: true })
    expect(retired.status).toBe(200)
    expect(retired.body.retired).toBe(true)
    const [row] = await auditRows('appeal_option.retire')
    expect(row!.before).toMatchObject({ key: 'towed_before', retired: false })
    expect(row!.after).toMatchObject({ key: 'towed_before', retired: true })

    for (const grounds of ['towed_before', 'no_such_ground']) {
      const res = await fileRaw(await freshTicket(), { grounds })
      expect(res.status).toBe(400)
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body.grounds' })])
    }

    const config = await zhang.get('/api/appeals/config')
    expect(config.body.grounds.find((g: { key: string }) => g.key === 'towed_before')).toMatchObject({ label: TOWED.label, retired: true })
    expect((await zhang.get(`/api/appeals/${old.id}`)).body.grounds).toBe('towed_before')
    const report = await legal.get('/api/console/appeals/report?period=month&year=2026&index=10')
    expect(report.body.grounds.find((g: { key: string }) => g.key === 'towed_before')?.count).toBeGreaterThanOrEqual(2)

    const restored = await admin.put('/api/console/appeals/options/grounds/towed_before', { label: TOWED.label, retired: false })
    expect(restored.body.retired).toBe(false)
  })

  it('reorders a list only with every key once, and edits a built-in label', async () => {
    const before = (await legal.get('/api/console/appeals/options')).body.grounds.map((g: { key: string }) => g.key) as string[]
    expect((await admin.post('/api/console/appeals/options/grounds/order', { keys: before.slice(1) })).status).toBe(400)
    const reversed = [...before].reverse()
    const res = await admin.post('/api/console/appeals/options/grounds/order', { keys: reversed })
    expect(res.status).toBe(200)
    expect(res.body.items.map((g: { key: string }) => g.key)).toEqual(reversed)
    expect((await zhang.get('/api/appeals/config')).body.grounds.map((g: { key: string }) => g.key)).toEqual(reversed)

    const label = { 'zh-CN': '其他', en: 'Something else' }
    const edited = await admin.put('/api/console/appeals/options/grounds/other', { label })
    expect(edited.body).toMatchObject({ key: 'other', label, retired: false })
    expect((await admin.put('/api/console/appeals/options/grounds/nope', { label })).status).toBe(404)
    expect((await admin.put('/api/console/appeals/options/grounds/other', { label, text: '只有模板才有正文内容。' })).status).toBe(400)
  })
})

describe('configured legal bases, refusal reasons and templates', () => {
  it('refuses an unknown legal basis in a decision and a retired refusal reason, naming the field', async () => {
    at('2026-10-13T09:00:00')
    const filed = await fileOn(zhang, await freshTicket())
    const accepted = await legal.post(`/api/console/appeals/${filed.id}/accept`, { version: filed.version, assign: legalId })
    expect(accepted.status).toBe(200)
    const decision = {
      version: accepted.body.version,
      outcome: 'upheld',
      findings: '事实清楚，证据确凿',
      legalBasis: ['apl_40', 'made_up_basis'],
      replyText: '经复核，维持原处罚决定。',
    }
    const bad = await legal.post(`/api/console/appeals/${filed.id}/decision`, decision)
    expect(bad.status).toBe(400)
    expect(bad.body.error.details).toEqual([expect.objectContaining({ path: 'body.legalBasis.1' })])

    const basis = { key: 'local_rule_7', label: { 'zh-CN': '本市道路交通管理规定第七条', en: 'City traffic rules, art. 7' } }
    expect((await admin.post('/api/console/appeals/options/legalBases', basis)).status).toBe(201)
    const ok = await legal.post(`/api/console/appeals/${filed.id}/decision`, { ...decision, legalBasis: ['apl_40', 'local_rule_7'] })
    expect(ok.status).toBe(200)
    await admin.put('/api/console/appeals/options/legalBases/local_rule_7', { label: basis.label, retired: true })
    const letter = await zhang.get(`/api/appeals/${filed.id}/letter`)
    expect(letter.body.legalBasis).toContainEqual({ key: 'local_rule_7', label: basis.label['zh-CN'] })

    const other = await fileOn(zhang, await freshTicket())
    await admin.put('/api/console/appeals/options/refuseReasons/no_ticket', { label: { 'zh-CN': '无对应处罚决定', en: 'No such ticket' }, retired: true })
    const refused = await legal.post(`/api/console/appeals/${other.id}/refuse`, { version: other.version, reason: 'no_ticket' })
    expect(refused.status).toBe(400)
    expect(refused.body.error.details).toEqual([expect.objectContaining({ path: 'body.reason' })])
    expect((await legal.post(`/api/console/appeals/${other.id}/refuse`, { version: other.version, reason: 'not_party' })).status).toBe(200)
  })

  it('adds a template only with an outcome and a text', async () => {
    const tpl = { key: 'upheld_short', label: { 'zh-CN': '维持：简式', en: 'Upheld: short' } }
    const missing = await admin.post('/api/console/appeals/options/templates', tpl)
    expect(missing.status).toBe(400)
    expect(missing.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.outcome', 'body.text'])
    const added = await admin.post('/api/console/appeals/options/templates', {
      ...tpl,
      outcome: 'upheld',
      text: '经复核，维持原处罚决定（编号 {decisionNo}）。',
    })
    expect(added.status).toBe(201)
    const templates = (await legal.get('/api/console/appeals/options')).body.templates
    expect(templates.find((x: { key: string }) => x.key === 'upheld_short')).toMatchObject({ outcome: 'upheld', text: expect.stringContaining('{decisionNo}') })
  })
})

describe('appeal types added by an admin', () => {
  const TYPE = {
    key: 'onsite_review',
    label: { 'zh-CN': '现场处罚复核', en: 'On-site penalty review' },
    appliesTo: ['onsite'],
    clock: { days: 10, unit: 'working', pausable: true, maxPausedDays: 10, maxExtensionDays: 5, startsOn: 'acceptance' },
    citation: { 'zh-CN': '本市规定：自受理之日起十个工作日内答复', en: 'City rule: reply within 10 working days of acceptance' },
    forwardSameDay: false,
  }

  it('counts a 10-working-day clock and keeps the citation it was filed under', async () => {
    expect((await legal.post('/api/console/appeals/types', TYPE)).status).toBe(403)
    expect((await admin.post('/api/console/appeals/types', { ...TYPE, forwardSameDay: true })).status).toBe(400)
    const added = await admin.post('/api/console/appeals/types', TYPE)
    expect(added.status).toBe(201)
    expect(added.body).toMatchObject({ key: 'onsite_review', builtIn: false, retired: false, clock: { days: 10, unit: 'working' } })
    expect((await auditRows('appeal_type.create')).map((r) => r.after)).toContainEqual(expect.objectContaining({ key: 'onsite_review' }))

    // Filed and accepted on Monday 2026-10-12: working days 10-13 … 10-23 are nine, the tenth is Monday 10-26.
    at('2026-10-12T10:00:00')
    const ticket = await freshTicket('onsite')
    expect(await offered(ticket)).toEqual(['onsite_review', 'statement'])
    expect(await offered(await freshTicket('camera'))).not.toContain('onsite_review')
    const filed = await fileOn(zhang, ticket, { type: 'onsite_review' })
    expect(filed.policy).toMatchObject({ type: 'onsite_review', days: 10, unit: 'working', startsOn: 'acceptance', citation: TYPE.citation })
    at('2026-10-12T10:30:00')
    const accepted = await legal.post(`/api/console/appeals/${filed.id}/accept`, { version: filed.version, assign: legalId })
    expect(accepted.body.due.dueDate).toBe('2026-10-26')

    const citation = { 'zh-CN': '本市新规定：十个工作日', en: 'New city rule: 10 working days' }
    const edited = await admin.put('/api/console/appeals/types/onsite_review', { clock: TYPE.clock, citation })
    expect(edited.status).toBe(200)
    expect((await zhang.get(`/api/appeals/${filed.id}`)).body.policy.citation).toEqual(TYPE.citation)
    expect((await legal.get(`/api/console/appeals/${filed.id}`)).body.policy.citation).toEqual(TYPE.citation)
    expect((await zhang.get('/api/appeals/config')).body.types.find((x: { key: string }) => x.key === 'onsite_review').citation).toEqual(citation)
  })

  it('retires a type: not offered for new appeals (400 naming body.type), still labels old ones', async () => {
    at('2026-10-14T10:00:00')
    const retired = await admin.put('/api/console/appeals/types/onsite_review', { clock: TYPE.clock, citation: TYPE.citation, retired: true })
    expect(retired.body.retired).toBe(true)
    const ticket = await freshTicket('onsite')
    expect(await offered(ticket)).toEqual(['statement'])
    const res = await fileRaw(ticket, { type: 'onsite_review' })
    expect(res.status).toBe(400)
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body.type' })])
    const config = await zhang.get('/api/appeals/config')
    expect(config.body.types.find((x: { key: string }) => x.key === 'onsite_review')).toMatchObject({ retired: true, label: TYPE.label })
    expect((await auditRows('appeal_type.retire')).length).toBe(1)
  })
})
