import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addCalendarDays,
  type CalendarDate,
  type ClockPause,
  type ClockPolicy,
  chinaDayEnd,
  chinaTime,
  clockProgress,
  computeDue,
  daysLeft,
  isCalendarDate,
  nextWorkingDay,
  OFFICIAL_YEARS,
  officialCalendar,
  reachedAt,
  toChinaDate,
  weekday,
} from './calendar'

const cal = officialCalendar()
const at = (date: CalendarDate, hhmm = '10:00') => chinaTime(date, hhmm)
const CAL15: ClockPolicy = { days: 15, unit: 'calendar', rollToWorkingDay: true }
const CAL15_NOROLL: ClockPolicy = { days: 15, unit: 'calendar' }
const WORK5: ClockPolicy = { days: 5, unit: 'working' }

describe('officialCalendar (chinese-days + overrides)', () => {
  it('knows the 2026 Spring Festival holiday and its make-up Saturdays', () => {
    expect(weekday('2026-02-14')).toBe(6)
    expect(cal.isWorkingDay('2026-02-14')).toBe(true)
    expect(cal.isWorkingDay('2026-02-28')).toBe(true)
    for (let d = '2026-02-15'; d <= '2026-02-23'; d = addCalendarDays(d, 1)) expect(cal.isWorkingDay(d)).toBe(false)
    expect(cal.describe('2026-02-17')).toBe('春节')
    expect(cal.isWorkingDay('2026-02-24')).toBe(true)
  })

  it('knows the 2026 National Day holiday and its make-up days (Sunday 09-20, Saturday 10-10)', () => {
    expect(cal.isWorkingDay('2026-09-20')).toBe(true)
    expect(cal.isWorkingDay('2026-10-10')).toBe(true)
    for (let d = '2026-10-01'; d <= '2026-10-07'; d = addCalendarDays(d, 1)) expect(cal.isWorkingDay(d)).toBe(false)
    expect(cal.isWorkingDay('2026-10-08')).toBe(true)
    expect(cal.describe('2026-10-01')).toBe('国庆节')
  })

  it('lets overrides win over the package, and covers years the package lacks', () => {
    expect(OFFICIAL_YEARS.to).toBeGreaterThanOrEqual(2026)
    const withOverrides = officialCalendar([
      { date: '2026-03-03', working: false, name: '本地停电闭馆' },
      { date: '2027-02-06', working: true, name: '春节调休' },
    ])
    expect(withOverrides.isWorkingDay('2026-03-03')).toBe(false)
    expect(withOverrides.describe('2026-03-03')).toBe('本地停电闭馆')
    expect(cal.isWorkingDay('2027-02-06')).toBe(false) // a Saturday
    expect(withOverrides.isWorkingDay('2027-02-06')).toBe(true)
  })
})

