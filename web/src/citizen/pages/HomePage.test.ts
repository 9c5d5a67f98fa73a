import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { clearSession, setMe } from '@/api/session'
import { createAppI18n } from '@/i18n'
import citizenMessages from '@/i18n/messages/citizen'
import commonMessages from '@/i18n/messages/common'
import { testI18n } from '@/i18n/testing'
import { answer, kinds, mockApi } from '../reports/test-helpers'
import { useSessionStore } from '../stores/session'
import HomePage from './HomePage.vue'

describe('citizen home', () => {
  it('shows placeholder tiles while the report kinds load and lays out nothing after them until they arrive', async () => {
    let release: (v: unknown) => void = () => {}
    const pending = new Promise((r) => {
      release = r
    })
    const api = mockApi((method, path) => {
      if (method === 'GET' && path === '/api/reports/kinds') return pending.then(() => answer({ items: kinds }))
      throw new Error(`unexpected ${method} ${path}`)
    })
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:any(.*)*', component: HomePage }] })
    await router.push('/')
    const w = mount(HomePage, { global: { plugins: [createPinia(), testI18n('zh-CN'), router] } })
    await flushPromises()
    const services = () => w.findAll('.tp-home__services > *').map((e) => e.attributes('data-service') ?? e.attributes('data-test'))
    expect(services()).toEqual(['service-placeholder', 'service-placeholder'])
    expect(w.find('.tp-home__cases-head').exists()).toBe(false)
    release(undefined)
    await flushPromises()
    expect(services()).toEqual([...kinds.map((k) => k.code), 'appeal', 'booking'])
    expect(w.find('.tp-home__cases-head').exists()).toBe(true)
    api.restore()
  })

  it('needs only the shell’s messages, signed in or not (the features’ load after it is painted)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const api = mockApi((method, path) => {
      if (method === 'GET' && path === '/api/reports/kinds') return answer({ items: kinds })
      if (method === 'GET' && path === '/api/me/cases') return answer({ items: [] })
      throw new Error(`unexpected ${method} ${path}`)
    })
    for (const signedIn of [false, true]) {
      const pinia = createPinia()
      const session = useSessionStore(pinia)
      session.$patch({ loaded: true })
      if (signedIn) setMe({ kind: 'citizen', name: '张三' } as never)
      else clearSession()
      const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:any(.*)*', component: HomePage }] })
      await router.push('/')
      const i18n = createAppI18n([commonMessages, citizenMessages], () => new Promise(() => {}))
      const w = mount(HomePage, { global: { plugins: [pinia, i18n, router] } })
      await flushPromises()
      expect(w.text()).toContain(signedIn ? '张三' : '登录')
      w.unmount()
    }
    expect(warn.mock.calls.filter(([m]) => String(m).includes('Not found'))).toEqual([])
    warn.mockRestore()
    clearSession()
    api.restore()
  })
})
