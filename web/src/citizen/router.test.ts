import { describe, expect, it, vi } from 'vitest'
import { START_LOCATION } from 'vue-router'
import { createCitizenRouter, featureRoutes, loadPageCode, safeRedirect } from './router'

const Page = { template: '<div />' }
const loadMessages = async () => {}

describe('citizen router', () => {
  it('registers every feature’s routes', () => {
    const routes = featureRoutes({
      './reports/routes.ts': { default: [{ path: '/reports/:id', component: Page }] },
      './appeals/routes.ts': { default: [{ path: '/appeals', component: Page, meta: { auth: true } }] },
    })
    expect(routes.map((r) => r.path)).toEqual(['/appeals', '/reports/:id'])
  })

  it('sends a signed-out citizen to sign-in and remembers where they were going', async () => {
    const router = createCitizenRouter({ ensureSession: async () => false, loadMessages })
    await router.push('/notifications?x=1')
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query.redirect).toBe('/notifications?x=1')
  })

  it('lets a signed-in citizen through and leaves public pages open', async () => {
    const signedIn = createCitizenRouter({ ensureSession: async () => true, loadMessages })
    await signedIn.push('/notifications')
    expect(signedIn.currentRoute.value.name).toBe('notifications')
    const anonymous = createCitizenRouter({ ensureSession: async () => false, loadMessages })
    await anonymous.push('/cases')
    expect(anonymous.currentRoute.value.name).toBe('cases')
    await anonymous.push('/no/such/page')
    expect(anonymous.currentRoute.value.name).toBe('not-found')
  })

  it('opens the home without the features’ messages and any other page only once they are merged', async () => {
    let merged: () => void = () => {}
    const load = vi.fn(() => new Promise<void>((r) => (merged = r)))
    const router = createCitizenRouter({ ensureSession: async () => true, loadMessages: load })
    await router.push('/')
    expect(load).not.toHaveBeenCalled()
    const opening = router.push('/notifications')
    await vi.waitFor(() => expect(load).toHaveBeenCalledTimes(1))
    expect(router.currentRoute.value.name).toBe('home')
    merged()
    await opening
    expect(router.currentRoute.value.name).toBe('notifications')
  })

  it('starts downloading a page’s lazy components (and only those) without waiting for them', () => {
    const lazy = vi.fn(() => new Promise(() => {}))
    const failing = vi.fn(() => Promise.reject(new Error('offline')))
    loadPageCode({ matched: [{ components: { default: lazy, aside: Page } }, { components: { default: failing } }] } as never)
    expect(lazy).toHaveBeenCalledTimes(1)
    expect(failing).toHaveBeenCalledTimes(1)
  })

  it('starts the data a page names in meta.prefetch with its code, failures left to the page', async () => {
    const kinds = vi.fn(() => Promise.reject(new Error('offline')))
    loadPageCode({ matched: [{ components: { default: Page }, meta: { prefetch: kinds } }] } as never)
    await Promise.resolve()
    expect(kinds).toHaveBeenCalledTimes(1)
  })

  it('scrolls a page it switches to to the top, a restored position back, and a fresh load not at all', () => {
    const scroll = createCitizenRouter({ ensureSession: async () => false, loadMessages }).options.scrollBehavior
    const page = { path: '/cases' } as never
    expect(scroll?.(page, { path: '/' } as never, null)).toEqual({ top: 0 })
    expect(scroll?.(page, { path: '/' } as never, { left: 0, top: 120 })).toEqual({ left: 0, top: 120 })
    expect(scroll?.(page, START_LOCATION, null)).toBe(false)
  })

  it('follows only same-site paths after sign-in', () => {
    expect(safeRedirect('/appeals/1')).toBe('/appeals/1')
    expect(safeRedirect('//evil.example')).toBe('/')
    expect(safeRedirect('https://evil.example')).toBe('/')
    expect(safeRedirect('/login?redirect=/x')).toBe('/')
    expect(safeRedirect(undefined)).toBe('/')
  })
})
