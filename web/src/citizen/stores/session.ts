import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, unwrap } from '@/api/client'
import { clearSession, me, setMe } from '@/api/session'
import { reconnectEvents } from '@/composables/useEvents'
import { earlyFetch } from '../early'

/** The citizen's session: who is signed in, OTP sign-in and sign-out. */
export const useSessionStore = defineStore('session', () => {
  const loaded = ref(false)
  let loading: Promise<void> | null = null

  const citizen = computed(() => (me.value?.kind === 'citizen' ? me.value : null))
  const signedIn = computed(() => citizen.value !== null)

  /** Asks the server once who we are (a 401 just means signed out). */
  function load(force = false): Promise<void> {
    if (loading && !force) return loading
    loading = unwrap(api.GET('/api/me', { fetch: earlyFetch('/api/me') }))
      .then((m) => setMe(m))
      .catch(() => clearSession())
      .finally(() => {
        loaded.value = true
      })
    return loading
  }

  async function requestCode(phone: string) {
    return unwrap(api.POST('/api/auth/otp', { body: { phone } }))
  }

  async function signInWithCode(phone: string, code: string) {
    const m = await unwrap(api.POST('/api/auth/otp/verify', { body: { phone, code } }))
    setMe(m)
    loaded.value = true
    loading = Promise.resolve()
    reconnectEvents()
    return m
  }

  async function signOut() {
    try {
      await unwrap(api.POST('/api/auth/logout'))
    } finally {
      clearSession()
      reconnectEvents()
    }
  }

  return { loaded, citizen, signedIn, load, requestCode, signInWithCode, signOut }
})
