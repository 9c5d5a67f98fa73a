import { z } from 'zod'
import type { ActorRole } from '../roles'
import { defineMachine } from '../state-machine'

/**
 * A bad rating's follow-up case (差评整改): the unit head verifies it (核实), calls the citizen
 * back (回访, every case), puts it right (整改) and closes it with an outcome the citizen sees.
 * The rated staff member may contest a malicious rating with evidence before the call-back; the
 * unit head upholds the contest (the rating is voided and leaves the statistics) or rejects it
 * (the case goes on as verified).
 */
export const FollowUpState = z.enum(['opened', 'verified', 'contested', 'called_back', 'rectified', 'closed', 'voided'])
export type FollowUpState = z.infer<typeof FollowUpState>

export const FollowUpAction = z.enum(['verify', 'contest', 'uphold_contest', 'reject_contest', 'call_back', 'rectify', 'close'])
export type FollowUpAction = z.infer<typeof FollowUpAction>

const HEADS = ['unit_head', 'admin'] as const
const STAFF = ['window_staff'] as const

export const followUpMachine = defineMachine<FollowUpState, FollowUpAction>({
  states: {
    opened: { type: 'open' },
    verified: { type: 'open' },
    contested: { type: 'open' },
    called_back: { type: 'open' },
    rectified: { type: 'open' },
    closed: { type: 'fixed' },
    voided: { type: 'closed' },
  },
  transitions: [
    { action: 'verify', from: ['opened'], to: 'verified', roles: HEADS },
    { action: 'contest', from: ['opened', 'verified'], to: 'contested', roles: STAFF },
    { action: 'uphold_contest', from: ['contested'], to: 'voided', roles: HEADS },
    { action: 'reject_contest', from: ['contested'], to: 'verified', roles: HEADS },
    // The first call-back moves the case on; later ones (another attempt, a second call) are recorded in place.
    { action: 'call_back', from: ['verified'], to: 'called_back', roles: HEADS },
    { action: 'call_back', from: ['called_back'], to: 'called_back', roles: HEADS },
    { action: 'call_back', from: ['rectified'], to: 'rectified', roles: HEADS },
    { action: 'rectify', from: ['called_back'], to: 'rectified', roles: HEADS },
    { action: 'close', from: ['rectified'], to: 'closed', roles: HEADS },
  ],
})

export const OPEN_FOLLOW_UP_STATES: readonly FollowUpState[] = followUpMachine.statesOfType('open')

/** The clock stops when the case closes or is voided; an open case past its due time is overdue. */
export function isOverdue(state: FollowUpState, dueAt: Date, now: Date): boolean {
  return followUpMachine.typeOf(state) === 'open' && now.getTime() > dueAt.getTime()
}

export interface FollowUpGuardInput {
  state: FollowUpState
  action: FollowUpAction
  role: ActorRole
  actorId: string
  /** The staff member who was rated (served the ticket). */
  ratedStaffId: string | null
  /** Who filed the contest, when deciding one. */
  contestedBy: string | null
  /** Call-back records with the citizen reached. */
  reachedCallBacks: number
  /** Call-back records in all (reached or not). */
  callBacks: number
}

export type FollowUpRefusal = 'not_allowed' | 'not_rated_staff' | 'own_contest' | 'no_call_back'

/**
 * The checks beyond state and role: only the rated staff member contests; nobody decides their
 * own contest; a case is closed only after a call-back (回访 every one).
 */
export function followUpRefusal(i: FollowUpGuardInput): FollowUpRefusal | null {
  if (!followUpMachine.next(i.state, i.action, i.role)) return 'not_allowed'
  if (i.action === 'contest' && (!i.ratedStaffId || i.ratedStaffId !== i.actorId)) return 'not_rated_staff'
  if ((i.action === 'uphold_contest' || i.action === 'reject_contest') && i.contestedBy === i.actorId) return 'own_contest'
  if ((i.action === 'rectify' || i.action === 'close') && i.callBacks === 0) return 'no_call_back'
  return null
}

/** Actions the actor may take now (the UI's buttons), after the guard. */
export function followUpActions(i: Omit<FollowUpGuardInput, 'action'>): FollowUpAction[] {
  return followUpMachine.actionsFor(i.state, i.role).filter((action) => followUpRefusal({ ...i, action }) === null)
}

/** Steps of the case the citizen sees on the timeline (internal ones — the contest — stay internal). */
export const PUBLIC_ACTIONS: readonly string[] = ['open', 'verify', 'call_back', 'rectify', 'close', 'uphold_contest']
