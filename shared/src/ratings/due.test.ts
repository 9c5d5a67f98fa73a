import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addCalendarDays, chinaTime, officialCalendar, toChinaDate } from '../calendar'
import { DEFAULT_RATING_CONFIG } from './config'
import { dueLevelAt, followUpDue, followUpDueLevel, followUpSoonAt } from './due'

const cal = officialCalendar()
const working = (d: string) => cal.isWorkingDay(d)

describe('follow-up deadline on the working-day calendar', () => {
  it('is 15 working days by default: across the 2026 National Day holiday', () => {
    // Opened Mon 2026-09-28. Working days after it: 09-29 (1), 09-30 (2), the holiday 10-01…10-07,
    // 10-08 (3), 10-09 (4), Sat 10-10 (调休 make-up day, 5), 10-12…10-16 (6–10), 10-19…10-23 (11–15).
    const due = followUpDue(chinaTime('2026-09-28', '10:00'), DEFAULT_RATING_CONFIG)
    expect(due.dueDate).toBe('2026-10-23')
    expect(due.dueAt.toISOString()).toBe('2026-10-23T15:59:59.999Z')
    // Where a scheme counts calendar days instead: 15 days later, 10-13 (a working day).
    expect(followUpDue(chinaTime('2026-09-28', '10:00'), { followUp: { days: 15, unit: 'calendar' } }).dueDate).toBe('2026-10-13')
  })

  it('is 5 working days where the city sets 5: across the 2026 Spring Festival with its Saturday make-up day', () => {
    // Opened Wed 2026-02-11: 02-12, 02-13, Sat 02-14 (调休 working day), then the holiday 02-15…02-23, 02-24, 02-25.
    const due = followUpDue(chinaTime('2026-02-11', '16:00'), { followUp: { days: 5, unit: 'working' } })
    expect(due.dueDate).toBe('2026-02-25')
  })

  it('honours an admin override closing a working day', () => {
    const start = chinaTime('2026-03-09', '09:00') // Monday
    expect(followUpDue(start, { followUp: { days: 5, unit: 'working' } }).dueDate).toBe('2026-03-16')
    expect(followUpDue(start, { followUp: { days: 5, unit: 'working' } }, [{ date: '2026-03-11', working: false }]).dueDate).toBe('2026-03-17')
  })

  it('with calendar days ends on a working day', () => {
    // 10 calendar days from 2026-09-25 is 10-05, inside the holiday: rolls to 10-08... 10-06, 10-07 holiday too.
    expect(followUpDue(chinaTime('2026-09-25', '09:00'), { followUp: { days: 10, unit: 'calendar' } }).dueDate).toBe('2026-10-08')
  })

  it('always lands on a working day with exactly N working days after the opening day', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 1, max: 30 }), (offset, days) => {
        const open = addCalendarDays('2025-01-01', offset)
        const due = followUpDue(chinaTime(open, '11:00'), { followUp: { days, unit: 'working' } })
        expect(working(due.dueDate)).toBe(true)
        let n = 0
        for (let d = addCalendarDays(open, 1); d <= due.dueDate; d = addCalendarDays(d, 1)) if (working(d)) n++
        expect(n).toBe(days)
        expect(toChinaDate(due.dueAt)).toBe(due.dueDate)
      }),
      { numRuns: 300 },
    )
  })

  it('warns once two thirds are used and flags overdue after the due time', () => {
    const opened = chinaTime('2026-03-02', '09:00') // Monday; 15 working days → 2026-03-23
    const { dueAt } = followUpDue(opened, DEFAULT_RATING_CONFIG)
    expect(toChinaDate(dueAt)).toBe('2026-03-23')
    expect(followUpDueLevel(opened, dueAt, chinaTime('2026-03-05', '09:00'), DEFAULT_RATING_CONFIG, cal)).toBe('ok')
    expect(followUpDueLevel(opened, dueAt, chinaTime('2026-03-16', '09:00'), DEFAULT_RATING_CONFIG, cal)).toBe('soon')
    expect(followUpDueLevel(opened, dueAt, chinaTime('2026-03-23', '23:00'), DEFAULT_RATING_CONFIG, cal)).toBe('soon')
    expect(followUpDueLevel(opened, dueAt, chinaTime('2026-03-24', '00:01'), DEFAULT_RATING_CONFIG, cal)).toBe('overdue')
  })

  it('stores the due-soon instant so that the stored level always equals the calendar walk', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom<'working' | 'calendar'>('working', 'calendar'),
        fc.integer({ min: 0, max: 60 * 24 * 45 }),
        (offset, days, unit, minutesLater) => {
          const config = { followUp: { days, unit } }
          const opened = chinaTime(addCalendarDays('2025-01-01', offset), '10:30')
          const { dueAt } = followUpDue(opened, config)
          const soonAt = followUpSoonAt(opened, config, cal)
          const now = new Date(opened.getTime() + minutesLater * 60_000)
          expect(dueLevelAt(soonAt, dueAt, now)).toBe(followUpDueLevel(opened, dueAt, now, config, cal))
        },
      ),
      { numRuns: 400 },
    )
  })
})
