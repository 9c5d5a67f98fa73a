import { computed } from 'vue'
import { api, unwrap } from '@/api/client'
import { clearSession, me, type StaffMe, setMe } from '@/api/session'
import { reconnectEvents } from '@/composables/useEvents'

/**
 * The staff session for the console and its features:
 * `import { staff } from '@/console/layout/staff'` → `staff.value?.role`, `staff.value?.unit.name`.
 */
export const staff = computed<StaffMe | null>(() => (me.value?.kind === 'staff' ? me.value : null))

let loading: Promise<StaffMe | null> | null = null

/** Who is signed in (once per page load unless forced). */
export function loadStaff(force = false): Promise<StaffMe | null> {
  if (loading && !force) return loading
  loading = unwrap(api.GET('/api/me'))
    .then((m) => {
      if (m.kind !== 'staff') {
        clearSession()
        return null
      }
      setMe(m)
      return m
    })
    .catch(() => {
      clearSession()
      return null
    })
  return loading
}

export async function staffSignIn(username: string, password: string): Promise<StaffMe | null> {
  const m = await unwrap(api.POST('/api/auth/staff/login', { body: { username, password } }))
  setMe(m)
  loading = Promise.resolve(m.kind === 'staff' ? m : null)
  reconnectEvents()
  return m.kind === 'staff' ? m : null
}

export async function staffSignOut(): Promise<void> {
  try {
    await unwrap(api.POST('/api/auth/logout'))
  } catch {
  } finally {
    clearSession()
    loading = Promise.resolve(null)
    reconnectEvents()
  }
}

/** Set after an admin reset: the server refuses everything but the password change until then. */
export function mustChangePassword(user: StaffMe | null | undefined): boolean {
  return !!user && 'mustChangePassword' in user && user.mustChangePassword === true
}

/** Forget the session locally (after a 401 or the idle timeout). */
export function forgetStaff(): void {
  clearSession()
  loading = Promise.resolve(null)
}
