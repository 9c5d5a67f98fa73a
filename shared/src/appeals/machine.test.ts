import { describe, expect, it } from 'vitest'
import type { ActorRole } from '../roles'
import { APPEAL_TYPES, ageBucket, appealType, configuredList, GROUNDS, inactiveKeys, REPLY_TEMPLATES, renderTemplate, typesFor } from './config'
import { type AppealGuardInput, type AppealState, appealActions, appealDenial, appealMachine, OPEN_STATES } from './machine'
import { AppealTypeCreateBody, ConfigKey } from './schemas'

const base: AppealGuardInput = {
  state: 'in_review',
  role: 'legal_officer',
  actorId: 'officer-1',
  citizenId: 'citizen-1',
  assigneeId: 'officer-1',
  proposedBy: null,
  pendingExtension: null,
}
const g = (over: Partial<AppealGuardInput>): AppealGuardInput => ({ ...base, ...over })

describe('appeal state machine', () => {
  it('gives every state a type and every open state a way out', () => {
    for (const s of OPEN_STATES) {
      expect(appealMachine.typeOf(s)).toBe('open')
      const leaves = appealMachine.transitions.some((t) => t.from.includes(s) && t.to !== s)
      expect(leaves).toBe(true)
    }
    expect(appealMachine.statesOfType('fixed')).toEqual(['decided'])
    expect(appealMachine.statesOfType('closed').sort()).toEqual(['refused', 'withdrawn'])
  })

  it('never lets a citizen accept, decide or approve', () => {
    for (const state of appealMachine.statesOfType('open')) {
      const actions = appealActions(g({ state, role: 'citizen', actorId: 'citizen-1' }))
      for (const a of ['accept', 'refuse', 'uphold', 'correct', 'revoke', 'approve', 'assign'] as const) expect(actions).not.toContain(a)
      expect(appealDenial(g({ state, role: 'citizen', actorId: 'citizen-1' }), 'revoke')).toBe('role')
    }
  })

  it('lets only the owner supply material or withdraw', () => {
    expect(appealActions(g({ state: 'awaiting_material', role: 'citizen', actorId: 'citizen-1' }))).toEqual(['supply_material', 'withdraw'])
    expect(appealDenial(g({ state: 'awaiting_material', role: 'citizen', actorId: 'someone-else' }), 'supply_material')).toBe('not_owner')
    expect(appealDenial(g({ state: 'decided', role: 'citizen', actorId: 'citizen-1' }), 'withdraw')).toBe('state')
  })

  it('lets a legal officer decide only the cases assigned to them', () => {
    expect(appealActions(g({}))).toEqual(expect.arrayContaining(['request_material', 'uphold', 'correct', 'revoke', 'request_extension', 'save_findings']))
    expect(appealDenial(g({ assigneeId: 'officer-2' }), 'revoke')).toBe('not_assignee')
    expect(appealDenial(g({}), 'approve')).toBe('role')
  })

  it('sends corrections and revocations to a unit head; upholding takes effect at once', () => {
    expect(appealMachine.next('in_review', 'uphold', 'legal_officer')).toBe('decided')
    expect(appealMachine.next('in_review', 'revoke', 'legal_officer')).toBe('pending_approval')
    expect(appealMachine.next('in_review', 'correct', 'legal_officer')).toBe('pending_approval')
    expect(appealMachine.next('pending_approval', 'approve', 'unit_head')).toBe('decided')
  })

  it('does not let a reviewer approve their own revocation, even as a unit head', () => {
    const own = g({ state: 'pending_approval', role: 'unit_head', actorId: 'head-1', assigneeId: 'head-1', proposedBy: 'head-1' })
    expect(appealDenial(own, 'approve')).toBe('own_proposal')
    expect(appealActions(own)).not.toContain('approve')
    const other = g({ state: 'pending_approval', role: 'unit_head', actorId: 'head-2', assigneeId: 'head-1', proposedBy: 'head-1' })
    expect(appealActions(other)).toEqual(expect.arrayContaining(['approve', 'return']))
  })

  it('needs a pending extension, approved by a head other than the requester', () => {
    const head = g({ role: 'unit_head', actorId: 'head-2' })
    expect(appealDenial(head, 'approve_extension')).toBe('no_pending_extension')
    expect(appealDenial({ ...head, pendingExtension: { requestedBy: 'officer-1' } }, 'approve_extension')).toBeNull()
    expect(appealDenial({ ...head, pendingExtension: { requestedBy: 'head-2' } }, 'approve_extension')).toBe('own_extension')
    expect(appealDenial(g({ pendingExtension: { requestedBy: 'officer-1' } }), 'request_extension')).toBe('extension_pending')
  })

  it('answers "state" for actions the role has but not from this state', () => {
    const terminal: AppealState[] = ['decided', 'refused', 'withdrawn']
    for (const state of terminal) {
      for (const role of ['legal_officer', 'unit_head'] as ActorRole[]) {
        expect(appealActions(g({ state, role }))).toEqual([])
      }
    }
    expect(appealDenial(g({ state: 'submitted' }), 'uphold')).toBe('state')
  })
})

