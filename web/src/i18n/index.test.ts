import { afterEach, describe, expect, it, vi } from 'vitest'
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

  it('merges features loaded later into the languages shown so far and into one chosen after', async () => {
    const i18n = createAppI18n([shell], async () => features)
    const g = i18n.global as unknown as Composer
    expect(g.te('reports.title')).toBe(false)
    await i18n.loadFeatureMessages()
    expect(g.t('reports.title')).toBe('路况上报')
    expect(g.t('common.ok')).toBe('确定')
    g.locale.value = 'en'
    expect(g.t('reports.title')).toBe('Road reports')
  })

  it('loads the features once, and again after a failed download', async () => {
    const load = vi.fn<() => Promise<Record<string, unknown>>>().mockRejectedValueOnce(new Error('offline')).mockResolvedValue(features)
    const i18n = createAppI18n([shell], load)
    await expect(i18n.loadFeatureMessages()).rejects.toThrow('offline')
    await Promise.all([i18n.loadFeatureMessages(), i18n.loadFeatureMessages()])
    expect(load).toHaveBeenCalledTimes(2)
    expect((i18n.global as unknown as Composer).t('reports.title')).toBe('路况上报')
  })

  it('starts in the saved language, with Chinese behind it as the fallback', () => {
    localStorage.setItem('tp.locale', 'en')
    const g = createAppI18n([{ 'zh-CN': { common: { ok: '确定', cancel: '取消' } }, en: { common: { ok: 'OK' } } }], features).global as unknown as Composer
    expect(g.t('reports.title')).toBe('Road reports')
    expect(g.t('common.cancel')).toBe('取消')
  })
})
