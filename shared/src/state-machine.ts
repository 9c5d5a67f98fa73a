import type { ActorRole } from './roles'

/** How lists and statistics group a state (FixMyStreet's open / closed / fixed). */
export type StateType = 'open' | 'closed' | 'fixed'

export interface StateDef {
  type: StateType
}

/** `R`: who takes steps; an actor role unless a machine names its own (e.g. "the assigned officer"). */
export interface TransitionDef<S extends string, A extends string, R extends string = ActorRole> {
  action: A
  from: readonly S[]
  to: S
  roles: readonly R[]
}

export interface Machine<S extends string, A extends string, R extends string = ActorRole> {
  states: Record<S, StateDef>
  transitions: readonly TransitionDef<S, A, R>[]
  /** Actions `role` may take from `state`: drives the server's checks and the UI's buttons. */
  actionsFor(state: S, role: R): A[]
  /** The target state, or null when `role` may not take `action` from `state`. */
  next(state: S, action: A, role: R): S | null
  typeOf(state: S): StateType
  statesOfType(type: StateType): S[]
}

/** States and transitions are data; the machine answers questions about them. */
export function defineMachine<S extends string, A extends string, R extends string = ActorRole>(def: {
  states: Record<S, StateDef>
  transitions: readonly TransitionDef<S, A, R>[]
}): Machine<S, A, R> {
  const find = (state: S, action: A, role: R) => def.transitions.find((t) => t.action === action && t.from.includes(state) && t.roles.includes(role))
  return {
    ...def,
    actionsFor(state, role) {
      const out: A[] = []
      for (const t of def.transitions) {
        if (t.from.includes(state) && t.roles.includes(role) && !out.includes(t.action)) out.push(t.action)
      }
      return out
    },
    next(state, action, role) {
      return find(state, action, role)?.to ?? null
    },
    typeOf(state) {
      return def.states[state].type
    },
    statesOfType(type) {
      return (Object.keys(def.states) as S[]).filter((s) => def.states[s].type === type)
    },
  }
}
