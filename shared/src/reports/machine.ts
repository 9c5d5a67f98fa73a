import { ActorRole } from '../roles'
import { defineMachine, type Machine, type StateType } from '../state-machine'
import type { ReportCourse } from './kinds'

/**
 * The road-report state machines: one definition drives the server's checks, the UI's buttons and
 * the timeline. Congestion and hazards follow the standard course; zombie cars their own, because
 * verification, the move-by notice and the public notice before disposal are separate steps.
 */

export const REPORT_STATES = [
  'submitted',
  'accepted',
  'dispatched',
  'on_scene',
  'resolved',
  'verified',
  'notice_posted',
  'towed',
  'public_notice',
  'moved',
  'returned',
  'disposed',
  'closed',
  'rejected',
  'withdrawn',
  'merged',
] as const
export type ReportState = (typeof REPORT_STATES)[number]

export const REPORT_ACTIONS = [
  'accept',
  'reject',
  'withdraw',
  'merge',
  'dispatch',
  'reassign',
  'acknowledge',
  'arrive',
  'resolve',
  'verify',
  'post_notice',
  'owner_moved',
  'tow',
  'announce',
  'return_to_owner',
  'dispose',
  'close',
  'rate',
  'dispute',
] as const
export type ReportAction = (typeof REPORT_ACTIONS)[number]

/**
 * Who takes a step: an actor role, or `assigned_officer`: the officer the report is dispatched to
 * (grid officers sign in with the dispatcher role; only the one on the case works it in the field).
 */
export type ReportActor = ActorRole | 'assigned_officer'
export const REPORT_ACTORS: readonly ReportActor[] = [...ActorRole.options, 'assigned_officer']

/** Command-centre management. */
const DESK: readonly ReportActor[] = ['dispatcher', 'unit_head', 'admin']
/** Work in the field, by the officer the report is assigned to. */
const FIELD: readonly ReportActor[] = ['assigned_officer']
const CITIZEN: readonly ReportActor[] = ['citizen']

const common = {
  submitted: { type: 'open' },
  accepted: { type: 'open' },
  dispatched: { type: 'open' },
  on_scene: { type: 'open' },
  closed: { type: 'closed' },
  rejected: { type: 'closed' },
  withdrawn: { type: 'closed' },
  merged: { type: 'closed' },
} as const

type S = ReportState
type A = ReportAction

export type ReportMachine = Machine<S, A, ReportActor>

export const standardMachine: ReportMachine = defineMachine<S, A, ReportActor>({
  states: {
    ...common,
    resolved: { type: 'fixed' },
    // Not part of this course; typed so that every state has a type.
    verified: { type: 'open' },
    notice_posted: { type: 'open' },
    towed: { type: 'open' },
    public_notice: { type: 'open' },
    moved: { type: 'fixed' },
    returned: { type: 'fixed' },
    disposed: { type: 'fixed' },
  },
  transitions: [
    { action: 'accept', from: ['submitted'], to: 'accepted', roles: DESK },
    { action: 'reject', from: ['submitted', 'accepted'], to: 'rejected', roles: DESK },
    { action: 'withdraw', from: ['submitted'], to: 'withdrawn', roles: CITIZEN },
    { action: 'merge', from: ['submitted', 'accepted'], to: 'merged', roles: [...DESK, 'system'] },
    { action: 'dispatch', from: ['submitted', 'accepted'], to: 'dispatched', roles: DESK },
    { action: 'reassign', from: ['dispatched', 'on_scene'], to: 'dispatched', roles: DESK },
    { action: 'acknowledge', from: ['dispatched'], to: 'dispatched', roles: FIELD },
    { action: 'arrive', from: ['dispatched'], to: 'on_scene', roles: FIELD },
    { action: 'resolve', from: ['dispatched', 'on_scene'], to: 'resolved', roles: FIELD },
    { action: 'close', from: ['resolved'], to: 'closed', roles: [...DESK, 'system'] },
    { action: 'rate', from: ['resolved', 'closed'], to: 'closed', roles: CITIZEN },
    { action: 'dispute', from: ['resolved', 'closed', 'rejected'], to: 'accepted', roles: CITIZEN },
  ],
})