describe('computeDue: examples across the 2026 holidays', () => {
  it('counts 5 working days over the Spring Festival, including make-up Saturday 02-14', () => {
    // Fri 02-13 → Sat 02-14 (1), holiday 02-15…23, 02-24 (2), 25 (3), 26 (4), 27 (5)
    expect(computeDue({ start: at('2026-02-13'), policy: WORK5, calendar: cal }).dueDate).toBe('2026-02-27')
  })

  it('counts 5 working days over Mid-autumn and National Day, including Saturday 10-10', () => {
    // Thu 09-24 → 25–27 holiday, 28 (1), 29 (2), 30 (3), Oct 1–7 holiday, 8 (4), 9 (5)
    expect(computeDue({ start: at('2026-09-24'), policy: WORK5, calendar: cal }).dueDate).toBe('2026-10-09')
    // Wed 09-30 → 8 (1), 9 (2), Sat 10 (3), Sun 11 skipped, 12 (4), 13 (5)
    expect(computeDue({ start: at('2026-09-30'), policy: WORK5, calendar: cal }).dueDate).toBe('2026-10-13')
    // Fri 09-18 → Sat 19 skipped, Sun 20 make-up (1), 21–24 (2–5)
    expect(computeDue({ start: at('2026-09-18'), policy: WORK5, calendar: cal }).dueDate).toBe('2026-09-24')
  })

  it('rolls a 15-calendar-day period that ends in a holiday to the next working day', () => {
    expect(computeDue({ start: at('2026-02-05'), policy: CAL15_NOROLL, calendar: cal }).dueDate).toBe('2026-02-20')
    expect(computeDue({ start: at('2026-02-05'), policy: CAL15, calendar: cal }).dueDate).toBe('2026-02-24')
    expect(computeDue({ start: at('2026-09-20'), policy: CAL15, calendar: cal }).dueDate).toBe('2026-10-08')
    // 02-14 is a working Saturday: no roll.
    expect(computeDue({ start: at('2026-01-30'), policy: CAL15, calendar: cal }).dueDate).toBe('2026-02-14')
  })

  it('does not count the day of the start, whatever the hour', () => {
    const early = computeDue({ start: at('2026-03-02', '00:01'), policy: CAL15_NOROLL, calendar: cal })
    const late = computeDue({ start: at('2026-03-02', '23:59'), policy: CAL15_NOROLL, calendar: cal })
    expect(early.dueDate).toBe('2026-03-17')
    expect(late.dueDate).toBe('2026-03-17')
    expect(early.dueAt.toISOString()).toBe('2026-03-17T15:59:59.999Z')
  })

  it('stops the clock while waiting for material, and resumes it', () => {
    const pauses: ClockPause[] = [{ from: at('2026-03-05'), to: at('2026-03-09', '15:00') }]
    const due = computeDue({ start: at('2026-03-02'), policy: CAL15_NOROLL, calendar: cal, pauses })
    expect(due.pausedDays).toBe(4) // 06, 07, 08, 09
    expect(due.dueDate).toBe('2026-03-21')
    expect(due.paused).toBe(false)
    // Saturday 03-21 rolls to Monday with the rolling policy.
    expect(computeDue({ start: at('2026-03-02'), policy: CAL15, calendar: cal, pauses }).dueDate).toBe('2026-03-23')
  })

  it('projects the due date of an open pause as if the clock resumed now', () => {
    const pauses: ClockPause[] = [{ from: at('2026-03-05'), to: null }]
    const due = computeDue({ start: at('2026-03-02'), policy: CAL15_NOROLL, calendar: cal, pauses, now: at('2026-03-07') })
    expect(due.paused).toBe(true)
    expect(due.pausedDays).toBe(2)
    expect(due.dueDate).toBe('2026-03-19')
  })

  it('caps the pause: after the cap the days count again', () => {
    const pauses: ClockPause[] = [{ from: at('2026-03-05'), to: at('2026-03-09') }]
    const due = computeDue({ start: at('2026-03-02'), policy: CAL15_NOROLL, calendar: cal, pauses, maxPausedDays: 2 })
    expect(due.pausedDays).toBe(2)
    expect(due.dueDate).toBe('2026-03-19')
  })

  it('does not count holidays inside a pause as paused working days', () => {
    // Working-day clock started Tue 02-10: pause 02-12 → 02-25 covers 02-13, 02-14 (working), the holiday, 02-24, 02-25.
    const pauses: ClockPause[] = [{ from: at('2026-02-12'), to: at('2026-02-25') }]
    const due = computeDue({ start: at('2026-02-10'), policy: WORK5, calendar: cal, pauses })
    expect(due.pausedDays).toBe(4) // 13, 14, 24, 25
    // counted: 11 (1), 12 (2), 26 (3), 27 (4), Sat 28 make-up (5)
    expect(due.dueDate).toBe('2026-02-28')
  })

  it('adds an approved extension in the policy unit', () => {
    expect(computeDue({ start: at('2026-02-13'), policy: WORK5, calendar: cal, extensionDays: 3 }).dueDate).toBe('2026-03-03')
    expect(computeDue({ start: at('2026-03-02'), policy: CAL15_NOROLL, calendar: cal, extensionDays: 15 }).dueDate).toBe('2026-04-01')
  })

  it('honours a local closure from the override table', () => {
    const closed = officialCalendar([{ date: '2026-03-04', working: false, name: '闭馆' }])
    expect(computeDue({ start: at('2026-03-02'), policy: WORK5, calendar: cal }).dueDate).toBe('2026-03-09')
    expect(computeDue({ start: at('2026-03-02'), policy: WORK5, calendar: closed }).dueDate).toBe('2026-03-10')
  })
})

