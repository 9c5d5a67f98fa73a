import { z } from 'zod'
import type { ClockPolicy } from '../calendar'
import { type RatingLevel, tagPolaritiesFor } from './levels'

/** A tag chip citizens can add to a rating (e.g. 态度热情, 等候时间长). Tags are data, edited by admins. */
export const RatingTag = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]{1,31}$/, 'Lower-case letters, digits and _'),
  zh: z.string().trim().min(1).max(20),
  en: z.string().trim().min(1).max(40),
  polarity: z.enum(['good', 'bad']),
  active: z.boolean(),
})
export type RatingTag = z.infer<typeof RatingTag>

/** Limits that are not configuration (they shape the UI and the columns). */
export const RATING_LIMITS = { maxTags: 5, commentMax: 200, contestReasonMax: 500, noteMax: 1000, maxEvidence: 6 } as const

/**
 * Local configuration of the rating scheme. The follow-up deadline is local practice: 15 working
 * days in Sichuan's scheme (the default), 5 in some cities (Dezhou).
 */
export const RatingConfig = z
  .object({
    tags: z.array(RatingTag).max(40),
    followUp: z.object({
      days: z.number().int().min(1).max(60),
      unit: z.enum(['working', 'calendar']),
    }),
    /** A window needs at least this many ratings in the month to be ranked (示范窗口). */
    minSample: z.number().int().min(1).max(10_000),
    /** The evaluator at a window accepts a rating for the ticket it shows for this long after completion. */
    evaluatorMinutes: z.number().int().min(1).max(240),
    /** A signed-in citizen may rate a service in the app for this many days after it was completed. */
    appRatingDays: z.number().int().min(1).max(90),
    /** The evaluator tablet goes back to idle this many seconds after the thank-you screen. */
    idleSeconds: z.number().int().min(3).max(120),
  })
  .refine((c) => new Set(c.tags.map((t) => t.code)).size === c.tags.length, { message: 'Tag codes must be unique', path: ['tags'] })
export type RatingConfig = z.infer<typeof RatingConfig>

export const DEFAULT_RATING_CONFIG: RatingConfig = {
  tags: [
    { code: 'warm', zh: '态度热情', en: 'Friendly', polarity: 'good', active: true },
    { code: 'efficient', zh: '办事高效', en: 'Efficient', polarity: 'good', active: true },
    { code: 'clear', zh: '讲解清楚', en: 'Clear explanations', polarity: 'good', active: true },
    { code: 'skilled', zh: '业务熟练', en: 'Knows the job', polarity: 'good', active: true },
    { code: 'short_wait', zh: '等候时间短', en: 'Short wait', polarity: 'good', active: true },
    { code: 'long_wait', zh: '等候时间长', en: 'Long wait', polarity: 'bad', active: true },
    { code: 'rude', zh: '态度生硬', en: 'Unfriendly', polarity: 'bad', active: true },
    { code: 'unclear', zh: '告知不清楚', en: 'Unclear information', polarity: 'bad', active: true },
    { code: 'slow', zh: '办理效率低', en: 'Slow service', polarity: 'bad', active: true },
    { code: 'extra_trips', zh: '多次跑腿', en: 'Had to come back', polarity: 'bad', active: true },
  ],
  followUp: { days: 15, unit: 'working' },
  minSample: 20,
  evaluatorMinutes: 30,
  appRatingDays: 7,
  idleSeconds: 8,
}

/** The follow-up clock as computeDue wants it: calendar-day periods end on a working day. */
export function followUpPolicy(c: Pick<RatingConfig, 'followUp'>): ClockPolicy {
  return { days: c.followUp.days, unit: c.followUp.unit, rollToWorkingDay: c.followUp.unit === 'calendar' }
}

/** Active tags offered for a level. */
export function tagsFor(level: RatingLevel, config: Pick<RatingConfig, 'tags'>): RatingTag[] {
  const pol = tagPolaritiesFor(level)
  return config.tags.filter((t) => t.active && pol.includes(t.polarity))
}

export type TagProblem = { code: string; problem: 'unknown' | 'not_for_level' | 'duplicate' } | { code: null; problem: 'too_many' }

/** Why a tag list does not fit the level (empty: it does). The server refuses any problem. */
export function tagProblems(level: RatingLevel, tags: readonly string[], config: Pick<RatingConfig, 'tags'>): TagProblem[] {
  const out: TagProblem[] = []
  if (tags.length > RATING_LIMITS.maxTags) out.push({ code: null, problem: 'too_many' })
  const allowed = new Set(tagsFor(level, config).map((t) => t.code))
  const known = new Set(config.tags.filter((t) => t.active).map((t) => t.code))
  const seen = new Set<string>()
  for (const code of tags) {
    if (seen.has(code)) out.push({ code, problem: 'duplicate' })
    else if (!known.has(code)) out.push({ code, problem: 'unknown' })
    else if (!allowed.has(code)) out.push({ code, problem: 'not_for_level' })
    seen.add(code)
  }
  return out
}
