import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LEVELS, type RatingLevel } from './levels'
import {
  emptyCounts,
  goodOf,
  type LevelCounts,
  monthsBetween,
  nextMonthStart,
  noShowRate,
  percent,
  rankWindows,
  satisfactionRate,
  tally,
  totalOf,
  utilisation,
} from './stats'

const counts = (vs: number, s: number, b: number, d: number, vd: number): LevelCounts => ({
  very_satisfied: vs,
  satisfied: s,
  basic: b,
  dissatisfied: d,
  very_dissatisfied: vd,
})
const arbCounts = fc.record({
  very_satisfied: fc.nat(300),
  satisfied: fc.nat(300),
  basic: fc.nat(300),
  dissatisfied: fc.nat(300),
  very_dissatisfied: fc.nat(300),
})
const arbLevel = fc.constantFrom(...LEVELS)

describe('satisfaction rate', () => {
  it('is (非常满意 + 满意) / all, with 基本满意 only in the denominator', () => {
    expect(satisfactionRate(counts(3, 2, 5, 0, 0))).toBe(0.5)
    expect(satisfactionRate(counts(1, 0, 0, 0, 3))).toBe(0.25)
    expect(satisfactionRate(counts(0, 0, 4, 0, 0))).toBe(0)
  })

  it('is null, not zero, without ratings', () => {
    expect(satisfactionRate(emptyCounts())).toBeNull()
    expect(percent(null)).toBeNull()
  })

  it('rounds percentages to one decimal', () => {
    expect(percent(2 / 3)).toBe(66.7)
    expect(percent(20 / 21)).toBe(95.2)
    expect(percent(1)).toBe(100)
  })

  it('stays within 0…1 and equals the share computed from the individual ratings', () => {
    fc.assert(
      fc.property(fc.array(arbLevel, { minLength: 1, maxLength: 200 }), (levels: RatingLevel[]) => {
        const rate = satisfactionRate(tally(levels)) as number
        const good = levels.filter((l) => l === 'very_satisfied' || l === 'satisfied').length
        expect(rate).toBeGreaterThanOrEqual(0)
        expect(rate).toBeLessThanOrEqual(1)
        expect(rate).toBeCloseTo(good / levels.length, 12)
        expect(totalOf(tally(levels))).toBe(levels.length)
      }),
    )
  })

  it('does not fall when a good rating is added, and does not rise when a bad one is', () => {
    fc.assert(
      fc.property(
        arbCounts,
        fc.constantFrom<RatingLevel>('very_satisfied', 'satisfied'),
        fc.constantFrom<RatingLevel>('dissatisfied', 'very_dissatisfied'),
        (c, good, bad) => {
          const before = satisfactionRate(c) ?? 0
          const plusGood = { ...c, [good]: c[good] + 1 }
          const plusBad = { ...c, [bad]: c[bad] + 1 }
          expect(satisfactionRate(plusGood) as number).toBeGreaterThanOrEqual(before - 1e-12)
          if (totalOf(c) > 0) expect(satisfactionRate(plusBad) as number).toBeLessThanOrEqual(before + 1e-12)
        },
      ),
    )
  })
})

describe('model-window ranking (示范窗口)', () => {
  const w = (id: string, c: LevelCounts) => ({ id, label: id, counts: c })

  it('ranks only windows with the minimum number of ratings, by rate, then by count', () => {
    const rows = rankWindows(
      [
        w('A', counts(18, 1, 1, 0, 0)), // 19/20 = 95 %
        w('B', counts(5, 0, 0, 0, 0)), // 100 % but only 5 ratings
        w('C', counts(30, 8, 2, 0, 0)), // 38/40 = 95 %, more evidence than A
        w('D', counts(10, 5, 3, 1, 1)), // 15/20 = 75 %
      ],
      20,
    )
    expect(rows.map((r) => [r.id, r.rank, r.eligible])).toEqual([
      ['C', 1, true],
      ['A', 2, true],
      ['D', 3, true],
      ['B', null, false],
    ])
    expect(rows[0]?.rate).toBe(0.95)
  })

  it('counts a window with exactly the minimum sample and shares ranks on ties', () => {
    const rows = rankWindows([w('A', counts(10, 0, 0, 0, 0)), w('B', counts(9, 1, 0, 0, 0)), w('C', counts(9, 0, 1, 0, 0)), w('E', counts(9, 0, 0, 0, 0))], 10)
    expect(rows.map((r) => [r.id, r.rank])).toEqual([
      ['A', 1],
      ['B', 1],
      ['C', 3],
      ['E', null],
    ])
  })

  it('holds its invariants for any input', () => {
    fc.assert(
      fc.property(fc.array(arbCounts, { maxLength: 25 }), fc.integer({ min: 1, max: 400 }), (cs, min) => {
        const rows = rankWindows(
          cs.map((c, i) => w(`w${String(i).padStart(2, '0')}`, c)),
          min,
        )
        expect(rows).toHaveLength(cs.length)
        const ranked = rows.filter((r) => r.rank !== null)
        // Eligible exactly when the sample reaches the minimum; ranked rows come first.
        for (const r of rows) expect(r.eligible).toBe(r.total >= min)
        expect(rows.slice(0, ranked.length).every((r) => r.eligible)).toBe(true)
        // Ranks start at 1, never decrease, and a row's rank is its position unless it ties the one before.
        ranked.forEach((r, i) => {
          expect(r.rank).toBeGreaterThanOrEqual(1)
          expect(r.rank).toBeLessThanOrEqual(i + 1)
          const prev = ranked[i - 1]
          if (prev) {
            expect((prev.rate as number) >= (r.rate as number) - 1e-12).toBe(true)
            const tie = prev.good * r.total === r.good * prev.total && prev.total === r.total
            expect(r.rank).toBe(tie ? prev.rank : i + 1)
          } else expect(r.rank).toBe(1)
        })
        for (const r of rows) expect(r.good).toBe(goodOf(r.counts))
      }),
    )
  })
})

describe('queue figures', () => {
  it('no-show rate is no-shows over numbers that reached a window', () => {
    expect(noShowRate(1, 9)).toBe(0.1)
    expect(noShowRate(0, 0)).toBeNull()
  })
  it('utilisation is serving minutes over available minutes', () => {
    expect(utilisation(210, 420)).toBe(0.5)
    expect(utilisation(10, 0)).toBeNull()
  })
})

describe('months', () => {
  it('lists the months of a range across a year end', () => {
    expect(monthsBetween('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02'])
    expect(monthsBetween('2026-03', '2026-02')).toEqual([])
    expect(nextMonthStart('2025-12')).toBe('2026-01-01')
    expect(nextMonthStart('2026-02')).toBe('2026-03-01')
  })
})
