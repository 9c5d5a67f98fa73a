import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { setMe } from '@/api/session'
import { answer, configFixture, consoleMessages, mockApi } from '@/components/appeals/test-helpers'
import { testI18n } from '@/i18n/testing'
import TypesPage from './TypesPage.vue'
import { typeInto } from './test-helpers'

const statement = {
  key: 'statement',
  label: { 'zh-CN': '陈述申辩 / 申诉', en: 'Statement' },
  appliesTo: ['camera', 'onsite'],
  clock: { days: 15, unit: 'calendar', rollToWorkingDay: true, pausable: true, maxPausedDays: 15, maxExtensionDays: 15 },
  citation: { 'zh-CN': '本地执法实践', en: 'Local practice' },
  forwardSameDay: false,
  customised: false,
  builtIn: true,
  retired: false,
  updatedAt: null,
}

function mountAsAdmin(onWrite: (method: string, path: string, init: any) => unknown) {
  setMe({ kind: 'staff', role: 'admin' } as never)
  const mock = mockApi((method, path, init) => {
    if (method === 'GET' && path === '/api/console/appeals/types') return answer({ items: [statement] })
    // After a change the page refreshes the configuration the labels come from.
    if (method === 'GET' && path === '/api/appeals/config') return answer(configFixture())
    return onWrite(method, path, init)
  })
  const w = mount(TypesPage, {
    global: { plugins: [testI18n('zh-CN', consoleMessages)], stubs: { ElSelect: true, ElOption: true } },
    attachTo: document.body,
  })
  return { w, mock }
}

describe('appeal types page', { timeout: 60_000 }, () => {
  afterEach(() => {
    vi.restoreAllMocks()
    document.body.innerHTML = ''
  })

  it('lets an admin change the period and sends the whole policy with the citation', async () => {
    const { w, mock } = mountAsAdmin((method, path, init) => {
      if (method === 'PUT' && path === '/api/console/appeals/types/{key}') return answer({ ...statement, ...init.body, customised: true })
      throw new Error(`unexpected ${method} ${path}`)
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
    expect(put[0]!.init.body).toEqual({ clock: { ...statement.clock, days: 20 }, citation: statement.citation, label: statement.label })
    expect(mock.calls('GET', '/api/appeals/config')).toHaveLength(1)
  })

  it('adds a type with its key, labels, clock and citation', async () => {
    const { w, mock } = mountAsAdmin((method, path, init) => {
      if (method === 'POST' && path === '/api/console/appeals/types') return answer({ ...statement, ...init.body, builtIn: false }, 201)
      throw new Error(`unexpected ${method} ${path}`)
    })
    await flushPromises()
    await w.find('[data-test="add-type"]').trigger('click')
    await flushPromises()
    await typeInto('type-key', 'onsite_review')
    await typeInto('type-label-zh', '现场处罚复核')
    await typeInto('type-label-en', 'On-site penalty review')
    const citation = document.querySelectorAll<HTMLTextAreaElement>('[data-test="type-form"] textarea')
    for (const [i, text] of ['本市规定：十个工作日内答复', 'City rule: 10 working days'].entries()) {
      citation[i]!.value = text
      citation[i]!.dispatchEvent(new Event('input'))
    }
    await flushPromises()
    document.querySelector<HTMLButtonElement>('[data-test="type-save"]')!.click()
    await flushPromises()
    const post = mock.calls('POST', '/api/console/appeals/types')
    expect(post).toHaveLength(1)
    expect(post[0]!.init.body).toMatchObject({
      key: 'onsite_review',
      label: { 'zh-CN': '现场处罚复核', en: 'On-site penalty review' },
      appliesTo: ['camera', 'onsite'],
      forwardSameDay: false,
      clock: { days: 15, unit: 'calendar' },
      citation: { 'zh-CN': '本市规定：十个工作日内答复', en: 'City rule: 10 working days' },
    })
  })

  it('retires a type with its current policy', async () => {
    const { w, mock } = mountAsAdmin((method, path, init) => {
      if (method === 'PUT' && path === '/api/console/appeals/types/{key}') return answer({ ...statement, retired: init.body.retired })
      throw new Error(`unexpected ${method} ${path}`)
    })
    await flushPromises()
    await w.find('[data-test="retire-type-statement"]').trigger('click')
    await flushPromises()
    const put = mock.calls('PUT', '/api/console/appeals/types/{key}')
    expect(put[0]!.init.body).toEqual({ clock: statement.clock, citation: statement.citation, retired: true })
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
