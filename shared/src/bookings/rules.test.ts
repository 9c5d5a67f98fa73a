import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addCalendarDays, chinaTime, officialCalendar } from '../calendar'
import {
  bookingDates,
  cancelDeadline,
  canSelfCheckIn,
  canStillCancel,
  dayOpening,
  distanceMeters,
  findOverride,
  formatTicketNumber,
  isOnTime,
  noShowStatus,
  placesPerSlot,
  planSlots,
  slotInstant,
  slotLength,
  sortByDistance,
  whyNotBookable,
} from './rules'
import { DEFAULT_POLICY, type Period, WeeklyHours } from './schemas'
import { toMinutes } from './time'

const weekdayHours: Period[] = [
  { from: '09:00', to: '12:00' },
  { from: '13:30', to: '17:00' },
]
const HOURS: WeeklyHours = [[], weekdayHours, weekdayHours, weekdayHours, weekdayHours, weekdayHours, [{ from: '09:00', to: '12:00' }]]
const cal = officialCalendar()

describe('dayOpening', () => {
  it('opens on an ordinary weekday with that weekday’s periods', () => {
    // 2026-03-10 is a Tuesday.
    expect(dayOpening('2026-03-10', HOURS, cal)).toEqual({ open: true, periods: weekdayHours, kind: 'workday' })
  })

  it('gives Saturday service only where the office has Saturday hours, and closes Sundays without hours', () => {
    expect(dayOpening('2026-03-14', HOURS, cal)).toMatchObject({ open: true, kind: 'weekend', periods: [{ from: '09:00', to: '12:00' }] })
    expect(dayOpening('2026-03-15', HOURS, cal)).toMatchObject({ open: false, reason: 'no_hours' })
  })

  it('closes on official holidays, also when a holiday falls on a served Saturday', () => {
    // 2026-10-01 (Thursday) and 2026-10-03 (Saturday) are National Day holidays.
    expect(dayOpening('2026-10-01', HOURS, cal)).toMatchObject({ open: false, reason: 'holiday' })
    expect(dayOpening('2026-10-03', HOURS, cal)).toMatchObject({ open: false, reason: 'holiday' })
  })

  it('opens a weekend make-up working day (调休) with the Monday hours', () => {
    // Saturday 2026-02-14 is a working day (DOMAIN.md).
    expect(dayOpening('2026-02-14', HOURS, cal)).toEqual({ open: true, periods: weekdayHours, kind: 'makeup' })
  })

  it('honours calendar overrides closing a day', () => {
    const overrides = [{ date: '2026-03-10', working: false, name: '临时休息' }]
    const c = officialCalendar(overrides)
    expect(dayOpening('2026-03-10', HOURS, c, overrides)).toMatchObject({ open: false, reason: 'holiday', holidayName: '临时休息' })
    // An override on a Saturday closes even a Saturday-service office.
    const sat = [{ date: '2026-03-14', working: false }]
    expect(dayOpening('2026-03-14', HOURS, officialCalendar(sat), sat)).toMatchObject({ open: false, reason: 'holiday' })
  })

  it('lets a per-date override close the office or open it with special hours', () => {
    expect(dayOpening('2026-03-10', HOURS, cal, [], { closed: true, hours: null })).toMatchObject({ open: false, reason: 'closure' })
    const special = [{ from: '08:00', to: '10:00' }]
    expect(dayOpening('2026-10-01', HOURS, cal, [], { closed: false, hours: special })).toEqual({ open: true, periods: special, kind: 'special' })
  })
})

