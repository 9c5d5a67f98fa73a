import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ref } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { testI18n } from '@/i18n/testing'
import HallDisplayPage from './HallDisplayPage.vue'
import { answer, bookingMessages, mockApi } from './test-helpers'

const live = vi.hoisted(() => ({
  handlers: {} as Record<string, (d: Record<string, unknown>) => void>,
  options: {} as { channels?: string[]; onReconnect?: () => void },
  connected: null as unknown,
}))
vi.mock('@/composables/useEvents', async () => {
  const { ref } = await import('vue')
  live.connected = ref(true)
  return {
    useEvents: (handlers: Record<string, (d: Record<string, unknown>) => void>, options: { channels?: string[]; onReconnect?: () => void }) => {
      live.handlers = handlers
      live.options = options
      return { connected: live.connected, stop: () => {} }
    },
  }
})

const spoken: string[] = []
vi.stubGlobal(
  'SpeechSynthesisUtterance',
  class {
    lang = ''
    rate = 1
    onerror = null
    onstart = null
    constructor(readonly text: string) {}
  },
)
Object.defineProperty(window, 'speechSynthesis', { value: { speak: (u: { text: string }) => spoken.push(u.text), getVoices: () => [] }, configurable: true })

const now = new Date().toISOString()
const display = (current: string | null) => ({
  office: { id: 'o1', name: '市车辆管理所' },
  windows: [
    { id: 'w1', number: 1, label: '', current: current ? { ticketId: 't1', number: current, state: 'called', calledAt: now } : null },
    { id: 'w2', number: 2, label: '', current: null },
  ],
  recentCalls: current ? [{ ticketId: 't1', number: current, windowNumber: 1, calledAt: now, callCount: 1 }] : [],
  waiting: [{ number: 'A004', serviceName: '注册登记' }],
  waitingCount: 1,
  serverTime: now,
})

async function setup() {
  let data = display(null)
  const api = mockApi((method, path) => {
    if (method === 'GET' && path === '/api/queue/hall/{officeId}') return answer(data)
    throw new Error(`unexpected ${method} ${path}`)
  })
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/hall/:officeId', component: HallDisplayPage, props: true }] })
  await router.push('/hall/o1')
  await router.isReady()
  const w = mount(HallDisplayPage, { props: { officeId: 'o1' }, global: { plugins: [router, testI18n('zh-CN', bookingMessages)] } })
  await flushPromises()
  return { w, api, set: (d: ReturnType<typeof display>) => (data = d) }
}

describe('hall display', { timeout: 30_000 }, () => {
  afterEach(() => {
    spoken.length = 0
  })

  it('should listen on the office’s public channel and show windows and the waiting numbers', async () => {
    const { w, api } = await setup()
    expect(live.options.channels).toEqual(['hall:o1'])
    expect(w.find('[data-test="hall-office"]').text()).toBe('市车辆管理所')
    expect(w.find('[data-test="hall-window-1"]').text()).toContain('—')
    expect(w.find('[data-test="hall-waiting"]').text()).toContain('A004')
    api.restore()
  })

  it('should show, highlight and speak a call as it comes in', async () => {
    const { w, api, set } = await setup()
    set(display('A003'))
    live.handlers['queue.called']?.({ number: 'A003', windowNumber: 1 })
    await new Promise((r) => setTimeout(r, 300))
    await flushPromises()
    expect(spoken).toEqual(['请A003号到1号窗口办理'])
    expect(w.find('[data-test="hall-banner"]').text()).toBe('请 A003 号到 1 号窗口办理')
    expect(w.find('[data-test="hall-window-1"]').text()).toContain('A003')
    expect(w.find('[data-test="hall-window-1"]').classes()).toContain('tp-hall__row--new')
    api.restore()
  })

  it('should say when the connection is down and refetch after reconnecting', async () => {
    const { w, api } = await setup()
    ;(live.connected as ReturnType<typeof ref<boolean>>).value = false
    await flushPromises()
    expect(w.find('[data-test="hall-offline"]').exists()).toBe(true)
    const before = api.calls('GET', '/api/queue/hall/{officeId}').length
    ;(live.connected as ReturnType<typeof ref<boolean>>).value = true
    live.options.onReconnect?.()
    await flushPromises()
    expect(api.calls('GET', '/api/queue/hall/{officeId}').length).toBe(before + 1)
    expect(w.find('[data-test="hall-offline"]').exists()).toBe(false)
    api.restore()
  })
})
