import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { testI18n } from '@/i18n/testing'
import { answer, kinds, mockApi } from '../reports/test-helpers'
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
})
