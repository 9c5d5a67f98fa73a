import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { testI18n } from '@/i18n/testing'
import TabBar from './TabBar.vue'

async function setup(path: string, unread = 0, locale: 'zh-CN' | 'en' = 'zh-CN') {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] })
  await router.push(path)
  const w = mount(TabBar, { props: { unread }, global: { plugins: [router, testI18n(locale)] } })
  return { w, router }
}

describe('citizen tab bar', () => {
  it('is a labelled navigation landmark of three links that marks the current page', async () => {
    const { w } = await setup('/cases')
    expect(w.element.tagName).toBe('NAV')
    expect(w.attributes('aria-label')).toBe('主导航')
    const links = w.findAll('a')
    expect(links.map((a) => a.text())).toEqual(['首页', '我的办事', '我的'])
    expect(links.map((a) => a.attributes('href'))).toEqual(['/', '/cases', '/me'])
    expect(links.map((a) => a.attributes('aria-current'))).toEqual([undefined, 'page', undefined])
    expect(links.every((a) => a.get('svg').attributes('aria-hidden') === 'true')).toBe(true)
  })

  it('switches tabs without adding history entries', async () => {
    const { w, router } = await setup('/')
    const replace = vi.spyOn(router, 'replace')
    const push = vi.spyOn(router, 'push')
    await w.findAll('a')[2]?.trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/me')
    expect(replace).toHaveBeenCalledTimes(1)
    expect(push).not.toHaveBeenCalled()
    expect(w.findAll('a')[2]?.attributes('aria-current')).toBe('page')
  })

  it('shows the unread count on 我的, capped at 99+', async () => {
    expect((await setup('/', 0)).w.find('.tp-tabbar__badge').exists()).toBe(false)
    expect((await setup('/', 7)).w.get('.tp-tabbar__badge').text()).toBe('7')
    expect((await setup('/', 120)).w.get('.tp-tabbar__badge').text()).toBe('99+')
  })

  it('speaks the reader’s language', async () => {
    const { w } = await setup('/', 0, 'en')
    expect(w.attributes('aria-label')).toBe('Main')
    expect(w.findAll('a').map((a) => a.text())).toEqual(['Home', 'My cases', 'Me'])
  })
})
