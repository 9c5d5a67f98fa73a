import { describe, expect, it } from 'vitest'
import { ActorRole } from '../roles'
import {
  addMonths,
  COURSE_STEPS,
  canDispute,
  canRate,
  canVerify,
  machineFor,
  REPORT_ACTIONS,
  REPORT_STATES,
  type ReportAction,
  type ReportState,
  standardMachine,
  stateTypeOf,
  zombieMachine,
} from './machine'

const roles = ActorRole.options

/** Every (state, role) → allowed actions, spelled out: a change to the machine must change this table. */
const STANDARD_EXPECTED: Partial<Record<ReportState, Partial<Record<(typeof roles)[number], ReportAction[]>>>> = {
  submitted: {
    citizen: ['withdraw'],
    dispatcher: ['accept', 'reject', 'merge', 'dispatch'],
    unit_head: ['accept', 'reject', 'merge', 'dispatch'],
    admin: ['accept', 'reject', 'merge', 'dispatch'],
    system: ['merge'],
  },
  accepted: {
    dispatcher: ['reject', 'merge', 'dispatch'],
    unit_head: ['reject', 'merge', 'dispatch'],
    admin: ['reject', 'merge', 'dispatch'],
    system: ['merge'],
  },
  dispatched: { dispatcher: ['reassign', 'acknowledge', 'arrive', 'resolve'], unit_head: ['reassign'], admin: ['reassign'] },
  on_scene: { dispatcher: ['reassign', 'resolve'], unit_head: ['reassign'], admin: ['reassign'] },
  resolved: { citizen: ['rate', 'dispute'], dispatcher: ['close'], unit_head: ['close'], admin: ['close'], system: ['close'] },
  closed: { citizen: ['rate', 'dispute'] },
  rejected: { citizen: ['dispute'] },
  withdrawn: {},
  merged: {},
}

describe('standard course (congestion, hazards)', () => {
  for (const [state, byRole] of Object.entries(STANDARD_EXPECTED)) {
    for (const role of roles) {
      it(`lets ${role} take exactly ${JSON.stringify(byRole?.[role] ?? [])} from ${state}`, () => {
        expect(standardMachine.actionsFor(state as ReportState, role).sort()).toEqual([...(byRole?.[role] ?? [])].sort())
      })
    }
  }

  it('never lets legal officers or window staff touch a report', () => {
    for (const s of REPORT_STATES) {
      for (const m of [standardMachine, zombieMachine]) {
        expect(m.actionsFor(s, 'legal_officer')).toEqual([])
        expect(m.actionsFor(s, 'window_staff')).toEqual([])
      }
    }
  })

  it('walks the happy path submitted → accepted → dispatched → on_scene → resolved → closed', () => {
    let s: ReportState = 'submitted'
    const steps: [ReportAction, (typeof roles)[number]][] = [
      ['accept', 'dispatcher'],
      ['dispatch', 'dispatcher'],
      ['arrive', 'dispatcher'],
      ['resolve', 'dispatcher'],
      ['close', 'system'],
    ]
    const seen: ReportState[] = [s]
    for (const [a, r] of steps) {
      const n = standardMachine.next(s, a, r)
      expect(n, `${a} from ${s}`).not.toBeNull()
      s = n as ReportState
      seen.push(s)
    }
    expect(seen).toEqual(COURSE_STEPS.standard)
  })

  it('reopens a closure on dispute into accepted', () => {
    expect(standardMachine.next('closed', 'dispute', 'citizen')).toBe('accepted')
    expect(standardMachine.next('closed', 'dispute', 'dispatcher')).toBeNull()
  })

  it('refuses to withdraw after acceptance', () => {
    expect(standardMachine.next('accepted', 'withdraw', 'citizen')).toBeNull()
  })
})

