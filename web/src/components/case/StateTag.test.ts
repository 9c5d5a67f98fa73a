import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { testI18n } from '@/i18n/testing'
import StateTag from './StateTag.vue'

const features = { './appeals/i18n.ts': { default: { 'zh-CN': { state: { under_review: '审查中' } }, en: { state: { under_review: 'Under review' } } } } }
const mountTag = (props: { stateType: 'open' | 'closed' | 'fixed'; state?: string; namespace?: string; due?: 'ok' | 'soon' | 'overdue' }) =>
  mount(StateTag, { props, global: { plugins: [testI18n('zh-CN', features)] } })

describe('StateTag', () => {
  it("uses the feature's state name", () => {
    const w = mountTag({ state: 'under_review', stateType: 'open', namespace: 'appeals' })
    expect(w.text()).toBe('审查中')
    expect(w.classes()).toContain('tp-state--open')
  })

  it('falls back to the state type label', () => {
    expect(mountTag({ state: 'unknown_state', stateType: 'open', namespace: 'appeals' }).text()).toBe('办理中')
    expect(mountTag({ stateType: 'fixed' }).text()).toBe('已办结')
    expect(mountTag({ stateType: 'closed' }).text()).toBe('已关闭')
  })

  it('colours by type and by deadline', () => {
    expect(mountTag({ stateType: 'fixed' }).classes()).toContain('tp-state--done')
    expect(mountTag({ stateType: 'closed' }).classes()).toContain('tp-state--closed')
    expect(mountTag({ stateType: 'open', due: 'soon' }).classes()).toContain('tp-state--due-soon')
    expect(mountTag({ stateType: 'open', due: 'overdue' }).classes()).toContain('tp-state--overdue')
  })

  it('never marks a finished case as overdue', () => {
    expect(mountTag({ stateType: 'fixed', due: 'overdue' }).classes()).toContain('tp-state--done')
  })
})
