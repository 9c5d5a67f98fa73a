import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { api } from '@/api/client'
import { testI18n } from '@/i18n/testing'
import NotificationsPage from './NotificationsPage.vue'

const ok = <T>(data: T) => Promise.resolve({ data, response: new Response('{}', { status: 200 }) }) as never
const features = {
  './appeals/i18n.ts': {
    default: { 'zh-CN': { notify: { replied: '您的申诉 {number} 已答复' } }, en: { notify: { replied: 'Your appeal {number} has been answered' } } },
  },
}
const page = {
  items: [
    {
      id: '00000000-0000-0000-0000-000000000001',
      messageKey: 'appeals.notify.replied',
      params: { number: 'SS-7' },
      link: '/appeals/7',
      readAt: null,
      createdAt: '2026-03-01T02:00:00Z',
    },
    {
      id: '00000000-0000-0000-0000-000000000002',
      messageKey: 'unknown.key',
      params: {},
      link: null,
      readAt: '2026-03-01T03:00:00Z',
      createdAt: '2026-02-01T02:00:00Z',
    },
  ],
  nextCursor: null,
  unread: 1,
}

async function setup(locale: 'zh-CN' | 'en' = 'zh-CN') {
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] })
  await router.push('/notifications')
  vi.spyOn(api, 'GET').mockImplementation(() => ok(page))
  const post = vi.spyOn(api, 'POST').mockImplementation(() => ok({ updated: 1 }))
  const w = mount(NotificationsPage, { global: { plugins: [pinia, router, testI18n(locale, features)] }, attachTo: document.body })
  await flushPromises()
  return { w, post, router }
}

describe('notification inbox', () => {
  afterEach(() => {
    vi.restoreAllMocks()
    document.body.innerHTML = ''
  })

  it('renders each message from its key and params in the reader’s language', async () => {
    const { w } = await setup()
    const texts = w.findAll('.tp-inbox__text').map((t) => t.text())
    expect(texts).toEqual(['您的申诉 SS-7 已答复', '您办理的事项有新进展，请点击查看'])
    const en = await setup('en')
    expect(en.w.find('.tp-inbox__text').text()).toBe('Your appeal SS-7 has been answered')
  })

  it('marks one read and opens its link', async () => {
    const { w, post, router } = await setup()
    await w.find('.tp-inbox__item--unread').trigger('click')
    await flushPromises()
    expect(post).toHaveBeenCalledWith('/api/notifications/read', { body: { ids: ['00000000-0000-0000-0000-000000000001'] } })
    expect(router.currentRoute.value.fullPath).toBe('/appeals/7')
    expect(w.find('.tp-inbox__item--unread').exists()).toBe(false)
  })

  it('marks all read', async () => {
    const { w, post } = await setup()
    await w.find('[data-test="mark-all"]').trigger('click')
    await flushPromises()
    expect(post).toHaveBeenCalledWith('/api/notifications/read', { body: {} })
    expect(w.find('[data-test="mark-all"]').exists()).toBe(false)
  })
})