describe('zombie-car course', () => {
  it('goes reported → verified → notice → towed → public notice → disposed → closed', () => {
    const path: [ReportAction, (typeof roles)[number], ReportState][] = [
      ['accept', 'dispatcher', 'accepted'],
      ['dispatch', 'dispatcher', 'dispatched'],
      ['arrive', 'dispatcher', 'on_scene'],
      ['verify', 'dispatcher', 'verified'],
      ['post_notice', 'dispatcher', 'notice_posted'],
      ['tow', 'dispatcher', 'towed'],
      ['announce', 'unit_head', 'public_notice'],
      ['dispose', 'admin', 'disposed'],
      ['close', 'system', 'closed'],
    ]
    let s: ReportState = 'submitted'
    for (const [a, r, to] of path) {
      s = zombieMachine.next(s, a, r) as ReportState
      expect(s).toBe(to)
    }
  })

  it('ends early when the owner moves the car, and that is a fixed outcome', () => {
    for (const from of ['dispatched', 'on_scene', 'verified', 'notice_posted'] as const) {
      expect(zombieMachine.next(from, 'owner_moved', 'dispatcher')).toBe('moved')
    }
    expect(zombieMachine.typeOf('moved')).toBe('fixed')
    expect(zombieMachine.next('towed', 'owner_moved', 'dispatcher')).toBeNull()
  })

  it('cannot tow before a notice was posted, nor verify from the desk', () => {
    expect(zombieMachine.next('verified', 'tow', 'dispatcher')).toBeNull()
    expect(zombieMachine.next('on_scene', 'verify', 'unit_head')).toBeNull()
    expect(zombieMachine.actionsFor('public_notice', 'citizen')).toEqual([])
  })

  it('uses its own machine for the zombie course only', () => {
    expect(machineFor('zombie')).toBe(zombieMachine)
    expect(machineFor('standard')).toBe(standardMachine)
    expect(standardMachine.next('on_scene', 'verify', 'dispatcher')).toBeNull()
  })
})

describe('every state is typed and every action is reachable', () => {
  it('types each state open, closed or fixed', () => {
    for (const s of REPORT_STATES) expect(['open', 'closed', 'fixed']).toContain(stateTypeOf(s))
    expect(zombieMachine.statesOfType('fixed').sort()).toEqual(['disposed', 'moved', 'resolved', 'returned'])
  })
  it('uses every action in at least one machine', () => {
    const used = new Set([...standardMachine.transitions, ...zombieMachine.transitions].map((t) => t.action))
    for (const a of REPORT_ACTIONS) expect(used.has(a), a).toBe(true)
  })
})

describe('rules beside the machine', () => {
  const t0 = new Date('2026-03-01T00:00:00Z')
  it('allows a dispute within 7 days of closure only', () => {
    expect(canDispute(t0, new Date(t0.getTime() + 7 * 86_400_000))).toBe(true)
    expect(canDispute(t0, new Date(t0.getTime() + 7 * 86_400_000 + 1))).toBe(false)
    expect(canDispute(null, t0)).toBe(false)
  })
  it('needs two sightings at least 24 h apart to verify a zombie car', () => {
    expect(canVerify([t0], 24)).toBe(false)
    expect(canVerify([t0, new Date(t0.getTime() + 23 * 3_600_000)], 24)).toBe(false)
    expect(canVerify([new Date(t0.getTime() + 24 * 3_600_000), t0], 24)).toBe(true)
  })
  it('rates a fixed outcome once', () => {
    expect(canRate('resolved', 'resolved', null)).toBe(true)
    expect(canRate('resolved', 'closed', null)).toBe(true)
    expect(canRate('resolved', 'closed', t0)).toBe(false)
    expect(canRate(null, 'rejected', null)).toBe(false)
  })
  it('adds months clamping to the end of the month', () => {
    expect(addMonths(new Date('2026-01-31T04:00:00Z'), 1).toISOString()).toBe('2026-02-28T04:00:00.000Z')
    expect(addMonths(new Date('2026-03-15T00:00:00Z'), 3).toISOString()).toBe('2026-06-15T00:00:00.000Z')
  })
})
