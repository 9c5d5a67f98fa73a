import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import { appealErrorKey, evidenceFits, existingAppealLink, formatDate, groundsLabel, typeLabel } from './format'

describe('appeal formatting', () => {
  it('shows China dates for instants and calendar dates alike', () => {
    expect(formatDate('2026-03-17', 'zh-CN')).toBe('2026年3月17日')
    // 23:30 UTC on the 16th is already the 17th in China.
    expect(formatDate('2026-03-16T23:30:00Z', 'zh-CN')).toBe('2026年3月17日')
  })

  it('labels configured options in the reader’s language, falling back to the key', () => {
    expect(groundsLabel('cloned_plate', 'zh-CN')).toBe('被套牌')
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
