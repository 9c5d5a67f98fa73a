import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { setMe } from '@/api/session'
import { answer, configFixture, consoleMessages, mockApi } from '@/components/appeals/test-helpers'
import { testI18n } from '@/i18n/testing'
import OptionsPage from './OptionsPage.vue'
import { typeInto } from './test-helpers'

const lists = () => {
  const c = configFixture({
    grounds: [{ key: 'towed_before', label: { 'zh-CN': '车辆此前已被拖移', en: 'Vehicle had been towed' }, retired: true, position: 6 }],
  })
  return { grounds: c.grounds, refuseReasons: c.refuseReasons, legalBases: c.legalBases, templates: c.templates }
}

function mountAs(role: 'admin' | 'legal_officer', onWrite: (method: string, path: string, init: any) => unknown = () => undefined) {
  setMe({ kind: 'staff', role } as never)
  const mock = mockApi((method, path, init) => {
    if (method === 'GET' && path === '/api/console/appeals/options') return answer(lists())
    if (method === 'GET' && path === '/api/appeals/config') return answer(configFixture())
    const res = onWrite(method, path, init)
    if (res === undefined) throw new Error(`unexpected ${method} ${path}`)
    return res
  })
  const w = mount(OptionsPage, { global: { plugins: [testI18n('zh-CN', consoleMessages)] }, attachTo: document.body })
  return { w, mock }
}

describe('appeal option lists page', { timeout: 60_000 }, () => {
  afterEach(() => {
    vi.restoreAllMocks()
    document.body.innerHTML = ''
  })

  it('lists the grounds with retired ones marked, and adds one for an admin', async () => {
    const { w, mock } = mountAs('admin', (method, path, init) =>
      method === 'POST' && path === '/api/console/appeals/options/{list}' ? answer({ ...init.body, retired: false, position: 7 }, 201) : undefined,
    )
    await flushPromises()
    expect(w.find('[data-test="option-cloned_plate"]').text()).toBe('被套牌')
    expect(w.find('[data-test="option-towed_before"]').element.parentElement!.textContent).toContain('已停用')
    expect(w.find('[data-test="restore-towed_before"]').exists()).toBe(true)
    await w.find('[data-test="add-option"]').trigger('click')
    await flushPromises()
    await typeInto('option-key', 'wrong_lane_sign')
    await typeInto('option-label-zh', '车道指示标志错误')
    await typeInto('option-label-en', 'Wrong lane sign')
    document.querySelector<HTMLButtonElement>('[data-test="option-save"]')!.click()
    await flushPromises()
    const post = mock.calls('POST', '/api/console/appeals/options/{list}')
    expect(post).toHaveLength(1)
    expect(post[0]!.init.params.path.list).toBe('grounds')
    expect(post[0]!.init.body).toEqual({ key: 'wrong_lane_sign', label: { 'zh-CN': '车道指示标志错误', en: 'Wrong lane sign' } })
    // The labels every page reads are refreshed.
    expect(mock.calls('GET', '/api/appeals/config')).toHaveLength(1)
  })

  it('retires an entry with its labels and moves one down by sending the whole new order', async () => {
    const { w, mock } = mountAs('admin', (method, path, init) => {
      if (method === 'PUT' && path === '/api/console/appeals/options/{list}/{key}') return answer({ ...init.body, key: 'cloned_plate', position: 1 })
      if (method === 'POST' && path === '/api/console/appeals/options/{list}/order') return answer({ items: [] })
      return undefined
    })
    await flushPromises()
    await w.find('[data-test="retire-cloned_plate"]').trigger('click')
    await flushPromises()
    const put = mock.calls('PUT', '/api/console/appeals/options/{list}/{key}')
    expect(put[0]!.init.params.path).toEqual({ list: 'grounds', key: 'cloned_plate' })
    expect(put[0]!.init.body).toEqual({ label: { 'zh-CN': '被套牌', en: 'Cloned plate (套牌)' }, retired: true })

    await w.find('[data-test="down-camera_misread"]').trigger('click')
    await flushPromises()
    const keys = mock.calls('POST', '/api/console/appeals/options/{list}/order')[0]!.init.body.keys as string[]
    expect(keys.slice(0, 2)).toEqual(['cloned_plate', 'camera_misread'])
    expect(keys).toHaveLength(lists().grounds.length)
  })

  it('adds a reply template with its outcome and text', async () => {
    const { w, mock } = mountAs('admin', (method, path, init) =>
      method === 'POST' && path === '/api/console/appeals/options/{list}' ? answer({ ...init.body, retired: false, position: 4 }, 201) : undefined,
    )
    await flushPromises()
    const tabs = w.findComponent({ name: 'ElTabs' })
    tabs.vm.$emit('update:modelValue', 'templates')
    await flushPromises()
    expect(w.find('[data-test="option-revoked_camera"]').exists()).toBe(true)
    await w.find('[data-test="add-option"]').trigger('click')
    await flushPromises()
    await typeInto('option-key', 'upheld_short')
    await typeInto('option-label-zh', '维持：简式')
    await typeInto('option-label-en', 'Upheld: short')
    await typeInto('option-text', '经复核，维持原处罚决定（编号 {decisionNo}）。')
    document.querySelector<HTMLButtonElement>('[data-test="option-save"]')!.click()
    await flushPromises()
    const post = mock.calls('POST', '/api/console/appeals/options/{list}')[0]!
    expect(post.init.params.path.list).toBe('templates')
    expect(post.init.body).toMatchObject({ key: 'upheld_short', outcome: 'upheld', text: '经复核，维持原处罚决定（编号 {decisionNo}）。' })
  })

  it('is read-only for other roles', async () => {
    const { w } = mountAs('legal_officer')
    await flushPromises()
    expect(w.find('[data-test="option-cloned_plate"]').exists()).toBe(true)
    expect(w.find('[data-test="add-option"]').exists()).toBe(false)
    expect(w.find('[data-test="retire-cloned_plate"]').exists()).toBe(false)
    expect(w.text()).toContain('仅系统管理员可修改')
  })
})
