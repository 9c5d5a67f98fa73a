import { z } from 'zod'
import type { ActorRole } from '../roles'
import { defineMachine } from '../state-machine'

export const AppealState = z.enum(['submitted', 'accepted', 'in_review', 'awaiting_material', 'pending_approval', 'decided', 'refused', 'withdrawn'])
export type AppealState = z.infer<typeof AppealState>

export const AppealAction = z.enum([
  'accept',
  'refuse',
  'assign',
  'request_material',
  'supply_material',
  'resume',
  'save_findings',
  'uphold',
  'correct',
  'revoke',
  'approve',
  'return',
  'request_extension',
  'approve_extension',
  'reject_extension',
  'withdraw',
])
export type AppealAction = z.infer<typeof AppealAction>

const REVIEWERS = ['legal_officer', 'unit_head'] as const
const HEAD = ['unit_head'] as const
const CITIZEN = ['citizen'] as const
const RUNNING = ['accepted', 'in_review', 'awaiting_material'] as const
const OPEN = ['submitted', 'accepted', 'in_review', 'awaiting_material', 'pending_approval'] as const

/** States the clock runs in (from acceptance until a decision takes effect). */
export const CLOCK_STATES: readonly AppealState[] = ['accepted', 'in_review', 'awaiting_material', 'pending_approval']
export const OPEN_STATES: readonly AppealState[] = OPEN

/**
 * The appeal's life, as data: the server checks every action against it and the UIs draw their
 * buttons from it. Self-loops (findings, extensions) are actions that keep the state.
 */
export const appealMachine = defineMachine<AppealState, AppealAction>({
  states: {
    submitted: { type: 'open' },
    accepted: { type: 'open' },
    in_review: { type: 'open' },
    awaiting_material: { type: 'open' },
    pending_approval: { type: 'open' },
    decided: { type: 'fixed' },
    refused: { type: 'closed' },
    withdrawn: { type: 'closed' },
  },
  transitions: [
    { action: 'accept', from: ['submitted'], to: 'accepted', roles: REVIEWERS },
    { action: 'refuse', from: ['submitted'], to: 'refused', roles: REVIEWERS },
    { action: 'assign', from: ['accepted', 'in_review'], to: 'in_review', roles: REVIEWERS },
    { action: 'request_material', from: ['in_review'], to: 'awaiting_material', roles: REVIEWERS },
    { action: 'supply_material', from: ['awaiting_material'], to: 'in_review', roles: CITIZEN },
    { action: 'resume', from: ['awaiting_material'], to: 'in_review', roles: REVIEWERS },
    { action: 'save_findings', from: ['in_review'], to: 'in_review', roles: REVIEWERS },
    { action: 'uphold', from: ['in_review'], to: 'decided', roles: REVIEWERS },
    { action: 'correct', from: ['in_review'], to: 'pending_approval', roles: REVIEWERS },
    { action: 'revoke', from: ['in_review'], to: 'pending_approval', roles: REVIEWERS },
    { action: 'approve', from: ['pending_approval'], to: 'decided', roles: HEAD },
    { action: 'return', from: ['pending_approval'], to: 'in_review', roles: HEAD },
    ...RUNNING.map((s) => ({ action: 'request_extension' as const, from: [s], to: s, roles: REVIEWERS })),
    ...CLOCK_STATES.map((s) => ({ action: 'approve_extension' as const, from: [s], to: s, roles: HEAD })),
    ...CLOCK_STATES.map((s) => ({ action: 'reject_extension' as const, from: [s], to: s, roles: HEAD })),
    { action: 'withdraw', from: ['submitted', 'accepted', 'in_review', 'awaiting_material'], to: 'withdrawn', roles: CITIZEN },
  ],
})

/** Actions that only the case's assignee may take (besides the machine's role check). */
const ASSIGNEE_ONLY: readonly AppealAction[] = ['request_material', 'resume', 'save_findings', 'uphold', 'correct', 'revoke', 'request_extension']

/** What the guards need to know about the case and the actor, beyond state and role. */
export interface AppealGuardInput {
  state: AppealState
  role: ActorRole
  actorId: string
  citizenId: string
  assigneeId: string | null
  /** Who proposed the pending correction or revocation. */
  proposedBy: string | null
  pendingExtension: { requestedBy: string } | null
}

export type Denial = 'role' | 'state' | 'not_owner' | 'not_assignee' | 'own_proposal' | 'own_extension' | 'no_pending_extension' | 'extension_pending'

/**
 * Null when the actor may take the action now, else why not: 'role' (never for this role),
 * 'state' (not from this state), or a guard (ownership, assignment, four-eyes approval).
 */
export function appealDenial(g: AppealGuardInput, action: AppealAction): Denial | null {
  const forRole = appealMachine.transitions.some((t) => t.action === action && t.roles.includes(g.role))
  if (!forRole) return 'role'
  if (appealMachine.next(g.state, action, g.role) === null) return 'state'
  if (g.role === 'citizen' && g.actorId !== g.citizenId) return 'not_owner'
  if (ASSIGNEE_ONLY.includes(action) && g.assigneeId !== g.actorId) return 'not_assignee'
  if ((action === 'approve' || action === 'return') && g.proposedBy === g.actorId) return 'own_proposal'
  if (action === 'request_extension' && g.pendingExtension) return 'extension_pending'
  if (action === 'approve_extension' || action === 'reject_extension') {
    if (!g.pendingExtension) return 'no_pending_extension'
    if (g.pendingExtension.requestedBy === g.actorId) return 'own_extension'
  }
  return null
}

/** Every action the actor may take now: the UI shows exactly these buttons. */
export function appealActions(g: AppealGuardInput): AppealAction[] {
  return AppealAction.options.filter((a) => appealDenial(g, a) === null)
}

/** The outcome a decision action records. */
export const OUTCOME_OF: Partial<Record<AppealAction, 'upheld' | 'corrected' | 'revoked'>> = {
  uphold: 'upheld',
  correct: 'corrected',
  revoke: 'revoked',
}
