import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ref } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { setMe } from '@/api/session'
import { testI18n } from '@/i18n/testing'
import { answer, bookingMessages, mockApi, ticket } from './test-helpers'
import WindowConsolePage from './WindowConsolePage.vue'

vi.mock('@/composables/useEvents', () => ({ useEvents: () => ({ connected: ref(true), stop: () => {} }) }))

const unit = { id: 'u1', parentId: null, name: '车辆管理所', kind: 'vehicle_office' as const }
const office = { id: 'o1', name: '市车辆管理所', active: true, serviceIds: ['s1'] }
const win = (staff: { id: string; name: string } | null) => ({
  id: 'w1',
  officeId: 'o1',
  number: 3,
  label: '驾驶证业务',
  serviceIds: ['s1'],
  active: true,
  staff,
  signedInAt: null,
})

const mounted: { unmount: () => void }[] = []

async function setup(signedIn = true) {
  setMe({ kind: 'staff', id: 'me', username: 'window', name: '李窗口', role: 'window_staff', unit, onDuty: false, mustChangePassword: false, csrfToken: 't' })
  localStorage.clear()
  let current: Record<string, unknown> | null = null
  let waiting = [ticket(), ticket({ id: 't2', number: 'C002', kind: 'walk_in', onTime: false, slotStartsAt: null, bookingId: null, nameMasked: '' })]
  let staff = signedIn ? { id: 'me', name: '李窗口' } : null
  const api = mockApi((method, path, init) => {
    if (method === 'GET' && path === '/api/console/bookings/offices') return answer({ items: [office] })
    if (method === 'GET' && path === '/api/console/bookings/windows') return answer({ items: [win(staff)] })
    if (method === 'GET' && path === '/api/console/bookings/windows/{id}/queue')
      return answer({ window: win(staff), current, waiting, waitingCount: waiting.length, averageWaitMinutes: 4.5, servedToday: 7 })
    if (method === 'GET' && path === '/api/console/bookings/offices/{id}/tickets') return answer({ items: [] })
    if (method === 'POST' && path === '/api/console/bookings/windows/{id}/sign-in') {
      staff = { id: 'me', name: '李窗口' }
      return answer(win(staff))
    }
    if (method === 'POST' && path === '/api/console/bookings/windows/{id}/call-next') {
      const [next, ...rest] = waiting
      current = next
        ? { ...next, state: 'called', windowId: 'w1', windowNumber: 3, callCount: 1, actions: ['recall', 'start', 'complete', 'skip', 'transfer'] }
        : null
      waiting = rest
      return answer({ ticket: current })
    }
    if (method === 'POST' && path === '/api/console/bookings/tickets/{id}/{action}') {
      const done = { ...(current as Record<string, unknown>), state: init.params.path.action === 'complete' ? 'done' : 'no_show', actions: [] }
      current = null
      return answer(done)
    }
    throw new Error(`unexpected ${method} ${path}`)
  })
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/bookings/window', component: WindowConsolePage }] })
  await router.push('/bookings/window')
  await router.isReady()
  const w = mount(WindowConsolePage, { global: { plugins: [router, testI18n('zh-CN', bookingMessages)] }, attachTo: document.body })
  mounted.push(w)
  await flushPromises()
  return { w, api }
}

const key = async (k: string) => {
  window.dispatchEvent(new KeyboardEvent('keydown', { key: k }))
  await flushPromises()
}

describe('window console', { timeout: 30_000 }, () => {
  beforeEach(() => {
    document.body.innerHTML = ''
  })
  afterEach(() => {
    for (const w of mounted.splice(0)) w.unmount()
    document.body.innerHTML = ''
  })

  it('should show the waiting line in calling order with the waiting count and average wait', async () => {
    const { w, api } = await setup()
    expect(w.find('[data-test="waiting-count"]').text()).toBe('2')
    expect(w.text()).toContain('4.5 分钟')
    expect(w.find('[data-test="queue"]').text()).toMatch(/C001[\s\S]*C002/)
    expect(w.text()).toContain('当前没有正在办理的号码')
    api.restore()
  })

  it('should call the next number with one key, and complete it with Enter', async () => {
    const { w, api } = await setup()
    await key('n')
    expect(api.calls('POST', '/api/console/bookings/windows/{id}/call-next')).toHaveLength(1)
    expect(w.find('[data-test="current-number"]').text()).toBe('C001')
    // A second press while a number is at the window does nothing.
    await key('n')
    expect(api.calls('POST', '/api/console/bookings/windows/{id}/call-next')).toHaveLength(1)
    await key('Enter')
    const actions = api.calls('POST', '/api/console/bookings/tickets/{id}/{action}')
    expect(actions.map((c) => c.init.params.path)).toEqual([{ id: 't1', action: 'complete' }])
    expect(w.find('[data-test="current-number"]').exists()).toBe(false)
    api.restore()
  })

  it('should skip with X', async () => {
    const { w, api } = await setup()
    await w.find('[data-test="call-next"]').trigger('click')
    await flushPromises()
    await key('x')
    expect(api.calls('POST', '/api/console/bookings/tickets/{id}/{action}')[0]?.init.params.path.action).toBe('skip')
    api.restore()
  })

  it('should need signing in to the window before calling', async () => {
    const { w, api } = await setup(false)
    await key('n')
    expect(api.calls('POST', '/api/console/bookings/windows/{id}/call-next')).toHaveLength(0)
    expect(w.find('[data-test="call-next"]').attributes('disabled')).toBeDefined()
    await w.find('[data-test="window-sign-in"]').trigger('click')
    await flushPromises()
    expect(api.calls('POST', '/api/console/bookings/windows/{id}/sign-in')).toHaveLength(1)
    expect(w.find('[data-test="window-sign-out"]').exists()).toBe(true)
    api.restore()
  })
})
