import { describe, expect, it } from 'vitest'
import {
  addMonths,
  COURSE_STEPS,
  canDispute,
  canRate,
  canVerify,
  machineFor,
  REPORT_ACTIONS,
  REPORT_ACTORS,
  REPORT_STATES,
  type ReportAction,
  type ReportActor,
  type ReportState,
  reportActionsFor,
  reportActors,
  reportNext,
  standardMachine,
  stateTypeOf,
  zombieMachine,
} from './machine'

const roles = REPORT_ACTORS
type Table = Record<ReportState, Partial<Record<ReportActor, ReportAction[]>>>

/** Checks every (state, actor) pair against the table: unlisted pairs allow nothing. */
function expectTable(m: typeof standardMachine, table: Table) {
  for (const [state, byRole] of Object.entries(table)) {
    for (const role of roles) {
      it(`lets ${role} take exactly ${JSON.stringify(byRole[role] ?? [])} from ${state}`, () => {
        expect(m.actionsFor(state as ReportState, role).sort()).toEqual([...(byRole[role] ?? [])].sort())
      })
    }
  }
}

const NOTHING = { verified: {}, notice_posted: {}, towed: {}, public_notice: {}, moved: {}, returned: {}, disposed: {} }

/** Every (state, role) → allowed actions, spelled out: a change to the machine must change this table. */
const STANDARD_EXPECTED: Table = {
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
  dispatched: { dispatcher: ['reassign'], unit_head: ['reassign'], admin: ['reassign'], assigned_officer: ['acknowledge', 'arrive', 'resolve'] },
  on_scene: { dispatcher: ['reassign'], unit_head: ['reassign'], admin: ['reassign'], assigned_officer: ['resolve'] },
  resolved: { citizen: ['rate', 'dispute'], dispatcher: ['close'], unit_head: ['close'], admin: ['close'], system: ['close'] },
  closed: { citizen: ['rate', 'dispute'] },
  rejected: { citizen: ['dispute'] },
  withdrawn: {},
  merged: {},
  ...NOTHING,
}

const DESK3 = (actions: ReportAction[]) => ({ dispatcher: actions, unit_head: actions, admin: actions })

/** The zombie course, spelled out the same way. */
const ZOMBIE_EXPECTED: Table = {
  submitted: { citizen: ['withdraw'], ...DESK3(['accept', 'reject', 'merge', 'dispatch']), system: ['merge'] },
  accepted: { ...DESK3(['reject', 'merge', 'dispatch']), system: ['merge'] },
  dispatched: { ...DESK3(['reject', 'reassign']), assigned_officer: ['acknowledge', 'arrive', 'owner_moved'] },
  on_scene: { ...DESK3(['reject', 'reassign']), assigned_officer: ['verify', 'owner_moved'] },
  verified: { ...DESK3(['reassign']), assigned_officer: ['post_notice', 'owner_moved'] },
  notice_posted: { ...DESK3(['reassign']), assigned_officer: ['owner_moved', 'tow'] },
  towed: DESK3(['announce', 'return_to_owner']),
  public_notice: DESK3(['return_to_owner', 'dispose']),
  resolved: {},
  moved: { citizen: ['rate', 'dispute'], ...DESK3(['close']), system: ['close'] },
  returned: { citizen: ['rate', 'dispute'], ...DESK3(['close']), system: ['close'] },
  disposed: { citizen: ['rate', 'dispute'], ...DESK3(['close']), system: ['close'] },
  closed: { citizen: ['rate', 'dispute'] },
  rejected: { citizen: ['dispute'] },
  withdrawn: {},
  merged: {},
}