describe('appeals configuration', () => {
  it('gives every appeal type a citation and a clock', () => {
    for (const t of APPEAL_TYPES) {
      expect(t.citation['zh-CN'].length).toBeGreaterThan(5)
      expect(t.clock.days).toBeGreaterThan(0)
    }
    expect(appealType('statement')?.clock).toMatchObject({ days: 15, unit: 'calendar' })
    expect(appealType('camera_objection')?.clock).toMatchObject({ days: 5, unit: 'working' })
  })

  it('offers the camera objection first for camera tickets only', () => {
    expect(typesFor('camera').map((t) => t.key)).toEqual(['camera_objection', 'statement'])
    expect(typesFor('onsite').map((t) => t.key)).toEqual(['statement'])
  })

  it('offers admin-added types by how the ticket was recorded, never retired ones', () => {
    const added = { ...APPEAL_TYPES[1]!, key: 'onsite_review', appliesTo: ['onsite' as const] }
    const retired = { ...APPEAL_TYPES[0]!, retired: true }
    expect(typesFor('onsite', [retired, APPEAL_TYPES[1]!, added]).map((t) => t.key)).toEqual(['onsite_review', 'statement'])
    expect(typesFor('camera', [retired, APPEAL_TYPES[1]!, added]).map((t) => t.key)).toEqual(['statement'])
  })

  it('lays an admin’s entries over the built-in list: same key replaces, new keys join, position orders', () => {
    const list = configuredList(GROUNDS, [
      { key: 'other', label: { 'zh-CN': '其他', en: 'Something else' }, retired: false, position: -1 },
      { key: 'towed_before', label: { 'zh-CN': '车辆此前已被拖移', en: 'Towed' }, retired: true, position: 6 },
    ])
    expect(list.map((o) => o.key)).toEqual(['other', ...GROUNDS.slice(0, 5).map((g) => g.key), 'towed_before'])
    expect(list[0]!.label.en).toBe('Something else')
    expect(list.find((o) => o.key === 'cloned_plate')).toMatchObject({ retired: false, position: 1 })
    expect(inactiveKeys(list, ['cloned_plate', 'towed_before', 'made_up'])).toEqual(['towed_before', 'made_up'])
  })

  it('accepts well-formed keys only, and same-day forwarding only with a clock from filing', () => {
    expect(ConfigKey.safeParse('onsite_review').success).toBe(true)
    for (const bad of ['Onsite', '1st', 'a', 'with space', 'x'.repeat(41)]) expect(ConfigKey.safeParse(bad).success).toBe(false)
    const body = {
      key: 'onsite_review',
      label: { 'zh-CN': '现场处罚复核', en: 'On-site review' },
      appliesTo: ['onsite'],
      clock: { days: 10, unit: 'working', pausable: true, maxPausedDays: 10, maxExtensionDays: 5, startsOn: 'acceptance' },
      citation: { 'zh-CN': '本市规定：十个工作日', en: 'City rule: 10 working days' },
      forwardSameDay: false,
    }
    expect(AppealTypeCreateBody.safeParse(body).success).toBe(true)
    expect(AppealTypeCreateBody.safeParse({ ...body, forwardSameDay: true }).success).toBe(false)
    expect(AppealTypeCreateBody.safeParse({ ...body, appliesTo: ['onsite', 'onsite'] }).success).toBe(false)
  })

  it('fills reply templates and leaves unknown placeholders visible', () => {
    const t = REPLY_TEMPLATES.find((x) => x.key === 'revoked_standard')!
    const text = renderTemplate(t.text, { findings: '号牌识别有误', decisionNo: '5101041234567890' })
    expect(text).toContain('号牌识别有误')
    expect(text).toContain('5101041234567890')
    expect(renderTemplate('{a} {b}', { a: 'x' })).toBe('x {b}')
  })

  it('puts case ages in report buckets', () => {
    expect(ageBucket(0)).toBe('0-5')
    expect(ageBucket(5)).toBe('0-5')
    expect(ageBucket(6)).toBe('6-10')
    expect(ageBucket(15)).toBe('11-15')
    expect(ageBucket(31)).toBe('>30')
  })
})
