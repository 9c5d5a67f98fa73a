import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { testI18n } from '@/i18n/testing'
import DueTag from './DueTag.vue'

const now = new Date('2026-03-10T02:00:00Z')
const mountTag = (props: { dueAt: string | null; done?: boolean }, locale: 'zh-CN' | 'en' = 'zh-CN') =>
  mount(DueTag, { props: { now, ...props }, global: { plugins: [testI18n(locale)] } })

describe('DueTag', () => {
  it('shows the days left in blue when the deadline is far', () => {
    const w = mountTag({ dueAt: '2026-03-20T15:59:59Z' })
    expect(w.text()).toBe('剩余 10 天')
    expect(w.classes()).toContain('tp-due--ok')
    expect(w.attributes('title')).toBe('2026-03-20 前办结')
  })

  it('is amber when due soon', () => {
    const w = mountTag({ dueAt: '2026-03-12T15:59:59Z' })
    expect(w.text()).toBe('剩余 2 天')
    expect(w.classes()).toContain('tp-due--soon')
  })

  it('says 今日到期 on the last day', () => {
    expect(mountTag({ dueAt: '2026-03-10T15:59:59Z' }).text()).toBe('今日到期')
  })

  it('is red with the days overdue', () => {
    const w = mountTag({ dueAt: '2026-03-08T15:59:59Z' })
    expect(w.text()).toBe('已超期 2 天')
    expect(w.classes()).toContain('tp-due--overdue')
  })

  it('speaks English with plurals', () => {
    expect(mountTag({ dueAt: '2026-03-09T15:59:59Z' }, 'en').text()).toBe('1 day overdue')
    expect(mountTag({ dueAt: '2026-03-20T15:59:59Z' }, 'en').text()).toBe('10 days left')
  })

  it('shows nothing for a finished case or without a deadline', () => {
    expect(mountTag({ dueAt: '2026-03-08T15:59:59Z', done: true }).find('.tp-due').exists()).toBe(false)
    expect(mountTag({ dueAt: null }).find('.tp-due').exists()).toBe(false)
  })
})
