import { describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/client'
import { appealConfig, loadAppealConfig } from './config'
import { appealErrorKey, basisLabel, evidenceFits, existingAppealLink, formatDate, groundsLabel, typeLabel } from './format'
import { answer, mockApi } from './test-helpers'

const label = (zh: string, en: string) => ({ 'zh-CN': zh, en })
const config = {
  types: [{ key: 'camera_objection', label: label('对交通技术监控设备记录的违法行为有异议', 'Camera objection'), retired: false }],
  grounds: [
    { key: 'cloned_plate', label: label('被套牌', 'Cloned plate (套牌)'), retired: false, position: 0 },
    { key: 'towed_before', label: label('车辆此前已被拖移', 'Vehicle had been towed'), retired: true, position: 1 },
  ],
  refuseReasons: [],
  legalBases: [{ key: 'local_rule_7', label: label('本市道路交通管理规定第七条', 'City traffic rules, art. 7'), retired: false, position: 0 }],
  templates: [],
}

describe('appeal formatting', () => {
  it('shows China dates for instants and calendar dates alike', () => {
    expect(formatDate('2026-03-17', 'zh-CN')).toBe('2026年3月17日')
    // 23:30 UTC on the 16th is already the 17th in China.
    expect(formatDate('2026-03-16T23:30:00Z', 'zh-CN')).toBe('2026年3月17日')
  })

  it('labels configured options in the reader’s language from the server’s configuration, falling back to the key', async () => {
    const mock = mockApi((method, path) => {
      if (method === 'GET' && path === '/api/appeals/config') return answer(config)
      throw new Error(`unexpected ${method} ${path}`)
    })
    // Before the configuration arrives a label is its key; asking for one starts loading it, once.
    expect(groundsLabel('cloned_plate', 'zh-CN')).toBe('cloned_plate')
    await loadAppealConfig()
    expect(mock.calls('GET', '/api/appeals/config')).toHaveLength(1)
    expect(appealConfig.value?.grounds).toHaveLength(2)
    expect(groundsLabel('cloned_plate', 'zh-CN')).toBe('被套牌')
    // A retired ground still labels the cases filed with it; an admin-added legal basis has its label.
    expect(groundsLabel('towed_before', 'en')).toBe('Vehicle had been towed')
    expect(basisLabel('local_rule_7', 'zh-CN')).toBe('本市道路交通管理规定第七条')
    mock.restore()
    vi.restoreAllMocks()
    expect(groundsLabel('cloned_plate', 'en')).toContain('Cloned plate')
    expect(groundsLabel('made_up', 'zh-CN')).toBe('made_up')
    expect(typeLabel('camera_objection', 'zh-CN')).toContain('交通技术监控设备')
  })

  it('checks the evidence against 9 files and 20 MB in all', () => {
    const mb = 1024 * 1024
    expect(evidenceFits([{ size: 5 * mb }, { size: 5 * mb }], 20 * mb, 9)).toEqual({ ok: true, total: 10 * mb })
    expect(evidenceFits([{ size: 15 * mb }, { size: 6 * mb }], 20 * mb, 9)).toMatchObject({ ok: false, reason: 'size' })
    expect(
      evidenceFits(
        Array.from({ length: 10 }, () => ({ size: 1 })),
        20 * mb,
        9,
      ),
    ).toMatchObject({ ok: false, reason: 'count' })
  })

  it('prefers the appeal’s own error messages, then the shell’s', () => {
    const te = (k: string) => ['appeals.errors.appeal_exists', 'errors.forbidden', 'errors.generic'].includes(k)
    expect(appealErrorKey(new ApiError(409, 'appeal_exists', 'x'), te)).toBe('appeals.errors.appeal_exists')
    expect(appealErrorKey(new ApiError(403, 'forbidden', 'x'), te)).toBe('errors.forbidden')
    expect(appealErrorKey(new Error('boom'), te)).toBe('errors.generic')
  })

  it('finds the link to the first appeal in a 409', () => {
    const err = new ApiError(409, 'appeal_exists', 'x', [], undefined, { appeal: { id: 'a1', number: 'SS1', link: '/appeals/a1' } })
    expect(existingAppealLink(err)).toEqual({ number: 'SS1', link: '/appeals/a1' })
    expect(existingAppealLink(new ApiError(409, 'version_conflict', 'x'))).toBeNull()
  })
})