describe('clockProgress', () => {
  it('reaches 2/3 on day 10 and 90% on day 14 of a 15-day clock', () => {
    const input = { start: at('2026-03-02'), policy: CAL15_NOROLL, calendar: cal }
    expect(clockProgress({ ...input, now: at('2026-03-11') }).fraction).toBeLessThan(2 / 3)
    expect(clockProgress({ ...input, now: at('2026-03-12') }).fraction).toBeGreaterThanOrEqual(2 / 3)
    expect(clockProgress({ ...input, now: at('2026-03-15') }).fraction).toBeLessThan(0.9)
    expect(clockProgress({ ...input, now: at('2026-03-16') }).fraction).toBeGreaterThanOrEqual(0.9)
  })

  it('does not advance during a pause', () => {
    const pauses: ClockPause[] = [{ from: at('2026-03-05'), to: null }]
    const input = { start: at('2026-03-02'), policy: CAL15_NOROLL, calendar: cal, pauses }
    expect(clockProgress({ ...input, now: at('2026-03-05') }).used).toBe(3)
    expect(clockProgress({ ...input, now: at('2026-03-20') }).used).toBe(3)
  })
})

describe('daysLeft', () => {
  it('is 0 on the due day and negative once overdue', () => {
    expect(daysLeft(at('2026-03-17', '23:00'), '2026-03-17')).toBe(0)
    expect(daysLeft(at('2026-03-18', '00:30'), '2026-03-17')).toBe(-1)
    expect(daysLeft(at('2026-03-14'), '2026-03-17')).toBe(3)
  })
})

// ---- properties --------------------------------------------------------------------------

