import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { testI18n } from '@/i18n/testing'
import CitizensPage from './CitizensPage.vue'
import { answer, failure, identityMessages, mockApi } from './test-helpers'

const masked = {
  id: 'c1',
  phoneMasked: '138****8000',
  nameMasked: '张*',
  idNumberMasked: '1101**********002X',
  vehicleCount: 1,
  deleted: false,
  createdAt: '2026-01-01T00:00:00Z',
}
const full = {
  id: 'c1',
  phone: '13800138000',
  name: '张三',
  idNumber: '11010519491231002X',
  vehicles: [{ id: 'v', plate: '川A12345', vinLast6: 'A12345', createdAt: '' }],
  deleted: false,
  createdAt: '',
}

function setup() {
  const api = mockApi((method, path, init) => {
    if (path === '/api/console/citizens') {
      const q = (init as { params: { query: { q: string } } }).params.query.q
      return q === 'zhang' ? failure(400, { code: 'bad_request', message: 'x' }) : answer({ items: [masked] })
    }
    if (path === '/api/console/citizens/{id}') return answer(full)
    throw new Error(`unexpected ${method} ${path}`)
  })
  const w = mount(CitizensPage, { global: { plugins: [testI18n('zh-CN', identityMessages)] }, attachTo: document.body })
  return { w, api }
}

describe('citizen look-up', () => {
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('lists matches masked, and shows the full record only on the audited show action', async () => {
    const { w, api } = setup()
    await w.find('input[data-test="citizen-query"]').setValue('13800138000')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(w.text()).toContain('138****8000')
    expect(w.text()).toContain('张*')
    expect(document.body.textContent).not.toContain('13800138000')
    expect(api.calls('GET', '/api/console/citizens/{id}')).toHaveLength(0)
    await w.find('[data-test="citizen-show"]').trigger('click')
    await flushPromises()
    expect(api.calls('GET', '/api/console/citizens/{id}')).toHaveLength(1)
    expect(document.body.textContent).toContain('13800138000')
    expect(document.body.textContent).toContain('本次查看已记入审计日志')
    api.restore()
  })

  it('asks for a full number when the query is not one', async () => {
    const { w, api } = setup()
    await w.find('input[data-test="citizen-query"]').setValue('zhang')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(w.text()).toContain('请输入完整的手机号或号牌号码')
    api.restore()
  })
})
