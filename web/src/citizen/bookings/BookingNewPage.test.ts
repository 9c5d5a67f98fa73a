import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { testI18n } from '@/i18n/testing'
import BookingNewPage from './BookingNewPage.vue'
import { answer, booking, bookingMessages, failure, mockApi, OFFICE, SERVICE, VEHICLE_SERVICE } from './test-helpers'

const confirm = vi.hoisted(() => vi.fn())
vi.mock('vant/es/dialog', async (original) => ({ ...(await original<typeof import('vant/es/dialog')>()), showConfirmDialog: confirm }))

const days = [
  { date: '2026-03-11', open: true, closedReason: null, holidayName: null, capacity: 8, remaining: 5 },
  { date: '2026-03-12', open: false, closedReason: 'holiday', holidayName: '国庆节', capacity: 0, remaining: 0 },
  { date: '2026-03-13', open: true, closedReason: null, holidayName: null, capacity: 8, remaining: 0 },
]
const slots = [
  { id: 'slot-9', date: '2026-03-11', startTime: '09:00', endTime: '09:30', startsAt: '2026-03-11T01:00:00.000Z', capacity: 2, remaining: 1, bookable: true },
  { id: 'slot-10', date: '2026-03-11', startTime: '10:00', endTime: '10:30', startsAt: '2026-03-11T02:00:00.000Z', capacity: 2, remaining: 0, bookable: true },
]

async function setup(post: (body: any) => unknown = () => answer(booking(), 201)) {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/bookings/new', component: BookingNewPage },
      { path: '/bookings/:id', component: { template: '<p>detail</p>' } },
    ],
  })
  await router.push('/bookings/new')
  await router.isReady()
  const api = mockApi((method, path, init) => {
    if (method === 'GET' && path === '/api/services') return answer({ items: [SERVICE, VEHICLE_SERVICE] })
    if (method === 'GET' && path === '/api/bookings/me/strikes')
      return answer({ strikes: 1, limit: 3, windowDays: 90, blockDays: 30, blocked: false, blockedUntil: null, activeBookings: 0, maxActive: 3 })
    if (method === 'GET' && path === '/api/me/vehicles') return answer({ items: [{ id: 'v1', plate: '川A12345', vinLast6: 'A12345', createdAt: '' }] })
    if (method === 'GET' && path === '/api/offices') return answer({ items: [OFFICE] })
    if (method === 'GET' && path === '/api/slots/availability') return answer({ items: days })
    if (method === 'GET' && path === '/api/slots') return answer({ items: slots })
    if (method === 'POST' && path === '/api/bookings') return post(init.body)
    throw new Error(`unexpected ${method} ${path}`)
  })
  const w = mount(BookingNewPage, { global: { plugins: [router, testI18n('zh-CN', bookingMessages)] }, attachTo: document.body })
  await flushPromises()
  return { w, api, router }
}

async function toConfirmStep(w: Awaited<ReturnType<typeof setup>>['w']) {
  await w.find('[data-test="service-licence"]').trigger('click')
  await flushPromises()
  await w.find('[data-test="office-滨江警务站"]').trigger('click')
  await flushPromises()
  w.findComponent({ name: 'van-calendar' }).vm.$emit('select', new Date(2026, 2, 11))
  await flushPromises()
  await w.find('[data-test="slot-09:00"]').trigger('click')
  await flushPromises()
}

describe('booking a service', { timeout: 30_000 }, () => {
  beforeEach(() => {
    localStorage.clear()
    confirm.mockReset()
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('should show my strikes and the services with duration and vehicle hints', async () => {
    const { w, api } = await setup()
    expect(w.find('[data-test="strikes"]').text()).toContain('已失约 1 次')
    expect(w.find('[data-test="service-licence"]').text()).toContain('约 15 分钟')
    expect(w.find('[data-test="service-inspection"]').text()).toContain('需驾车前往')
    api.restore()
  })

  it('should show places left per day and disable holidays and full days', async () => {
    const { w, api } = await setup()
    await w.find('[data-test="service-licence"]').trigger('click')
    await flushPromises()
    expect(w.find('[data-test="office-滨江警务站"]').text()).toContain('1.2 公里')
    await w.find('[data-test="office-滨江警务站"]').trigger('click')
    await flushPromises()
    const day = (d: string) => w.find(`.tp-day-${d}`)
    expect(day('2026-03-11').text()).toContain('余5')
    expect(day('2026-03-11').classes()).not.toContain('van-calendar__day--disabled')
    expect(day('2026-03-12').text()).toContain('节假日')
    expect(day('2026-03-12').classes()).toContain('van-calendar__day--disabled')
    expect(day('2026-03-13').text()).toContain('约满')
    expect(day('2026-03-13').classes()).toContain('van-calendar__day--disabled')
    api.restore()
  })

  it('should book after confirming and open the booking', async () => {
    confirm.mockResolvedValue('confirm')
    const { w, api, router } = await setup()
    await toConfirmStep(w)
    expect(w.find('[data-test="summary-when"]').text()).toContain('09:00–09:30')
    await w.find('#booking-name').setValue('张三')
    await w.find('#booking-id-number').setValue('11010519491231002x')
    await w.find('[data-test="submit-booking"]').trigger('click')
    await flushPromises()
    expect(confirm).toHaveBeenCalledOnce()
    const post = api.calls('POST', '/api/bookings')[0]
    expect(post?.init.body).toEqual({ slotId: 'slot-9', name: '张三', idNumber: '11010519491231002X' })
    expect(post?.init.headers['idempotency-key']).toMatch(/^booking-slot-9-/)
    expect(router.currentRoute.value.fullPath).toBe('/bookings/b1?created=1')
    api.restore()
  })

  it('should not send an invalid ID number', async () => {
    const { w, api } = await setup()
    await toConfirmStep(w)
    await w.find('#booking-name').setValue('张三')
    await w.find('#booking-id-number').setValue('110105194912310021')
    await w.find('[data-test="submit-booking"]').trigger('click')
    await flushPromises()
    expect(w.text()).toContain('身份证号码不正确')
    expect(confirm).not.toHaveBeenCalled()
    expect(api.calls('POST', '/api/bookings')).toHaveLength(0)
    api.restore()
  })

  it('should go back to the times when the slot filled up meanwhile', async () => {
    confirm.mockResolvedValue('confirm')
    const { w, api } = await setup(() => failure(409, { code: 'slot_full', message: 'full' }))
    await toConfirmStep(w)
    await w.find('#booking-name').setValue('张三')
    await w.find('#booking-id-number').setValue('11010519491231002X')
    await w.find('[data-test="submit-booking"]').trigger('click')
    await flushPromises()
    expect(w.find('[data-test="submit-booking"]').exists()).toBe(false)
    expect(w.find('[data-test="slot-09:00"]').exists()).toBe(true)
    expect(api.calls('GET', '/api/slots')).toHaveLength(2)
    api.restore()
  })

  it('should keep the chosen service and office as a draft', async () => {
    const first = await setup()
    await first.w.find('[data-test="service-licence"]').trigger('click')
    await flushPromises()
    await first.w.find('[data-test="office-滨江警务站"]').trigger('click')
    await flushPromises()
    first.w.unmount()
    first.api.restore()
    await new Promise((r) => setTimeout(r, 350))
    const again = await setup()
    expect(again.w.find('[data-test="chosen-office"]').text()).toContain('滨江警务站')
    expect(again.w.findComponent({ name: 'van-calendar' }).exists()).toBe(true)
    again.api.restore()
  })
})