/** Instants from mid-2025 to the end of 2026, so the 2026 holidays are crossed often. */
const instant = fc.date({ min: new Date('2025-06-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true })
const policy = fc.record({
  days: fc.integer({ min: 0, max: 40 }),
  unit: fc.constantFrom<'calendar' | 'working'>('calendar', 'working'),
  rollToWorkingDay: fc.boolean(),
})
const pause = (start: Date) =>
  fc
    .tuple(fc.integer({ min: 0, max: 30 * 24 }), fc.integer({ min: 0, max: 20 * 24 }))
    .map(
      ([offsetH, lenH]): ClockPause => ({ from: new Date(start.getTime() + offsetH * 3600_000), to: new Date(start.getTime() + (offsetH + lenH) * 3600_000) }),
    )
const startAndPauses = instant.chain((start) => fc.tuple(fc.constant(start), fc.array(pause(start), { maxLength: 3 })))
const cap = fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined })
const RUNS = { numRuns: 400 }

describe('computeDue properties', () => {
  it('ends on a working day for working-day clocks and for rolling calendar clocks', () => {
    fc.assert(
      fc.property(startAndPauses, policy, cap, ([start, pauses], p, maxPausedDays) => {
        const due = computeDue({ start, policy: p, calendar: cal, pauses, maxPausedDays })
        expect(isCalendarDate(due.dueDate)).toBe(true)
        if ((p.unit === 'working' && p.days > 0) || (p.unit === 'calendar' && p.rollToWorkingDay)) expect(cal.isWorkingDay(due.dueDate)).toBe(true)
      }),
      RUNS,
    )
  })

  it('never ends before the start, and a plain calendar clock ends exactly `days` later', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 60 }), (start, days) => {
        const due = computeDue({ start, policy: { days, unit: 'calendar' }, calendar: cal })
        expect(due.dueDate).toBe(addCalendarDays(toChinaDate(start), days))
        expect(due.dueAt.getTime()).toBe(chinaDayEnd(due.dueDate).getTime())
        expect(due.dueAt.getTime()).toBeGreaterThan(start.getTime())
      }),
      RUNS,
    )
  })

  it('counts exactly `days` working days after the start for a working-day clock', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 30 }), (start, days) => {
        const due = computeDue({ start, policy: { days, unit: 'working' }, calendar: cal })
        let n = 0
        for (let d = addCalendarDays(toChinaDate(start), 1); d <= due.dueDate; d = addCalendarDays(d, 1)) if (cal.isWorkingDay(d)) n++
        expect(n).toBe(days)
      }),
      RUNS,
    )
  })

  it('is monotone in the start, the days, the extension, the pauses and the cap', () => {
    fc.assert(
      fc.property(
        startAndPauses,
        fc.integer({ min: 0, max: 10 * 24 }),
        policy,
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        cap,
        ([start, pauses], laterH, p, more, ext, maxPausedDays) => {
          const base = computeDue({ start, policy: p, calendar: cal, pauses, maxPausedDays }).dueDate
          const later = new Date(start.getTime() + laterH * 3600_000)
          expect(computeDue({ start: later, policy: p, calendar: cal }).dueDate >= computeDue({ start, policy: p, calendar: cal }).dueDate).toBe(true)
          expect(computeDue({ start, policy: { ...p, days: p.days + more }, calendar: cal, pauses, maxPausedDays }).dueDate >= base).toBe(true)
          expect(computeDue({ start, policy: p, calendar: cal, pauses, maxPausedDays, extensionDays: ext }).dueDate >= base).toBe(true)
          expect(base >= computeDue({ start, policy: p, calendar: cal }).dueDate).toBe(true)
          if (maxPausedDays !== undefined)
            expect(computeDue({ start, policy: p, calendar: cal, pauses, maxPausedDays: maxPausedDays + more }).dueDate >= base).toBe(true)
        },
      ),
      RUNS,
    )
  })

  it('lets a capped pause delay the due date by at most the cap', () => {
    fc.assert(
      fc.property(startAndPauses, policy, fc.integer({ min: 0, max: 20 }), ([start, pauses], p, maxPausedDays) => {
        const due = computeDue({ start, policy: p, calendar: cal, pauses, maxPausedDays })
        expect(due.pausedDays).toBeLessThanOrEqual(maxPausedDays)
        const bound = computeDue({ start, policy: { ...p, days: p.days + maxPausedDays }, calendar: cal })
        expect(due.dueDate <= bound.dueDate).toBe(true)
      }),
      RUNS,
    )
  })

  it('reaches the full period in clockProgress exactly on the due date (non-rolling clocks)', () => {
    fc.assert(
      fc.property(
        startAndPauses,
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom<'calendar' | 'working'>('calendar', 'working'),
        fc.integer({ min: 0, max: 60 * 24 }),
        ([start, pauses], days, unit, afterH) => {
          const p: ClockPolicy = { days, unit }
          const due = computeDue({ start, policy: p, calendar: cal, pauses })
          const now = new Date(start.getTime() + afterH * 3600_000)
          const progress = clockProgress({ start, policy: p, calendar: cal, pauses, now })
          expect(progress.used >= days).toBe(toChinaDate(now) >= due.dueDate)
          const later = clockProgress({ start, policy: p, calendar: cal, pauses, now: new Date(now.getTime() + 86_400_000) })
          expect(later.used).toBeGreaterThanOrEqual(progress.used)
        },
      ),
      RUNS,
    )
  })

  it('puts reachedAt on the first day clockProgress reports the share used (closed pauses, any cap)', () => {
    fc.assert(
      fc.property(
        startAndPauses,
        policy,
        cap,
        fc.constantFrom(2 / 3, 0.9),
        fc.integer({ min: 0, max: 90 * 24 }),
        ([start, pauses], p, maxPausedDays, f, afterH) => {
          const closed = pauses.map((x) => ({ from: x.from, to: x.to ?? new Date(x.from.getTime() + 3 * 86_400_000) }))
          const input = { start, policy: p, calendar: cal, pauses: closed, maxPausedDays }
          const [when] = reachedAt(input, [f])
          const now = new Date(start.getTime() + afterH * 3600_000)
          const progress = clockProgress({ ...input, now })
          expect(now >= when!).toBe(progress.fraction >= f - 1e-9)
        },
      ),
      RUNS,
    )
  })

  it('reaches 2/3 of a 5-working-day clock on the make-up Saturday before the Spring Festival', () => {
    const [twoThirds, ninety] = reachedAt({ start: at('2026-02-10'), policy: WORK5, calendar: cal }, [2 / 3, 0.9])
    expect(twoThirds).toEqual(chinaTime('2026-02-14', '00:00'))
    expect(ninety).toEqual(chinaTime('2026-02-24', '00:00'))
  })

  it('keeps nextWorkingDay on or after its input, on a working day', () => {
    fc.assert(
      fc.property(instant, (i) => {
        const d = toChinaDate(i)
        const n = nextWorkingDay(d, cal)
        expect(n >= d).toBe(true)
        expect(cal.isWorkingDay(n)).toBe(true)
      }),
      RUNS,
    )
  })
})
