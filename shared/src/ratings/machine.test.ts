import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ActorRole } from '../roles'
import { DEFAULT_RATING_CONFIG, tagProblems, tagsFor } from './config'
import { BAD_LEVELS, GOOD_LEVELS, isBad, LEVEL_SCORE, LEVELS } from './levels'
import { FollowUpAction, FollowUpState, followUpActions, followUpMachine, followUpRefusal, isOverdue } from './machine'

const base = { actorId: 'head', ratedStaffId: 'clerk', contestedBy: null, reachedCallBacks: 0, callBacks: 0 }

describe('the five levels', () => {
  it('has the national order with the bottom two bad', () => {
    expect(LEVELS).toEqual(['very_satisfied', 'satisfied', 'basic', 'dissatisfied', 'very_dissatisfied'])
    expect(BAD_LEVELS).toEqual(['dissatisfied', 'very_dissatisfied'])
    expect(GOOD_LEVELS).toEqual(['very_satisfied', 'satisfied'])
    expect(isBad('basic')).toBe(false)
    expect(LEVELS.map((l) => LEVEL_SCORE[l])).toEqual([5, 4, 3, 2, 1])
  })
})

describe('tag chips as configuration', () => {
  it('offers praise for good ratings, complaints for bad ones, both for 基本满意', () => {
    expect(tagsFor('satisfied', DEFAULT_RATING_CONFIG).every((t) => t.polarity === 'good')).toBe(true)
    expect(tagsFor('dissatisfied', DEFAULT_RATING_CONFIG).every((t) => t.polarity === 'bad')).toBe(true)
    expect(new Set(tagsFor('basic', DEFAULT_RATING_CONFIG).map((t) => t.polarity))).toEqual(new Set(['good', 'bad']))
  })

  it('refuses unknown, inactive, mismatched, repeated and too many tags', () => {
    const config = { tags: [...DEFAULT_RATING_CONFIG.tags, { code: 'old', zh: '旧', en: 'Old', polarity: 'bad' as const, active: false }] }
    expect(tagProblems('dissatisfied', ['long_wait', 'rude'], config)).toEqual([])
    expect(tagProblems('dissatisfied', ['nope'], config)).toEqual([{ code: 'nope', problem: 'unknown' }])
    expect(tagProblems('dissatisfied', ['old'], config)).toEqual([{ code: 'old', problem: 'unknown' }])
    expect(tagProblems('dissatisfied', ['warm'], config)).toEqual([{ code: 'warm', problem: 'not_for_level' }])
    expect(tagProblems('satisfied', ['warm', 'warm'], config)).toEqual([{ code: 'warm', problem: 'duplicate' }])
    expect(tagProblems('dissatisfied', ['long_wait', 'rude', 'unclear', 'slow', 'extra_trips', 'long_wait'], config)[0]).toEqual({
      code: null,
      problem: 'too_many',
    })
  })
})

describe('follow-up case machine', () => {
  it('runs opened → verified → called back → rectified → closed for the unit head', () => {
    let s: FollowUpState = 'opened'
    const path: [FollowUpAction, FollowUpState][] = [
      ['verify', 'verified'],
      ['call_back', 'called_back'],
      ['call_back', 'called_back'],
      ['rectify', 'rectified'],
      ['close', 'closed'],
    ]
    for (const [action, to] of path) {
      expect(followUpRefusal({ ...base, state: s, action, role: 'unit_head', callBacks: s === 'opened' || s === 'verified' ? 0 : 1 })).toBeNull()
      s = followUpMachine.next(s, action, 'unit_head') as FollowUpState
      expect(s).toBe(to)
    }
    expect(followUpMachine.typeOf(s)).toBe('fixed')
  })

  it('cannot skip the call-back: no rectification or closing without one', () => {
    expect(followUpMachine.next('verified', 'rectify', 'unit_head')).toBeNull()
    expect(followUpMachine.next('verified', 'close', 'unit_head')).toBeNull()
    expect(followUpMachine.next('opened', 'call_back', 'unit_head')).toBeNull()
    expect(followUpRefusal({ ...base, state: 'called_back', action: 'rectify', role: 'unit_head', callBacks: 0 })).toBe('no_call_back')
  })

  it('lets only the rated staff member contest, before the call-back, and not decide it', () => {
    expect(followUpRefusal({ ...base, state: 'opened', action: 'contest', role: 'window_staff', actorId: 'clerk' })).toBeNull()
    expect(followUpRefusal({ ...base, state: 'verified', action: 'contest', role: 'window_staff', actorId: 'clerk' })).toBeNull()
    expect(followUpRefusal({ ...base, state: 'opened', action: 'contest', role: 'window_staff', actorId: 'other' })).toBe('not_rated_staff')
    expect(followUpRefusal({ ...base, state: 'called_back', action: 'contest', role: 'window_staff', actorId: 'clerk' })).toBe('not_allowed')
    expect(followUpRefusal({ ...base, state: 'opened', action: 'contest', role: 'unit_head' })).toBe('not_allowed')
    expect(followUpRefusal({ ...base, state: 'contested', action: 'uphold_contest', role: 'window_staff', actorId: 'clerk' })).toBe('not_allowed')
    expect(followUpRefusal({ ...base, state: 'contested', action: 'uphold_contest', role: 'unit_head', contestedBy: 'head' })).toBe('own_contest')
    expect(followUpMachine.next('contested', 'uphold_contest', 'unit_head')).toBe('voided')
    expect(followUpMachine.next('contested', 'reject_contest', 'unit_head')).toBe('verified')
    expect(followUpMachine.typeOf('voided')).toBe('closed')
  })

  it('never lets a citizen, dispatcher or legal officer act, and ends nothing open without a path', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FollowUpState.options),
        fc.constantFrom(...FollowUpAction.options),
        fc.constantFrom(...ActorRole.options),
        (state, action, role) => {
          const to = followUpMachine.next(state, action, role)
          if (['citizen', 'dispatcher', 'legal_officer', 'system'].includes(role)) expect(to).toBeNull()
          if (followUpMachine.typeOf(state) !== 'open') expect(to).toBeNull()
          // Every action the UI offers passes the guard.
          for (const a of followUpActions({ ...base, state, role, callBacks: 1 })) {
            expect(followUpRefusal({ ...base, state, role, action: a, callBacks: 1 })).toBeNull()
          }
        },
      ),
    )
  })

  it('every open state reaches closed or voided', () => {
    for (const s of followUpMachine.statesOfType('open')) {
      const seen = new Set<FollowUpState>([s])
      const queue = [s]
      while (queue.length) {
        const cur = queue.shift() as FollowUpState
        for (const t of followUpMachine.transitions.filter((x) => x.from.includes(cur))) {
          if (!seen.has(t.to)) {
            seen.add(t.to)
            queue.push(t.to)
          }
        }
      }
      expect(seen.has('closed') || seen.has('voided')).toBe(true)
    }
  })

  it('counts as overdue only while open and past due', () => {
    const due = new Date('2026-03-10T15:59:59.999Z')
    const after = new Date('2026-03-10T16:00:00Z')
    expect(isOverdue('called_back', due, after)).toBe(true)
    expect(isOverdue('called_back', due, due)).toBe(false)
    expect(isOverdue('closed', due, after)).toBe(false)
    expect(isOverdue('voided', due, after)).toBe(false)
  })
})
