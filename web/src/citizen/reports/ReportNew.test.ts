import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { testI18n } from '@/i18n/testing'
import ReportNew from './ReportNew.vue'
import { answer, kinds, mockApi, reportsMessages } from './test-helpers'

const confirm = vi.hoisted(() => vi.fn(() => Promise.resolve()))
vi.mock('vant/es/dialog', async (original) => ({ ...(await original<typeof import('vant/es/dialog')>()), showConfirmDialog: confirm }))

const nearbyReport = {
  id: 'n1',
  number: 'R26030100001',
  kind: 'zombie_car',
  state: 'accepted',
  stateType: 'open',
  lat: 30.682,
  lng: 104.091,
  address: '建设北路',
  distanceM: 60,
  meTooCount: 2,
  samePlate: true,
  createdAt: '2026-03-01T00:00:00Z',
}

async function setup(kind = 'zombie_car', draft?: Record<string, unknown>) {
  localStorage.clear()
  if (draft) localStorage.setItem(`tp.draft.reports.new.${kind}`, JSON.stringify({ savedAt: Date.now(), data: draft }))
  const api = mockApi((method, path) => {
    if (method === 'GET' && path === '/api/reports/kinds') return answer({ items: kinds })
    if (method === 'GET' && path === '/api/reports/nearby') return answer({ items: [nearbyReport] })
    if (method === 'GET' && path === '/api/reports/places') return answer({ items: [] })
    if (method === 'POST' && path === '/api/reports/{id}/me-too') return answer({ meTooCount: 3, meToo: true })
    if (method === 'POST' && path === '/api/reports') return answer({ id: 'r1', state: 'submitted', mergedInto: null }, 201)
    throw new Error(`unexpected ${method} ${path}`)
  })
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/reports/new', component: ReportNew },
      { path: '/reports/:id', component: { template: '<div>detail</div>' } },
    ],
  })
  await router.push(`/reports/new?kind=${kind}`)
  await router.isReady()
  const w = mount(ReportNew, { global: { plugins: [testI18n('zh-CN', reportsMessages), router] }, attachTo: document.body })
  await flushPromises()
  return { w, api, router }
}

describe('new report form', () => {
  afterEach(() => {
    document.body.innerHTML = ''
    confirm.mockClear()
    vi.useRealTimers()
  })

  it('asks a zombie car for its plate and the kind’s own field, and not a congestion report', async () => {
    const { w, api } = await setup('zombie_car')
    expect(w.find('[data-test="plate"]').exists()).toBe(true)
    expect(w.text()).toContain('已停放时长')
    expect(w.text()).toContain('30 天以上')
    api.restore()
    const c = await setup('congestion')
    expect(c.w.find('[data-test="plate"]').exists()).toBe(false)
    expect(c.w.text()).toContain('拥堵程度')
    c.api.restore()
  })

  it('names the photo file input after its field, for screen readers', async () => {
    const { w, api } = await setup('congestion')
    expect(w.find('[data-test="uploader"] input[type="file"]').attributes('aria-label')).toBe('现场照片')
    api.restore()
  })

  it('explains every missing or invalid field inline and does not submit', async () => {
    const { w, api } = await setup('zombie_car')
    await w.find('[data-test="plate"] input').setValue('川AO1234')
    await w.find('[data-test="submit"]').trigger('click')
    await flushPromises()
    const text = w.text()
    expect(text).toContain('请选择位置')
    expect(text).toContain('号牌格式不正确')
    expect(text).toContain('请至少填写 5 个字')
    expect(text).toContain('请至少上传 1 张照片')
    expect(api.calls('POST', '/api/reports')).toHaveLength(0)
    api.restore()
  })

  it('restores a draft, shows open reports of the same plate nearby and adds me too', async () => {
    const { w, api } = await setup('zombie_car', {
      key: 'report-draft-1',
      location: { lat: 30.6819, lng: 104.0912, source: 'gps' },
      address: '建设北路',
      roadName: '',
      plate: '川A12345',
      description: '车辆长期停放',
      attributes: {},
      photos: [],
    })
    await new Promise((r) => setTimeout(r, 450))
    await flushPromises()
    expect(w.text()).toContain('已恢复上次未提交的内容')
    expect((w.find('[data-test="address"] input').element as HTMLInputElement).value).toBe('建设北路')
    const nearbyCall = api.calls('GET', '/api/reports/nearby')[0]
    expect((nearbyCall!.init as { params: { query: Record<string, unknown> } }).params.query).toMatchObject({ kind: 'zombie_car', plate: '川A12345' })
    expect(w.find('[data-test="nearby"]').text()).toContain('R26030100001')
    await w.find('[data-test="me-too"]').trigger('click')
    await flushPromises()
    expect(api.calls('POST', '/api/reports/{id}/me-too')).toHaveLength(1)
    expect(w.find('[data-test="me-too"]').text()).toContain('已加入')
    api.restore()
  })

  it('submits a complete report with the draft’s idempotency key, confirming first', async () => {
    const { w, api, router } = await setup('congestion', {
      key: 'report-draft-2',
      location: { lat: 30.67, lng: 104.06, source: 'place' },
      address: '春熙路',
      roadName: '春熙路',
      plate: '',
      description: '路口车辆排队很长',
      attributes: { severity: 'jammed' },
      photos: [],
    })
    await w.find('[data-test="submit"]').trigger('click')
    await flushPromises()
    expect(confirm).toHaveBeenCalledTimes(1)
    const call = api.calls('POST', '/api/reports')[0]
    const init = call?.init as { body: Record<string, unknown>; headers: Record<string, string> }
    expect(init.headers['idempotency-key']).toBe('report-draft-2')
    expect(init.body).toMatchObject({ kind: 'congestion', locationSource: 'place', roadName: '春熙路', attributes: { severity: 'jammed' }, photoIds: [] })
    expect(router.currentRoute.value.path).toBe('/reports/r1')
    expect(localStorage.getItem('tp.draft.reports.new.congestion')).toBeNull()
    api.restore()
  })
})
