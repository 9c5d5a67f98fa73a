import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { testI18n } from '@/i18n/testing'
import ReplyLetter from './ReplyLetter.vue'
import { citizenMessages, letter } from './test-helpers'

const render = (l: typeof letter, locale: 'zh-CN' | 'en' = 'zh-CN') =>
  mount(ReplyLetter, { props: { letter: l as never }, global: { plugins: [testI18n(locale, citizenMessages)] } })

describe('the reply letter', () => {
  it('states the case, the decision, the basis and the remedies (60 days, 6 months)', () => {
    const text = render(letter).text()
    expect(text).toContain('答复告知书')
    expect(text).toContain('张三：')
    expect(text).toContain('SS20260302000123')
    expect(text).toContain('撤销原处罚决定')
    expect(text).toContain('《中华人民共和国行政处罚法》第四十条')
    expect(text).toContain('60 日内依法向本级人民政府申请行政复议')
    expect(text).toContain('6 个月内依法向有管辖权的人民法院提起行政诉讼')
    expect(text).toContain('城区一大队')
  })

  it('gives a correction’s new fine and points', () => {
    const text = render({ ...letter, outcome: 'corrected' as never, correctedFineYuan: 50 as never, correctedPoints: null }).text()
    expect(text).toContain('变更后：罚款 50 元，记 6 分')
  })

  it('becomes a notice of non-acceptance with the reason', () => {
    const text = render({
      ...letter,
      kind: 'refusal' as never,
      outcome: null as never,
      findings: null as never,
      refusalReason: 'out_of_time' as never,
      replyText: '已超过申诉期限。',
    }).text()
    expect(text).toContain('不予受理告知书')
    expect(text).toContain('超过申诉期限')
    expect(text).not.toContain('撤销原处罚决定')
    expect(text).toContain('行政复议')
  })

  it('switches to English', () => {
    expect(render(letter, 'en').text()).toContain('administrative reconsideration')
  })
})
