import { afterEach, describe, expect, it } from 'vitest'
import { createAppI18n } from '.'

const shell = { 'zh-CN': { common: { ok: '确定' } }, en: { common: { ok: 'OK' } } }
const features = { './reports/i18n.ts': { default: { 'zh-CN': { title: '路况上报' }, en: { title: 'Road reports' } } } }

describe('createAppI18n', () => {
  afterEach(() => localStorage.clear())

  it('starts with the shown language only and adds another the moment it is chosen', () => {
    const i18n = createAppI18n([shell], features)
    const g = i18n.global
    expect(g.locale.value).toBe('zh-CN')
    expect(g.getLocaleMessage('en')).toEqual({})
    expect(g.t('reports.title')).toBe('路况上报')
    g.locale.value = 'en'
    expect(g.t('reports.title')).toBe('Road reports')
    expect(g.t('common.ok')).toBe('OK')
  })

  it('starts in the saved language, with Chinese behind it as the fallback', () => {
    localStorage.setItem('tp.locale', 'en')
    const g = createAppI18n([{ 'zh-CN': { common: { ok: '确定', cancel: '取消' } }, en: { common: { ok: 'OK' } } }], features).global
    expect(g.t('reports.title')).toBe('Road reports')
    expect(g.t('common.cancel')).toBe('取消')
  })
})
