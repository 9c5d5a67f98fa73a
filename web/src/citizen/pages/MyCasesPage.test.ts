import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { api } from '@/api/client'
import { setMe } from '@/api/session'
import { testI18n } from '@/i18n/testing'
import { useSessionStore } from '../stores/session'
import MyCasesPage from './MyCasesPage.vue'

vi.stubGlobal(
  'EventSource',
  class {
    static CLOSED = 2
    addEventListener() {}
    close() {}
  },
)

const ok = <T>(data: T) => Promise.resolve({ data, response: new Response('{}', { status: 200 }) }) as never
const soon = new Date(Date.now() + 86_400_000).toISOString()
const cases = [
  { kind: 'report', id: 'r1', number: 'R1', title: '拥堵 · 人民路', state: 'submitted', stateType: 'open', dueAt: soon, updatedAt: '2026-03-01T00:00:00Z' },
  { kind: 'appeal', id: 'a1', number: 'A1', title: '申诉 · 超速', state: 'decided', stateType: 'fixed', dueAt: null, updatedAt: '2026-02-01T00:00:00Z' },
  { kind: 'booking', id: 'b1', number: 'B1', title: '预约 · 换证', state: 'cancelled', stateType: 'closed', dueAt: null, updatedAt: '2026-01-01T00:00:00Z' },
]

async function setup(signedIn: boolean, items: unknown[] = cases) {
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: MyCasesPage }] })
  await router.push('/cases')
  setMe(signedIn ? ({ kind: 'citizen', id: 'c1', phoneMasked: '', name: null, csrfToken: 't' } as never) : null)
  const session = useSessionStore()
  session.loaded = true
  const get = vi.spyOn(api, 'GET').mockImplementation(() => ok({ items }))
  const w = mount(MyCasesPage, { global: { plugins: [pinia, router, testI18n('zh-CN')] } })
  await flushPromises()
  return { w, get }
}

describe('我的办事', () => {
  afterEach(() => {
    vi.restoreAllMocks()
    setMe(null)
  })

  it('lists every case with its state chip, due time and a link by kind', async () => {
    const { w, get } = await setup(true)
    expect(get).toHaveBeenCalledWith('/api/me/cases')
    const cards = w.findAll('a.tp-case-card')
    expect(cards.map((c) => c.attributes('href'))).toEqual(['/reports/r1', '/appeals/a1', '/bookings/b1'])
    expect(cards[0]?.text()).toContain('剩余 1 天')
    expect(cards[0]?.find('.tp-state').classes()).toContain('tp-state--due-soon')
    expect(cards[1]?.find('.tp-state').text()).toBe('已办结')
    expect(cards[2]?.find('.tp-state').classes()).toContain('tp-state--closed')
  })

  it('filters open and finished cases', async () => {
    const { w } = await setup(true)
    await w.findAll('.tp-chip')[1]?.trigger('click')
    expect(w.findAll('a.tp-case-card')).toHaveLength(1)
    await w.findAll('.tp-chip')[2]?.trigger('click')
    expect(w.findAll('a.tp-case-card').map((c) => c.attributes('href'))).toEqual(['/appeals/a1', '/bookings/b1'])
  })

  it('invites a new citizen to start when there are no cases', async () => {
    const { w } = await setup(true, [])
    expect(w.text()).toContain('您还没有办理过业务')
  })

  it('asks a signed-out citizen to sign in and loads nothing', async () => {
    const { w, get } = await setup(false)
    expect(w.text()).toContain('登录后查看您办理的所有事项')
    expect(get).not.toHaveBeenCalled()
  })

  it('offers a retry when loading fails', async () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    setMe({ kind: 'citizen', id: 'c1', phoneMasked: '', name: null, csrfToken: 't' } as never)
    useSessionStore().loaded = true
    vi.spyOn(api, 'GET').mockRejectedValue(new TypeError('Failed to fetch'))
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: MyCasesPage }] })
    const w = mount(MyCasesPage, { global: { plugins: [pinia, router, testI18n('zh-CN')] } })
    await flushPromises()
    expect(w.text()).toContain('加载失败')
    expect(w.text()).toContain('重试')
  })
})
