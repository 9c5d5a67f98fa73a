import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ref } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { testI18n } from '@/i18n/testing'
import BookingDetailPage from './BookingDetailPage.vue'
import { answer, booking, bookingMessages, failure, mockApi } from './test-helpers'

const confirm = vi.hoisted(() => vi.fn())
vi.mock('vant/es/dialog', async (original) => ({ ...(await original<typeof import('vant/es/dialog')>()), showConfirmDialog: confirm }))
const toast = vi.hoisted(() => vi.fn())
vi.mock('@/composables/useCitizenToast', () => ({ toast }))
const live = vi.hoisted(() => ({ handlers: {} as Record<string, (d: Record<string, unknown>) => void> }))
vi.mock('@/composables/useEvents', () => ({
  useEvents: (handlers: Record<string, (d: Record<string, unknown>) => void>) => {
    live.handlers = handlers
    return { connected: ref(true), stop: () => {} }
  },
}))

async function setup(first: ReturnType<typeof booking>, onPost: (path: string) => unknown = () => answer(first)) {
  let current = first
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/bookings/:id', component: BookingDetailPage },
      { path: '/:p(.*)*', component: { template: '<p />' } },
    ],
  })
  await router.push('/bookings/b1?created=1')
  await router.isReady()
  const api = mockApi((method, path) => {
    if (method === 'GET' && path === '/api/bookings/{id}') return answer(current)
    if (method === 'POST') return onPost(path)
    throw new Error(`unexpected ${method} ${path}`)
  })
  const w = mount(BookingDetailPage, { global: { plugins: [router, testI18n('zh-CN', bookingMessages)] }, attachTo: document.body })
  await flushPromises()
  return { w, api, router, set: (b: ReturnType<typeof booking>) => (current = b) }
}

describe('a booking', { timeout: 30_000 }, () => {
  beforeEach(() => confirm.mockReset())
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('should show the large code, the QR, the materials, the .ics link and what happens next', async () => {
    const { w, api } = await setup(booking())
    expect(w.text()).toContain('预约成功')
    expect(w.find('[data-test="booking-code"]').text()).toBe('K2CY ZH5J')
    const img = w.find('img.tp-bk__qr')
    expect(img.attributes('src')).toMatch(/^data:image\/svg\+xml/)
    expect(img.attributes('alt')).toContain('K2CYZH5J')
    expect(w.text()).toContain('身份证明')
    expect(w.text()).toContain('一寸照片')
    expect(w.find('[data-test="ics"]').attributes('href')).toBe('/api/bookings/b1/ics')
    expect(w.find('[data-test="state"]').text()).toBe('待办理')
    expect(w.find('[data-test="check-in"]').exists()).toBe(false)
    expect(w.find('[data-test="reschedule"]').exists()).toBe(true)
    expect(w.text()).toContain('张* 1101**********002X')
    api.restore()
  })

  it('should check in and show the queue number', async () => {
    const checked = booking({
      state: 'checked_in',
      actions: [],
      ticket: { id: 't1', number: 'C003', state: 'waiting', windowNumber: null, ahead: 2, issuedAt: '2026-03-11T00:50:00Z', calledAt: null, completedAt: null },
    })
    const { w, api } = await setup(booking({ actions: ['check_in'] }), () => answer(checked))
    await w.find('[data-test="check-in"]').trigger('click')
    await flushPromises()
    expect(api.calls('POST', '/api/bookings/{id}/check-in')).toHaveLength(1)
    expect(w.find('[data-test="ticket-number"]').text()).toBe('C003')
    expect(w.find('[data-test="ticket-status"]').text()).toBe('前面还有 2 人')
    api.restore()
  })

  it('should follow the hall live: called to a window, then done with a way to rate', async () => {
    const ticket = {
      id: 't1',
      number: 'C003',
      state: 'waiting',
      windowNumber: null,
      ahead: 0,
      issuedAt: '2026-03-11T00:50:00Z',
      calledAt: null,
      completedAt: null,
    }
    const { w, api, set } = await setup(booking({ state: 'checked_in', actions: [], ticket }))
    expect(w.find('[data-test="ticket-status"]').text()).toBe('马上轮到您')
    set(booking({ state: 'checked_in', actions: [], ticket: { ...ticket, state: 'called', windowNumber: 3 } }))
    live.handlers['queue.called']?.({ number: 'C003', windowNumber: 3 })
    await flushPromises()
    expect(w.find('[data-test="ticket-status"]').text()).toBe('请到 3 号窗口办理')
    set(booking({ state: 'done', stateType: 'fixed', actions: [], ticket: { ...ticket, state: 'done', windowNumber: 3 } }))
    live.handlers['booking.changed']?.({ id: 'b1', state: 'done' })
    await flushPromises()
    expect(w.find('[data-test="state"]').text()).toBe('已办结')
    expect(w.find('[data-test="rate"]').exists()).toBe(true)
    api.restore()
  })

  it('should cancel only after confirming, and explain a refusal', async () => {
    confirm.mockRejectedValueOnce(new Error('cancel'))
    const { w, api } = await setup(booking(), () => failure(422, { code: 'cutoff_passed', message: 'late' }))
    await w.find('[data-test="cancel"]').trigger('click')
    await flushPromises()
    expect(api.calls('POST', '/api/bookings/{id}/cancel')).toHaveLength(0)
    confirm.mockResolvedValueOnce('confirm')
    await w.find('[data-test="cancel"]').trigger('click')
    await flushPromises()
    expect(api.calls('POST', '/api/bookings/{id}/cancel')).toHaveLength(1)
    expect(toast).toHaveBeenLastCalledWith('已过取消/改约时间', 'fail')
    api.restore()
  })
})
