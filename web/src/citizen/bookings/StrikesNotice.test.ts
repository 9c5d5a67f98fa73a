import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { testI18n } from '@/i18n/testing'
import type { Strikes } from './api'
import StrikesNotice from './StrikesNotice.vue'
import { bookingMessages } from './test-helpers'

const base: Strikes = { strikes: 0, limit: 3, windowDays: 90, blockDays: 30, blocked: false, blockedUntil: null, activeBookings: 0, maxActive: 3 }
const render = (strikes: Strikes | null) => mount(StrikesNotice, { props: { strikes }, global: { plugins: [testI18n('zh-CN', bookingMessages)] } })

describe('no-show strikes notice', () => {
  it('should say nothing without strikes', () => {
    expect(render(base).find('[data-test="strikes"]').exists()).toBe(false)
    expect(render(null).find('[data-test="strikes"]').exists()).toBe(false)
  })

  it('should show the strikes before the policy bites', () => {
    const w = render({ ...base, strikes: 2 })
    expect(w.text()).toContain('您在 90 天内已失约 2 次，累计 3 次将暂停预约 30 天')
    expect(w.findAll('.tp-strikes__dot--on')).toHaveLength(2)
    expect(w.findAll('.tp-strikes__dot')).toHaveLength(3)
  })

  it('should explain a block and when it ends', () => {
    const w = render({ ...base, blocked: true, blockedUntil: '2026-04-09T06:30:00.000Z' })
    expect(w.text()).toContain('因 90 天内失约 3 次，您的预约功能已暂停至')
    expect(w.text()).toContain('2026年4月9日')
    expect(w.find('[role="status"]').exists()).toBe(true)
  })
})