describe('slots', () => {
  it('derives slot length from the office grid and the service duration', () => {
    expect(slotLength(30, 20)).toBe(30)
    expect(slotLength(30, 30)).toBe(30)
    expect(slotLength(30, 45)).toBe(60)
    expect(slotLength(15, 40)).toBe(45)
  })

  it('derives capacity from windows, hours and durations', () => {
    // Two dedicated windows, 30-minute slots, 15-minute service: 4 per slot.
    const slots = planSlots({ periods: weekdayHours, officeSlotMinutes: 30, durationMinutes: 15, windows: [1, 1], serviceId: 's' })
    // 09:00–12:00 → 6 slots; 13:30–17:00 → 7 slots.
    expect(slots).toHaveLength(13)
    expect(slots.every((s) => s.capacity === 4)).toBe(true)
    expect(slots[0]).toEqual({ startTime: '09:00', endTime: '09:30', capacity: 4 })
    expect(slots[6]).toEqual({ startTime: '13:30', endTime: '14:00', capacity: 4 })
    expect(slots.at(-1)).toEqual({ startTime: '16:30', endTime: '17:00', capacity: 4 })
  })

  it('shares a window between the services it handles', () => {
    // One window for 3 services: 30 / 3 = 10 minutes per slot, 20-minute service → 0.5 per slot.
    expect(placesPerSlot([3], 30, 20)).toBeCloseTo(0.5)
    const slots = planSlots({ periods: [{ from: '09:00', to: '11:00' }], officeSlotMinutes: 30, durationMinutes: 20, windows: [3], serviceId: 's' })
    expect(slots.map((s) => s.capacity)).toEqual([0, 1, 0, 1])
  })

  it('has no slots without a window handling the service', () => {
    expect(planSlots({ periods: weekdayHours, officeSlotMinutes: 30, durationMinutes: 15, windows: [], serviceId: 's' }).every((s) => s.capacity === 0)).toBe(
      true,
    )
  })

  it('applies the most specific capacity override', () => {
    const overrides = [
      { serviceId: null, startTime: null, capacity: 1 },
      { serviceId: 's', startTime: null, capacity: 2 },
      { serviceId: 's', startTime: '09:30', capacity: 10 },
      { serviceId: null, startTime: '10:00', capacity: 0 },
    ]
    expect(findOverride(overrides, 's', '09:30')?.capacity).toBe(10)
    expect(findOverride(overrides, 's', '10:00')?.capacity).toBe(2)
    expect(findOverride(overrides, 'x', '10:00')?.capacity).toBe(0)
    expect(findOverride(overrides, 'x', '11:00')?.capacity).toBe(1)
    const slots = planSlots({ periods: [{ from: '09:00', to: '10:30' }], officeSlotMinutes: 30, durationMinutes: 15, windows: [1], serviceId: 's', overrides })
    expect(slots.map((s) => s.capacity)).toEqual([2, 10, 2])
  })

  const periodArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 47 }), fc.integer({ min: 1, max: 16 })), { minLength: 1, maxLength: 4 }).map((parts) => {
    // Non-overlapping periods on a 30-minute grid.
    const out: Period[] = []
    let cursor = 0
    for (const [gap, len] of parts) {
      const from = cursor + gap * 30
      const to = Math.min(from + len * 30, 1440)
      if (from >= 1440 || to <= from) break
      out.push({ from: fmt(from), to: fmt(to) })
      cursor = to
    }
    return out.length ? out : [{ from: '09:00', to: '12:00' }]
  })

  it('property: slots lie inside opening periods, never overlap, and hold floor(places × slots) in total', () => {
    fc.assert(
      fc.property(
        periodArb,
        fc.constantFrom(10, 15, 30, 60),
        fc.integer({ min: 5, max: 120 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 6 }),
        (periods, grid, duration, windows) => {
          const slots = planSlots({ periods, officeSlotMinutes: grid, durationMinutes: duration, windows, serviceId: 's' })
          const len = slotLength(grid, duration)
          for (const s of slots) {
            expect(toMinutes(s.endTime) - toMinutes(s.startTime)).toBe(len)
            expect(periods.some((p) => toMinutes(p.from) <= toMinutes(s.startTime) && toMinutes(s.endTime) <= toMinutes(p.to))).toBe(true)
          }
          for (let i = 1; i < slots.length; i++) expect(toMinutes(slots[i]!.startTime)).toBeGreaterThanOrEqual(toMinutes(slots[i - 1]!.endTime))
          const c = placesPerSlot(windows, len, duration)
          const total = slots.reduce((n, s) => n + s.capacity, 0)
          expect(total).toBe(Math.floor(c * slots.length + 1e-9))
          for (const s of slots) expect([Math.floor(c + 1e-9), Math.ceil(c - 1e-9)]).toContain(s.capacity)
        },
      ),
    )
  })

  it('validates weekly hours: seven days, no overlapping periods', () => {
    expect(WeeklyHours.safeParse(HOURS).success).toBe(true)
    expect(WeeklyHours.safeParse(HOURS.slice(0, 6)).success).toBe(false)
    const overlapping = [...HOURS]
    overlapping[1] = [
      { from: '09:00', to: '12:00' },
      { from: '11:00', to: '13:00' },
    ]
    expect(WeeklyHours.safeParse(overlapping).success).toBe(false)
    const inverted = [...HOURS]
    inverted[2] = [{ from: '12:00', to: '09:00' }]
    expect(WeeklyHours.safeParse(inverted).success).toBe(false)
  })
})

