import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { setMe } from '@/api/session'
import { answer, consoleMessages, mockApi } from '@/components/appeals/test-helpers'
import { testI18n } from '@/i18n/testing'
import TypesPage from './TypesPage.vue'

const statement = {
  key: 'statement',
  label: { 'zh-CN': '陈述申辩 / 申诉', en: 'Statement' },
  appliesTo: ['camera', 'onsite'],
  clock: { days: 15, unit: 'calendar', rollToWorkingDay: true, pausable: true, maxPausedDays: 15, maxExtensionDays: 15 },
  citation: { 'zh-CN': '本地执法实践', en: 'Local practice' },
  forwardSameDay: false,
  customised: false,
  updatedAt: null,
}

describe('appeal types page', { timeout: 60_000 }, () => {
  afterEach(() => {
    vi.restoreAllMocks()
    document.body.innerHTML = ''
  })

  it('lets an admin change the period and sends the whole policy with the citation', async () => {
    setMe({ kind: 'staff', role: 'admin' } as never)
    const mock = mockApi((method, path, init) => {
      if (method === 'GET' && path === '/api/console/appeals/types') return answer({ items: [statement] })
      if (method === 'PUT' && path === '/api/console/appeals/types/{key}') return answer({ ...statement, ...init.body, customised: true })
      throw new Error(`unexpected ${method} ${path}`)
    })
    const w = mount(TypesPage, {
      global: { plugins: [testI18n('zh-CN', consoleMessages)], stubs: { ElSelect: true, ElOption: true } },
      attachTo: document.body,
    })
    await flushPromises()
    expect(w.find('[data-test="type-period"]').text()).toBe('15 自然日')
    await w.find('[data-test="edit-type-statement"]').trigger('click')
    await flushPromises()
    const days = document.querySelector<HTMLInputElement>('[data-test="type-days"] input')!
    days.value = '20'
    days.dispatchEvent(new Event('input'))
    days.dispatchEvent(new Event('change'))
    await flushPromises()
    document.querySelector<HTMLButtonElement>('[data-test="type-save"]')!.click()
    await flushPromises()
    const put = mock.calls('PUT', '/api/console/appeals/types/{key}')
    expect(put).toHaveLength(1)
    expect(put[0]!.init.params.path.key).toBe('statement')
    expect(put[0]!.init.body).toEqual({ clock: { ...statement.clock, days: 20 }, citation: statement.citation })
  })

  it('is read-only for other roles', async () => {
    setMe({ kind: 'staff', role: 'legal_officer' } as never)
    mockApi(() => answer({ items: [statement] }))
    const w = mount(TypesPage, { global: { plugins: [testI18n('zh-CN', consoleMessages)] } })
    await flushPromises()
    expect(w.find('[data-test="edit-type-statement"]').exists()).toBe(false)
    expect(w.text()).toContain('仅系统管理员可修改')
  })
})
