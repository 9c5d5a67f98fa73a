import { LEVELS, type RatingLevel } from './levels'

/** Ratings per level. */
export type LevelCounts = Record<RatingLevel, number>

export const emptyCounts = (): LevelCounts => ({ very_satisfied: 0, satisfied: 0, basic: 0, dissatisfied: 0, very_dissatisfied: 0 })

export function tally(levels: Iterable<RatingLevel>): LevelCounts {
  const c = emptyCounts()
  for (const l of levels) c[l]++
  return c
}

export function addCounts(a: LevelCounts, b: LevelCounts): LevelCounts {
  const c = emptyCounts()
  for (const l of LEVELS) c[l] = a[l] + b[l]
  return c
}

export const totalOf = (c: LevelCounts): number => LEVELS.reduce((n, l) => n + c[l], 0)
export const goodOf = (c: LevelCounts): number => c.very_satisfied + c.satisfied
export const badOf = (c: LevelCounts): number => c.dissatisfied + c.very_dissatisfied

/**
 * 满意率 = (非常满意 + 满意) / all ratings. Null when there is none (not 0: no evidence either way).
 * 基本满意 counts in the denominator only.
 */
export function satisfactionRate(c: LevelCounts): number | null {
  const total = totalOf(c)
  return total === 0 ? null : goodOf(c) / total
}

/** A rate as a percentage with one decimal (95.24… → 95.2); null stays null. */
export function percent(rate: number | null, digits = 1): number | null {
  if (rate === null) return null
  const f = 10 ** digits
  return Math.round(rate * 100 * f) / f
}

export interface RankInput {
  id: string
  label: string
  counts: LevelCounts
}

export interface RankedRow extends RankInput {
  total: number
  good: number
  rate: number | null
  /** 1-based, shared by ties (1, 1, 3); null when the sample is too small to rank. */
  rank: number | null
  eligible: boolean
}

/** good/total of a vs b without floating point: positive when a's rate is higher. */
function compareRates(a: { good: number; total: number }, b: { good: number; total: number }): number {
  return a.good * b.total - b.good * a.total
}

/**
 * The monthly 示范窗口 ranking: windows with at least `minSample` ratings, by satisfaction rate
 * (higher first), then by number of ratings (more evidence first); equal rate and count share a
 * rank. Windows below the minimum follow, unranked, by count.
 */
export function rankWindows(rows: readonly RankInput[], minSample: number): RankedRow[] {
  const min = Math.max(1, Math.floor(minSample))
  const all = rows.map((r) => {
    const total = totalOf(r.counts)
    const good = goodOf(r.counts)
    return { ...r, total, good, rate: total === 0 ? null : good / total, rank: null as number | null, eligible: total >= min }
  })
  const byLabel = (a: RankedRow, b: RankedRow) => a.label.localeCompare(b.label, 'zh-CN') || a.id.localeCompare(b.id)
  const eligible = all.filter((r) => r.eligible).sort((a, b) => -compareRates(a, b) || b.total - a.total || byLabel(a, b))
  eligible.forEach((r, i) => {
    const prev = eligible[i - 1]
    r.rank = prev && compareRates(prev, r) === 0 && prev.total === r.total ? prev.rank : i + 1
  })
  const rest = all.filter((r) => !r.eligible).sort((a, b) => b.total - a.total || byLabel(a, b))
  return [...eligible, ...rest]
}

/** No-show rate of the hall: numbers called but not answered over numbers that reached a window. */
export function noShowRate(noShow: number, served: number): number | null {
  const n = noShow + served
  return n === 0 ? null : noShow / n
}

/** Utilisation: minutes spent serving over minutes the open windows were available. */
export function utilisation(serviceMinutes: number, availableMinutes: number): number | null {
  return availableMinutes <= 0 ? null : serviceMinutes / availableMinutes
}

/** 'YYYY-MM' months from `from` to `to` inclusive (empty when reversed). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = []
  let [y, m] = from.split('-').map(Number) as [number, number]
  const [ty, tm] = to.split('-').map(Number) as [number, number]
  for (let guard = 0; (y < ty || (y === ty && m <= tm)) && guard < 600; guard++) {
    out.push(`${y}-${String(m).padStart(2, '0')}`)
    m++
    if (m > 12) {
      m = 1
      y++
    }
  }
  return out
}

/** The first day of the month after 'YYYY-MM', as 'YYYY-MM-DD'. */
export function nextMonthStart(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`
}