export const zombieMachine: ReportMachine = defineMachine<S, A, ReportActor>({
  states: {
    ...common,
    resolved: { type: 'fixed' },
    verified: { type: 'open' },
    notice_posted: { type: 'open' },
    towed: { type: 'open' },
    public_notice: { type: 'open' },
    moved: { type: 'fixed' },
    returned: { type: 'fixed' },
    disposed: { type: 'fixed' },
  },
  transitions: [
    { action: 'accept', from: ['submitted'], to: 'accepted', roles: DESK },
    { action: 'reject', from: ['submitted', 'accepted', 'dispatched', 'on_scene'], to: 'rejected', roles: DESK },
    { action: 'withdraw', from: ['submitted'], to: 'withdrawn', roles: CITIZEN },
    { action: 'merge', from: ['submitted', 'accepted'], to: 'merged', roles: [...DESK, 'system'] },
    { action: 'dispatch', from: ['submitted', 'accepted'], to: 'dispatched', roles: DESK },
    { action: 'reassign', from: ['dispatched', 'on_scene'], to: 'dispatched', roles: DESK },
    // A verified car or a running notice period stays where it is: only the officer changes.
    { action: 'reassign', from: ['verified'], to: 'verified', roles: DESK },
    { action: 'reassign', from: ['notice_posted'], to: 'notice_posted', roles: DESK },
    { action: 'acknowledge', from: ['dispatched'], to: 'dispatched', roles: FIELD },
    { action: 'arrive', from: ['dispatched'], to: 'on_scene', roles: FIELD },
    // Needs a second sighting at least `secondSightingHours` after the first (checked by canVerify).
    { action: 'verify', from: ['on_scene'], to: 'verified', roles: FIELD },
    { action: 'post_notice', from: ['verified'], to: 'notice_posted', roles: FIELD },
    { action: 'owner_moved', from: ['dispatched', 'on_scene', 'verified', 'notice_posted'], to: 'moved', roles: FIELD },
    // 道路交通安全法 art. 93; only once the notice period is over.
    { action: 'tow', from: ['notice_posted'], to: 'towed', roles: FIELD },
    { action: 'announce', from: ['towed'], to: 'public_notice', roles: DESK },
    { action: 'return_to_owner', from: ['towed', 'public_notice'], to: 'returned', roles: DESK },
    // Only once the public notice period is over.
    { action: 'dispose', from: ['public_notice'], to: 'disposed', roles: DESK },
    { action: 'close', from: ['moved', 'returned', 'disposed'], to: 'closed', roles: [...DESK, 'system'] },
    { action: 'rate', from: ['moved', 'returned', 'disposed', 'closed'], to: 'closed', roles: CITIZEN },
    { action: 'dispute', from: ['moved', 'returned', 'disposed', 'closed', 'rejected'], to: 'accepted', roles: CITIZEN },
  ],
})

export function machineFor(course: ReportCourse): ReportMachine {
  return course === 'zombie' ? zombieMachine : standardMachine
}

/** The actors a person is on one report: their role, and the assigned officer when it is theirs. */
export function reportActors(role: ActorRole, assignedToThem: boolean): ReportActor[] {
  return assignedToThem ? [role, 'assigned_officer'] : [role]
}

/** Actions any of `actors` may take from `state` (the server's checks and the UI's buttons). */
export function reportActionsFor(m: ReportMachine, state: ReportState, actors: readonly ReportActor[]): ReportAction[] {
  return [...new Set(actors.flatMap((r) => m.actionsFor(state, r)))]
}

/** The target state when one of `actors` may take `action` from `state`, else null. */
export function reportNext(m: ReportMachine, state: ReportState, action: ReportAction, actors: readonly ReportActor[]): ReportState | null {
  for (const r of actors) {
    const to = m.next(state, action, r)
    if (to) return to
  }
  return null
}

