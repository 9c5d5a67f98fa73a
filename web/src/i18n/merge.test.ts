import { describe, expect, it, vi } from 'vitest'
import { featureNameOf, mergeMessages } from './merge'

const shell = { 'zh-CN': { common: { ok: '确定' } }, en: { common: { ok: 'OK' } } }

describe('mergeMessages', () => {
  it('places each feature under its folder name', () => {
    const out = mergeMessages([shell], {
      './reports/i18n.ts': { default: { 'zh-CN': { title: '路况上报' }, en: { title: 'Road reports' } } },
      './appeals/i18n.ts': { default: { 'zh-CN': { notify: { replied: '您的申诉 {number} 已答复' } }, en: {} } },
    })
    expect(out['zh-CN'].reports).toEqual({ title: '路况上报' })
    expect(out.en.reports).toEqual({ title: 'Road reports' })
    expect(out['zh-CN'].appeals).toEqual({ notify: { replied: '您的申诉 {number} 已答复' } })
    expect(out['zh-CN'].common).toEqual({ ok: '确定' })
  })

  it('accepts glob paths from any depth', () => {
    expect(featureNameOf('/src/citizen/bookings/i18n.ts')).toBe('bookings')
    expect(featureNameOf('./ratings/i18n.ts')).toBe('ratings')
  })

  it('merges shell message sets in order, later ones adding keys', () => {
    const out = mergeMessages([shell, { 'zh-CN': { common: { cancel: '取消' } }, en: { common: { cancel: 'Cancel' } } }], {})
    expect(out['zh-CN'].common).toEqual({ ok: '确定', cancel: '取消' })
  })

  it('reports a feature that clashes with a shell namespace and keeps the shell strings', () => {
    const onConflict = vi.fn()
    const out = mergeMessages([shell], { './common/i18n.ts': { default: { 'zh-CN': { extra: '附加' } } } }, onConflict)
    expect(onConflict).toHaveBeenCalledWith('common')
    expect(out['zh-CN'].common).toEqual({ ok: '确定', extra: '附加' })
  })

  it('merges only the languages asked for', () => {
    const out = mergeMessages([shell], { './reports/i18n.ts': { default: { 'zh-CN': { title: '路况上报' }, en: { title: 'Road reports' } } } }, undefined, [
      'zh-CN',
    ])
    expect(out['zh-CN']).toEqual({ common: { ok: '确定' }, reports: { title: '路况上报' } })
    expect(out.en).toEqual({})
  })

  it('does not share objects between the result and the inputs', () => {
    const feature = { 'zh-CN': { nested: { a: '甲' } } }
    const out = mergeMessages([], { './x/i18n.ts': { default: feature } })
    ;(out['zh-CN'].x as { nested: { a: string } }).nested.a = 'changed'
    expect(feature['zh-CN'].nested.a).toBe('甲')
  })
})
