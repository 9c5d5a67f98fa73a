import { isBad, LEVELS, type RatingLevel, tagPolaritiesFor } from '@tp/shared/ratings/levels'

/** The rate page's rules, from @tp/shared (the server enforces the same). */
export { isBad, LEVELS, type RatingLevel }

export const MAX_TAGS = 5
export const COMMENT_MAX = 200

export interface TagOption {
  code: string
  zh: string
  en: string
  polarity: 'good' | 'bad'
}

/** Chips that fit the chosen level: praise for 非常满意/满意, complaints for the bad two, both for 基本满意. */
export function tagsForLevel(tags: readonly TagOption[], level: RatingLevel | null): TagOption[] {
  if (!level) return []
  const pol = tagPolaritiesFor(level)
  return tags.filter((t) => pol.includes(t.polarity))
}

/** Drops chosen tags that no longer fit after the level changed. */
export function keepFitting(chosen: readonly string[], tags: readonly TagOption[], level: RatingLevel | null): string[] {
  const fit = new Set(tagsForLevel(tags, level).map((t) => t.code))
  return chosen.filter((c) => fit.has(c))
}

export function toggleTag(chosen: readonly string[], code: string): string[] {
  if (chosen.includes(code)) return chosen.filter((c) => c !== code)
  return chosen.length >= MAX_TAGS ? [...chosen] : [...chosen, code]
}

export const tagLabel = (t: TagOption, locale: string) => (locale.startsWith('zh') ? t.zh : t.en)

/** Colour family of a level's button. */
export function levelTone(level: RatingLevel): 'good' | 'neutral' | 'bad' {
  if (level === 'very_satisfied' || level === 'satisfied') return 'good'
  return isBad(level) ? 'bad' : 'neutral'
}
