import { describe, expect, it } from 'vitest'
import { testI18n } from './testing'

const features = {
  './demo/i18n.ts': {
    default: {
      'zh-CN': { hello: '您好，{name}', linked: '@:demo.hello！', list: '{0} 和 {1}', literal: "{'{'}原样{'}'}", email: "a{'@'}b.cn" },
      en: { items: 'no items | one item | {count} items', hello: 'Hello, {name}', upper: '@.upper:demo.hello' },
    },
  },
}

describe('message compiler (runtime-only vue-i18n)', () => {
  it('interpolates named and list values', () => {
    const { t } = testI18n('zh-CN', features).global
    expect(t('demo.hello', { name: '张三' })).toBe('您好，张三')
    expect(t('demo.list', ['甲', '乙'])).toBe('甲 和 乙')
  })

  it('resolves linked messages and modifiers', () => {
    const zh = testI18n('zh-CN', features).global
    expect(zh.t('demo.linked', { name: '李四' })).toBe('您好，李四！')
    const en = testI18n('en', features).global
    expect(en.t('demo.upper', { name: 'Ann' })).toBe('HELLO, ANN')
  })

  it('keeps literal braces and @ signs', () => {
    const { t } = testI18n('zh-CN', features).global
    expect(t('demo.literal')).toBe('{原样}')
    expect(t('demo.email')).toBe('a@b.cn')
  })

  it('chooses plural forms', () => {
    const { t } = testI18n('en', features).global
    expect(t('demo.items', 0)).toBe('no items')
    expect(t('demo.items', 1)).toBe('one item')
    expect(t('demo.items', { count: 5 }, 5)).toBe('5 items')
  })

  it('renders the shell due texts in both languages', () => {
    const zh = testI18n('zh-CN').global
    expect(zh.t('due.daysLeft', { n: 3 }, 3)).toBe('剩余 3 天')
    const en = testI18n('en').global
    expect(en.t('due.overdue', { n: 1 }, 1)).toBe('1 day overdue')
    expect(en.t('due.overdue', { n: 4 }, 4)).toBe('4 days overdue')
  })

  it('falls back to Chinese for a key missing in English', () => {
    const { t } = testI18n('en', features).global
    expect(t('demo.literal')).toBe('{原样}')
  })
})
