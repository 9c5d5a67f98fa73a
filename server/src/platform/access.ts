import type { StaffRole } from '@tp/shared'
import type { MiddlewareHandler } from 'hono'
import type { Actor, AppEnv } from './context'
import { forbidden, unauthorized } from './errors'

/**
 * Who may call a route, declared with the route (and published in the OpenAPI document as
 * `x-access`). Unit scope and ownership are then enforced by the service, against `actor`.
 */
export interface Access {
  public?: true
  citizen?: true
  staff?: readonly StaffRole[] | 'any'
  /** Machine clients (e.g. the police system) authenticated by an API key; their actor is kind 'system'. */
  apiKey?: true
}

export const PUBLIC: Access = { public: true }
export const CITIZEN: Access = { citizen: true }
export const ANY_STAFF: Access = { staff: 'any' }
export const SIGNED_IN: Access = { citizen: true, staff: 'any' }
export const staffRoles = (...roles: StaffRole[]): Access => ({ staff: roles })

export function allows(access: Access, actor: Actor): boolean {
  if (access.public) return true
  if (actor.kind === 'citizen') return !!access.citizen
  if (actor.kind === 'staff') return access.staff === 'any' || !!access.staff?.includes(actor.role)
  if (actor.kind === 'system') return !!access.apiKey
  return false
}

export function authorize(access: Access): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const actor = c.get('actor')
    if (!allows(access, actor)) throw actor.kind === 'anonymous' ? unauthorized() : forbidden()
    await next()
  }
}

/** Throws 404 (not 403: no hint that it exists) unless the unit is in the staff member's scope. */
export function inUnitScope(actor: Actor, unitId: string | null | undefined): boolean {
  return actor.kind === 'staff' && !!unitId && actor.unitScope.includes(unitId)
}
