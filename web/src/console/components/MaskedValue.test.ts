import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/client'
import { testI18n } from '@/i18n/testing'
import MaskedValue from './MaskedValue.vue'

const mountValue = (reveal: () => Promise<string>) =>
  mount(MaskedValue, { props: { masked: '138****8000', reveal, label: '手机号' }, global: { plugins: [testI18n('zh-CN')] } })

describe('MaskedValue', () => {
  it('shows the masked value until the audited show action is used', async () => {
    const reveal = vi.fn(async () => '13800138000')
    const w = mountValue(reveal)
    expect(w.find('[data-test="masked-value"]').text()).toBe('138****8000')
    expect(reveal).not.toHaveBeenCalled()
    await w.find('[data-test="masked-show"]').trigger('click')
    await flushPromises()
    expect(reveal).toHaveBeenCalledTimes(1)
    expect(w.find('[data-test="masked-value"]').text()).toBe('13800138000')
    await w.find('[data-test="masked-hide"]').trigger('click')
    expect(w.find('[data-test="masked-value"]').text()).toBe('138****8000')
  })

  it('keeps the value masked and says why when showing is refused', async () => {
    const w = mountValue(async () => {
      throw new ApiError(403, 'forbidden', 'no')
    })
    await w.find('[data-test="masked-show"]').trigger('click')
    await flushPromises()
    expect(w.find('[data-test="masked-value"]').text()).toBe('138****8000')
    expect(w.find('[role="alert"]').text()).toContain('您没有权限进行此操作')
  })
})
