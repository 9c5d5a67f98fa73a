import { describe, expect, it } from 'vitest'
import { keepFitting, levelTone, MAX_TAGS, type TagOption, tagsForLevel, toggleTag } from './rules'

const tags: TagOption[] = [
  { code: 'warm', zh: '态度热情', en: 'Friendly', polarity: 'good' },
  { code: 'fast', zh: '办事高效', en: 'Efficient', polarity: 'good' },
  { code: 'long_wait', zh: '等候时间长', en: 'Long wait', polarity: 'bad' },
]

describe('rate page rules', () => {
  it('offers praise for good ratings, complaints for bad ones, both for 基本满意, none before a level is chosen', () => {
    expect(tagsForLevel(tags, 'satisfied').map((t) => t.code)).toEqual(['warm', 'fast'])
    expect(tagsForLevel(tags, 'very_dissatisfied').map((t) => t.code)).toEqual(['long_wait'])
    expect(tagsForLevel(tags, 'basic')).toHaveLength(3)
    expect(tagsForLevel(tags, null)).toEqual([])
  })

  it('drops chosen tags that no longer fit the level', () => {
    expect(keepFitting(['warm', 'long_wait'], tags, 'dissatisfied')).toEqual(['long_wait'])
  })

  it('toggles tags up to the maximum', () => {
    let chosen: string[] = []
    for (const c of ['a', 'b', 'c', 'd', 'e', 'f']) chosen = toggleTag(chosen, c)
    expect(chosen).toHaveLength(MAX_TAGS)
    expect(toggleTag(chosen, 'a')).not.toContain('a')
  })

  it('colours the bottom two as bad', () => {
    expect(['very_satisfied', 'satisfied', 'basic', 'dissatisfied', 'very_dissatisfied'].map((l) => levelTone(l as never))).toEqual([
      'good',
      'good',
      'neutral',
      'bad',
      'bad',
    ])
  })
})