describe('booking window', () => {
  const now = chinaTime('2026-03-10', '10:00')

  it('offers today through today + daysAhead (7 by default)', () => {
    const dates = bookingDates(now, DEFAULT_POLICY)
    expect(dates[0]).toBe('2026-03-10')
    expect(dates.at(-1)).toBe('2026-03-17')
    expect(bookingDates(now, { ...DEFAULT_POLICY, sameDay: false })[0]).toBe('2026-03-11')
  })

  it('refuses slots too soon, too far ahead, or today when same-day booking is off', () => {
    const at = (date: string, hhmm: string) => ({ date, startsAt: chinaTime(date, hhmm) })
    expect(whyNotBookable(at('2026-03-10', '10:20'), now, DEFAULT_POLICY)).toBe('too_soon')
    expect(whyNotBookable(at('2026-03-10', '10:30'), now, DEFAULT_POLICY)).toBeNull()
    expect(whyNotBookable(at('2026-03-09', '15:00'), now, DEFAULT_POLICY)).toBe('too_soon')
    expect(whyNotBookable(at('2026-03-17', '16:30'), now, DEFAULT_POLICY)).toBeNull()
    expect(whyNotBookable(at('2026-03-18', '09:00'), now, DEFAULT_POLICY)).toBe('too_far')
    expect(whyNotBookable(at('2026-03-10', '15:00'), now, { ...DEFAULT_POLICY, sameDay: false })).toBe('same_day_closed')
  })

  it('property: every date offered is bookable at its last minute, and the day after the window is not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.boolean(), fc.integer({ min: 0, max: 23 * 60 }), (daysAhead, sameDay, minute) => {
        const policy = { ...DEFAULT_POLICY, daysAhead, sameDay, minLeadMinutes: 0 }
        const t = new Date(chinaTime('2026-05-01', '00:00').getTime() + minute * 60_000)
        const dates = bookingDates(t, policy)
        expect(dates).toHaveLength(daysAhead + (sameDay ? 1 : 0))
        for (const d of dates) expect(whyNotBookable({ date: d, startsAt: chinaTime(d, '23:59') }, t, policy)).toBeNull()
        const after = addCalendarDays(dates.at(-1) as string, 1)
        expect(whyNotBookable({ date: after, startsAt: chinaTime(after, '09:00') }, t, policy)).toBe('too_far')
      }),
    )
  })
})

describe('cancellation cut-off', () => {
  const startsAt = chinaTime('2026-03-12', '09:00')

  it('defaults to the end of the day before', () => {
    expect(cancelDeadline('2026-03-12', startsAt, DEFAULT_POLICY).toISOString()).toBe(new Date(chinaTime('2026-03-12', '00:00').getTime() - 1).toISOString())
    expect(canStillCancel('2026-03-12', startsAt, chinaTime('2026-03-11', '23:59'), DEFAULT_POLICY)).toBe(true)
    expect(canStillCancel('2026-03-12', startsAt, chinaTime('2026-03-12', '00:00'), DEFAULT_POLICY)).toBe(false)
  })

  it('can be configured as hours before the slot', () => {
    const policy = { ...DEFAULT_POLICY, cancel: { mode: 'hours_before' as const, hours: 2 } }
    expect(canStillCancel('2026-03-12', startsAt, chinaTime('2026-03-12', '07:00'), policy)).toBe(true)
    expect(canStillCancel('2026-03-12', startsAt, chinaTime('2026-03-12', '07:01'), policy)).toBe(false)
  })

  it('property: the deadline never falls after the slot starts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1439 }),
        fc.constantFrom('end_of_day_before', 'hours_before'),
        fc.integer({ min: 0, max: 72 }),
        (minute, mode, hours) => {
          const s = slotInstant('2026-06-15', `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`)
          expect(cancelDeadline('2026-06-15', s, { cancel: { mode: mode as 'hours_before', hours } }).getTime()).toBeLessThanOrEqual(s.getTime())
        },
      ),
    )
  })
})

