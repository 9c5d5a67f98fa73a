import { z } from 'zod'

/**
 * The national 好差评 scale (国办发〔2019〕51号), best first: 非常满意, 满意, 基本满意, 不满意, 非常不满意.
 * The bottom two are bad ratings (差评): each one opens a follow-up case.
 */
export const RatingLevel = z.enum(['very_satisfied', 'satisfied', 'basic', 'dissatisfied', 'very_dissatisfied'])
export type RatingLevel = z.infer<typeof RatingLevel>

/** Best first, as the buttons are laid out. */
export const LEVELS: readonly RatingLevel[] = RatingLevel.options

export const LEVEL_SCORE: Readonly<Record<RatingLevel, 1 | 2 | 3 | 4 | 5>> = {
  very_satisfied: 5,
  satisfied: 4,
  basic: 3,
  dissatisfied: 2,
  very_dissatisfied: 1,
}

/** The official Chinese names (for exports and server-side texts; the UIs use i18n). */
export const LEVEL_NAME_ZH: Readonly<Record<RatingLevel, string>> = {
  very_satisfied: '非常满意',
  satisfied: '满意',
  basic: '基本满意',
  dissatisfied: '不满意',
  very_dissatisfied: '非常不满意',
}

/** 差评: 不满意 or 非常不满意. */
export function isBad(level: RatingLevel): boolean {
  return level === 'dissatisfied' || level === 'very_dissatisfied'
}

/** Counted in the satisfaction rate: 非常满意 or 满意. */
export function isGood(level: RatingLevel): boolean {
  return level === 'very_satisfied' || level === 'satisfied'
}

export const GOOD_LEVELS: readonly RatingLevel[] = LEVELS.filter(isGood)
export const BAD_LEVELS: readonly RatingLevel[] = LEVELS.filter(isBad)

/** Which tag chips fit a level: praise for good ratings, complaints for bad ones, both for 基本满意. */
export function tagPolaritiesFor(level: RatingLevel): readonly ('good' | 'bad')[] {
  if (isGood(level)) return ['good']
  if (isBad(level)) return ['bad']
  return ['good', 'bad']
}
