import { shallowRef } from 'vue'
import type { paths } from './schema'

/** The signed-in user as `/api/me` and the sign-in endpoints return it (citizen or staff). */
export type Me = paths['/api/me']['get']['responses'][200]['content']['application/json']
export type StaffMe = Extract<Me, { kind: 'staff' }>
export type CitizenMe = Extract<Me, { kind: 'citizen' }>

/**
 * Session state shared by both shells and every feature: who is signed in and the CSRF token the
 * API client sends on state-changing requests. The session itself is an httpOnly cookie; the
 * token comes from `/api/me` or the sign-in response and lives only in memory.
 */
export const me = shallowRef<Me | null>(null)

let csrfToken = ''

export function csrf(): string {
  return csrfToken
}

/** Remember who signed in (from `/api/me`, OTP verify or staff login). */
export function setMe(value: Me | null): void {
  me.value = value
  csrfToken = value?.csrfToken ?? ''
}

export function clearSession(): void {
  setMe(null)
}