describe('check-in window', () => {
  const startsAt = chinaTime('2026-03-12', '09:00')
  it('opens an hour before and closes half an hour after the slot starts', () => {
    expect(canSelfCheckIn(startsAt, chinaTime('2026-03-12', '07:59'), DEFAULT_POLICY)).toBe('early')
    expect(canSelfCheckIn(startsAt, chinaTime('2026-03-12', '08:00'), DEFAULT_POLICY)).toBeNull()
    expect(canSelfCheckIn(startsAt, chinaTime('2026-03-12', '09:30'), DEFAULT_POLICY)).toBeNull()
    expect(canSelfCheckIn(startsAt, chinaTime('2026-03-12', '09:31'), DEFAULT_POLICY)).toBe('late')
    expect(isOnTime(chinaTime('2026-03-12', '09:30'), startsAt, DEFAULT_POLICY)).toBe(true)
    expect(isOnTime(chinaTime('2026-03-12', '09:31'), startsAt, DEFAULT_POLICY)).toBe(false)
  })
})

describe('no-show policy', () => {
  const p = DEFAULT_POLICY.noShow
  const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000)

  it('counts strikes before it bites, then blocks for 30 days at the third in 90 days', () => {
    expect(noShowStatus([], day(0), p)).toEqual({ strikes: 0, blocked: false, blockedUntil: null })
    expect(noShowStatus([day(0), day(10)], day(20), p)).toEqual({ strikes: 2, blocked: false, blockedUntil: null })
    const third = noShowStatus([day(0), day(10), day(50)], day(60), p)
    expect(third).toEqual({ strikes: 0, blocked: true, blockedUntil: day(80) })
    expect(noShowStatus([day(0), day(10), day(50)], day(80), p).blocked).toBe(false)
  })

  it('lets strikes older than 90 days lapse', () => {
    expect(noShowStatus([day(0), day(10), day(95)], day(96), p)).toEqual({ strikes: 2, blocked: false, blockedUntil: null })
    expect(noShowStatus([day(0), day(10)], day(95), p).strikes).toBe(1)
  })

  it('ignores no-shows in the future of the evaluation time', () => {
    expect(noShowStatus([day(0), day(1), day(5)], day(2), p)).toEqual({ strikes: 2, blocked: false, blockedUntil: null })
  })

  it('property: fewer no-shows than the limit never block; strikes stay below the limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 12 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 0, max: 60 }),
        (days, nowDay, limit, windowDays, blockDays) => {
          const policy = { limit, windowDays, blockDays }
          const r = noShowStatus(
            days.map((d) => day(d)),
            day(nowDay),
            policy,
          )
          expect(r.strikes).toBeLessThan(limit)
          if (days.filter((d) => d <= nowDay).length < limit) expect(r.blocked).toBe(false)
          if (r.blocked) expect(r.blockedUntil!.getTime()).toBeGreaterThan(day(nowDay).getTime())
          // Order of input does not matter.
          expect(
            noShowStatus(
              [...days].reverse().map((d) => day(d)),
              day(nowDay),
              policy,
            ),
          ).toEqual(r)
        },
      ),
    )
  })
})

describe('numbers and distances', () => {
  it('formats queue numbers with a per-service prefix', () => {
    expect(formatTicketNumber('A', 12)).toBe('A012')
    expect(formatTicketNumber('B', 1)).toBe('B001')
    expect(formatTicketNumber('C', 1234)).toBe('C1234')
  })

  it('sorts offices nearest first, unknown positions last', () => {
    const offices = [
      { name: '乙', position: { lat: 30.7, lng: 104.1 } },
      { name: '甲', position: null },
      { name: '丙', position: { lat: 30.66, lng: 104.06 } },
    ]
    const sorted = sortByDistance(offices, { lat: 30.66, lng: 104.07 })
    expect(sorted.map((o) => o.name)).toEqual(['丙', '乙', '甲'])
    expect(sorted[0]?.distanceMeters).toBeGreaterThan(0)
    expect(sortByDistance(offices, null).every((o) => o.distanceMeters === null)).toBe(true)
    expect(Math.round(distanceMeters({ lat: 0, lng: 0 }, { lat: 0, lng: 1 }) / 1000)).toBe(111)
  })
})

function fmt(m: number) {
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
}