describe('standard course (congestion, hazards)', () => {
  expectTable(standardMachine, STANDARD_EXPECTED)

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
    const steps: [ReportAction, ReportActor][] = [
      ['accept', 'dispatcher'],
      ['dispatch', 'dispatcher'],
      ['arrive', 'assigned_officer'],
      ['resolve', 'assigned_officer'],
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
  expectTable(zombieMachine, ZOMBIE_EXPECTED)

  it('reassigns a verified car or a running notice without losing its progress', () => {
    expect(zombieMachine.next('verified', 'reassign', 'dispatcher')).toBe('verified')
    expect(zombieMachine.next('notice_posted', 'reassign', 'unit_head')).toBe('notice_posted')
    expect(zombieMachine.next('on_scene', 'reassign', 'admin')).toBe('dispatched')
  })

  it('goes reported → verified → notice → towed → public notice → disposed → closed', () => {
    const path: [ReportAction, ReportActor, ReportState][] = [
      ['accept', 'dispatcher', 'accepted'],
      ['dispatch', 'dispatcher', 'dispatched'],
      ['arrive', 'assigned_officer', 'on_scene'],
      ['verify', 'assigned_officer', 'verified'],
      ['post_notice', 'assigned_officer', 'notice_posted'],
      ['tow', 'assigned_officer', 'towed'],
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
      expect(zombieMachine.next(from, 'owner_moved', 'assigned_officer')).toBe('moved')
    }
    expect(zombieMachine.typeOf('moved')).toBe('fixed')
    expect(zombieMachine.next('towed', 'owner_moved', 'assigned_officer')).toBeNull()
  })

  it('cannot tow before a notice was posted, nor verify from the desk', () => {
    expect(zombieMachine.next('verified', 'tow', 'assigned_officer')).toBeNull()
    expect(zombieMachine.next('on_scene', 'verify', 'unit_head')).toBeNull()
    expect(zombieMachine.next('on_scene', 'verify', 'dispatcher')).toBeNull()
    expect(zombieMachine.actionsFor('public_notice', 'citizen')).toEqual([])
  })

  it('uses its own machine for the zombie course only', () => {
    expect(machineFor('zombie')).toBe(zombieMachine)
    expect(machineFor('standard')).toBe(standardMachine)
    expect(standardMachine.next('on_scene', 'verify', 'assigned_officer')).toBeNull()
  })
})

describe('the assigned officer', () => {
  it('is an actor only on the reports dispatched to them', () => {
    expect(reportActors('dispatcher', true)).toEqual(['dispatcher', 'assigned_officer'])
    expect(reportActors('dispatcher', false)).toEqual(['dispatcher'])
  })
  it('takes field steps; another dispatcher in scope only the desk ones', () => {
    const mine = reportActors('dispatcher', true)
    const theirs = reportActors('dispatcher', false)
    expect(reportActionsFor(zombieMachine, 'on_scene', mine).sort()).toEqual(['owner_moved', 'reassign', 'reject', 'verify'])
    expect(reportActionsFor(zombieMachine, 'on_scene', theirs).sort()).toEqual(['reassign', 'reject'])
    expect(reportNext(standardMachine, 'on_scene', 'resolve', mine)).toBe('resolved')
    expect(reportNext(standardMachine, 'on_scene', 'resolve', theirs)).toBeNull()
    expect(reportNext(standardMachine, 'on_scene', 'resolve', reportActors('unit_head', false))).toBeNull()
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
  it('allows a dispute within 7 days of the closure (or rejection) only, counted from when it was closed', () => {
    const closed = { state: 'closed' as const, closedAt: t0 }
    expect(canDispute(closed, new Date(t0.getTime() + 7 * 86_400_000))).toBe(true)
    expect(canDispute(closed, new Date(t0.getTime() + 7 * 86_400_000 + 1))).toBe(false)
    expect(canDispute({ state: 'rejected', closedAt: t0 }, new Date(t0.getTime() + 86_400_000))).toBe(true)
    expect(canDispute({ state: 'closed', closedAt: null }, t0)).toBe(false)
  })
  it('allows disputing a fixed outcome until it is closed, and never an open, withdrawn or merged report', () => {
    expect(canDispute({ state: 'resolved', closedAt: null }, new Date(t0.getTime() + 30 * 86_400_000))).toBe(true)
    for (const state of ['on_scene', 'withdrawn', 'merged'] as const) expect(canDispute({ state, closedAt: t0 }, t0)).toBe(false)
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
