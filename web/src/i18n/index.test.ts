import { afterEach, describe, expect, it } from 'vitest'
import type { Composer } from 'vue-i18n'
import { createAppI18n } from '.'

const shell = { 'zh-CN': { common: { ok: '确定' } }, en: { common: { ok: 'OK' } } }
const features = { './reports/i18n.ts': { default: { 'zh-CN': { title: '路况上报' }, en: { title: 'Road reports' } } } }

describe('createAppI18n', () => {
  afterEach(() => localStorage.clear())

  it('starts with the shown language only and adds another the moment it is chosen', () => {
    // A plain Composer type keeps the test clear of the deep message-schema generics (as testing.ts does).
    const g = createAppI18n([shell], features).global as unknown as Composer
    expect(g.locale.value).toBe('zh-CN')
    expect(g.getLocaleMessage('en')).toEqual({})
    expect(g.t('reports.title')).toBe('路况上报')
    g.locale.value = 'en'
    expect(g.t('reports.title')).toBe('Road reports')
    expect(g.t('common.ok')).toBe('OK')
  })

  it('starts in the saved language, with Chinese behind it as the fallback', () => {
    localStorage.setItem('tp.locale', 'en')
    const g = createAppI18n([{ 'zh-CN': { common: { ok: '确定', cancel: '取消' } }, en: { common: { ok: 'OK' } } }], features).global as unknown as Composer
    expect(g.t('reports.title')).toBe('Road reports')
    expect(g.t('common.cancel')).toBe('取消')
  })
})