export function stateTypeOf(state: ReportState): StateType {
  return standardMachine.typeOf(state)
}

/** The steps of each course in order, for progress displays. */
export const COURSE_STEPS: Record<ReportCourse, readonly ReportState[]> = {
  standard: ['submitted', 'accepted', 'dispatched', 'on_scene', 'resolved', 'closed'],
  zombie: ['submitted', 'accepted', 'dispatched', 'on_scene', 'verified', 'notice_posted', 'towed', 'public_notice', 'disposed', 'closed'],
}

/** What an action needs from the person taking it. */
export interface ActionInput {
  note?: 'required' | 'optional'
  officer?: true
  photos?: 'required' | 'optional'
}

export const ACTION_INPUT: Record<ReportAction, ActionInput> = {
  accept: { note: 'optional' },
  reject: { note: 'required' },
  withdraw: { note: 'optional' },
  merge: { note: 'optional' },
  dispatch: { officer: true, note: 'optional' },
  reassign: { officer: true, note: 'optional' },
  acknowledge: {},
  arrive: { note: 'optional', photos: 'optional' },
  resolve: { note: 'optional', photos: 'optional' },
  verify: { note: 'optional', photos: 'optional' },
  post_notice: { note: 'optional', photos: 'required' },
  owner_moved: { note: 'optional', photos: 'optional' },
  tow: { note: 'optional', photos: 'optional' },
  announce: { note: 'optional' },
  return_to_owner: { note: 'optional' },
  dispose: { note: 'optional' },
  close: { note: 'optional' },
  rate: {},
  dispute: { note: 'required' },
}

/** Actions that are only ever taken through their own endpoints (not the staff action endpoint). */
export const CITIZEN_ONLY_ACTIONS: readonly ReportAction[] = ['withdraw', 'rate', 'dispute']

export const DISPUTE_WINDOW_DAYS = 7
const DAY_MS = 86_400_000

/**
 * A closure (a closed case, or a rejection, which closes it too) may be disputed within 7 days of
 * when it was closed; a fixed outcome not closed yet (it closes on its own) may be disputed until then.
 */
export function canDispute(r: { state: ReportState; closedAt: Date | null }, now: Date, days = DISPUTE_WINDOW_DAYS): boolean {
  if (stateTypeOf(r.state) === 'fixed') return true
  if (r.state !== 'closed' && r.state !== 'rejected') return false
  const at = r.closedAt
  return !!at && now.getTime() >= at.getTime() && now.getTime() - at.getTime() <= days * DAY_MS
}

/** The case was fixed (resolved, moved, returned, disposed), possibly closed since, and not rated yet. */
export function canRate(outcome: ReportState | null, state: ReportState, ratedAt: Date | null): boolean {
  return !ratedAt && !!outcome && (stateTypeOf(state) === 'fixed' || state === 'closed')
}

/**
 * Long-term parking is proven by two sightings at least `minHours` apart: the report itself, a
 * citizen's "me too" or an officer's visit (the officer verifying now counts as one).
 */
export function canVerify(sightings: readonly Date[], minHours: number): boolean {
  if (sightings.length < 2) return false
  const times = sightings.map((d) => d.getTime())
  return Math.max(...times) - Math.min(...times) >= minHours * 3_600_000
}

/** Adds whole months in UTC, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(d: Date, months: number): Date {
  const out = new Date(d.getTime())
  const day = out.getUTCDate()
  out.setUTCDate(1)
  out.setUTCMonth(out.getUTCMonth() + months)
  const last = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate()
  out.setUTCDate(Math.min(day, last))
  return out
}

/** The fixed outcome a state records (kept after closing, for statistics). */
export function outcomeOf(state: ReportState): ReportState | null {
  return stateTypeOf(state) === 'fixed' ? state : null
}
