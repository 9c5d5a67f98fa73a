import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { testI18n } from '@/i18n/testing'
import { answer, failure, identityMessages, mockApi } from './test-helpers'
import VehiclesPage from './VehiclesPage.vue'

const confirm = vi.hoisted(() => vi.fn())
vi.mock('vant/es/dialog', async (original) => ({ ...(await original<typeof import('vant/es/dialog')>()), showConfirmDialog: confirm }))

const existing = { id: 'v1', plate: '川A12345', vinLast6: 'A12345', createdAt: '2026-03-01T00:00:00Z' }

async function setup(items = [existing]) {
  const api = mockApi((method, path, init) => {
    if (method === 'GET' && path === '/api/me/vehicles') return answer({ items })
    if (method === 'POST' && path === '/api/me/vehicles') {
      const body = (init as { body: { plate: string; vinLast6: string } }).body
      if (body.plate === '川A12345') return failure(409, { code: 'vehicle_exists', message: 'exists' })
      return answer({ id: 'v2', ...body, createdAt: '2026-03-02T00:00:00Z' }, 201)
    }
    if (method === 'DELETE') return answer({ ok: true })
    throw new Error(`unexpected ${method} ${path}`)
  })
  const w = mount(VehiclesPage, { global: { plugins: [testI18n('zh-CN', identityMessages)] }, attachTo: document.body })
  await flushPromises()
  return { w, api }
}

describe('my vehicles', () => {
  afterEach(() => {
    document.body.innerHTML = ''
    confirm.mockReset()
  })

  it('lists my vehicles with the VIN tail', async () => {
    const { w, api } = await setup()
    expect(w.findAll('[data-test="vehicle"]')).toHaveLength(1)
    expect(w.text()).toContain('川A12345')
    expect(w.text()).toContain('车架号后六位 A12345')
    api.restore()
  })

  it('shows a friendly empty state', async () => {
    const { w, api } = await setup([])
    expect(w.find('[data-test="empty"]').text()).toContain('还没有添加车辆')
    api.restore()
  })

  it('explains a bad plate and VIN inline and does not call the server', async () => {
    const { w, api } = await setup([])
    await w.find('[data-test="open-add"]').trigger('click')
    await flushPromises()
    const form = document.body.querySelector('form.tp-vehicles__form') as HTMLFormElement
    const plate = form.querySelector('input[name="plate"]') as HTMLInputElement
    const vin = form.querySelector('input[name="vin"]') as HTMLInputElement
    plate.value = '川I12345'
    plate.dispatchEvent(new Event('input'))
    vin.value = 'AB1'
    vin.dispatchEvent(new Event('input'))
    form.dispatchEvent(new Event('submit'))
    await flushPromises()
    expect(document.body.textContent).toContain('号牌号码格式不正确')
    expect(document.body.textContent).toContain('请输入车架号最后 6 位')
    expect(api.calls('POST', '/api/me/vehicles')).toHaveLength(0)
    api.restore()
  })

  it('adds a vehicle with the plate and VIN normalised', async () => {
    const { w, api } = await setup([])
    await w.find('[data-test="open-add"]').trigger('click')
    await flushPromises()
    const form = document.body.querySelector('form.tp-vehicles__form') as HTMLFormElement
    const plate = form.querySelector('input[name="plate"]') as HTMLInputElement
    const vin = form.querySelector('input[name="vin"]') as HTMLInputElement
    plate.value = '渝ad12345'
    plate.dispatchEvent(new Event('input'))
    vin.value = 'b67890'
    vin.dispatchEvent(new Event('input'))
    form.dispatchEvent(new Event('submit'))
    await flushPromises()
    const [call] = api.calls('POST', '/api/me/vehicles')
    expect((call?.init as { body?: unknown } | undefined)?.body).toEqual({ plate: '渝AD12345', vinLast6: 'B67890' })
    expect(w.findAll('[data-test="vehicle"]')).toHaveLength(1)
    expect(w.text()).toContain('新能源')
    api.restore()
  })

  it('says so when the vehicle is already in the list', async () => {
    const { w, api } = await setup([])
    await w.find('[data-test="open-add"]').trigger('click')
    await flushPromises()
    const form = document.body.querySelector('form.tp-vehicles__form') as HTMLFormElement
    const plate = form.querySelector('input[name="plate"]') as HTMLInputElement
    const vin = form.querySelector('input[name="vin"]') as HTMLInputElement
    plate.value = '川A12345'
    plate.dispatchEvent(new Event('input'))
    vin.value = 'A12345'
    vin.dispatchEvent(new Event('input'))
    form.dispatchEvent(new Event('submit'))
    await flushPromises()
    expect(document.body.textContent).toContain('这辆车已在您的列表中')
    api.restore()
  })

  it('asks before deleting, and does nothing when cancelled', async () => {
    const { w, api } = await setup()
    confirm.mockRejectedValueOnce(new Error('cancel'))
    await w.find('[data-test="remove"]').trigger('click')
    await flushPromises()
    expect(confirm).toHaveBeenCalledWith(expect.objectContaining({ message: '确定删除车辆 川A12345 吗？' }))
    expect(api.calls('DELETE', '/api/me/vehicles/{id}')).toHaveLength(0)
    confirm.mockResolvedValueOnce('confirm')
    await w.find('[data-test="remove"]').trigger('click')
    await flushPromises()
    expect(api.calls('DELETE', '/api/me/vehicles/{id}')).toHaveLength(1)
    expect(w.findAll('[data-test="vehicle"]')).toHaveLength(0)
    api.restore()
  })
})
