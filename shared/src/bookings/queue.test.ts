import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bookingMachine, ticketMachine } from './machines'
import { announcement, compareQueue, isDue, orderQueue, type QueueEntry } from './queue'

const T0 = Date.UTC(2026, 2, 10, 1, 0) // 09:00 China time
const min = (m: number) => new Date(T0 + m * 60_000)

function entry(id: string, over: Partial<QueueEntry>): QueueEntry {
  return { id, kind: 'walk_in', onTime: false, slotStartsAt: null, issuedAt: min(0), seq: 1, transferred: false, ...over }
}

describe('queue ordering rule', () => {
  it('puts booked citizens checked in for their started slot ahead of earlier walk-ins', () => {
    const walkIn = entry('w', { issuedAt: min(-30), seq: 1 })
    const booked = entry('b', { kind: 'booked', onTime: true, slotStartsAt: min(0), issuedAt: min(-5), seq: 2 })
    expect(orderQueue([walkIn, booked], min(1)).map((e) => e.id)).toEqual(['b', 'w'])
  })

  it('treats an early booked citizen like a walk-in until the slot begins', () => {
    const walkIn = entry('w', { issuedAt: min(-30), seq: 1 })
    const early = entry('b', { kind: 'booked', onTime: true, slotStartsAt: min(30), issuedAt: min(-20), seq: 2 })
    expect(orderQueue([early, walkIn], min(0)).map((e) => e.id)).toEqual(['w', 'b'])
    expect(orderQueue([early, walkIn], min(30)).map((e) => e.id)).toEqual(['b', 'w'])
  })

  it('orders due bookings by slot start, then by check-in time', () => {
    const a = entry('a', { kind: 'booked', onTime: true, slotStartsAt: min(-30), issuedAt: min(-10), seq: 3 })
    const b = entry('b', { kind: 'booked', onTime: true, slotStartsAt: min(0), issuedAt: min(-40), seq: 1 })
    const c = entry('c', { kind: 'booked', onTime: true, slotStartsAt: min(0), issuedAt: min(-20), seq: 2 })
    expect(orderQueue([c, b, a], min(5)).map((e) => e.id)).toEqual(['a', 'b', 'c'])
  })

  it('sends late arrivals to the walk-in line', () => {
    const late = entry('l', { kind: 'booked', onTime: false, slotStartsAt: min(-60), issuedAt: min(-5), seq: 2 })
    const walkIn = entry('w', { issuedAt: min(-10), seq: 1 })
    expect(isDue(late, min(0))).toBe(false)
    expect(orderQueue([late, walkIn], min(0)).map((e) => e.id)).toEqual(['w', 'l'])
  })

  it('serves tickets transferred to the window first', () => {
    const due = entry('d', { kind: 'booked', onTime: true, slotStartsAt: min(-30), issuedAt: min(-40), seq: 1 })
    const moved = entry('t', { issuedAt: min(0), seq: 9, transferred: true })
    expect(orderQueue([due, moved], min(1)).map((e) => e.id)).toEqual(['t', 'd'])
  })

  const entryArb = fc.record({
    id: fc.uuid(),
    kind: fc.constantFrom('booked' as const, 'walk_in' as const),
    onTime: fc.boolean(),
    slot: fc.option(fc.integer({ min: -120, max: 120 }), { nil: null }),
    issued: fc.integer({ min: -180, max: 0 }),
    seq: fc.integer({ min: 1, max: 999 }),
    transferred: fc.boolean(),
  })
  const toEntry = (r: typeof entryArb extends fc.Arbitrary<infer T> ? T : never): QueueEntry => ({
    id: r.id,
    kind: r.kind,
    onTime: r.onTime,
    slotStartsAt: r.slot === null ? null : min(r.slot),
    issuedAt: min(r.issued),
    seq: r.seq,
    transferred: r.transferred,
  })

  it('property: a total order — antisymmetric, transitive, and independent of input order', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { minLength: 1, maxLength: 25 }), fc.integer({ min: -60, max: 60 }), (rs, nowMin) => {
        const now = min(nowMin)
        const es = rs.map(toEntry)
        for (const a of es) for (const b of es) expect(Math.sign(compareQueue(a, b, now)) + Math.sign(compareQueue(b, a, now))).toBe(0)
        const sorted = orderQueue(es, now)
        expect(orderQueue([...es].reverse(), now).map((e) => e.id)).toEqual(sorted.map((e) => e.id))
        for (let i = 1; i < sorted.length; i++) expect(compareQueue(sorted[i - 1]!, sorted[i]!, now)).toBeLessThanOrEqual(0)
      }),
    )
  })

  it('property: every due booking precedes every walk-in, and walk-ins keep first-come-first-served', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 25 }), fc.integer({ min: -60, max: 60 }), (rs, nowMin) => {
        const now = min(nowMin)
        const sorted = orderQueue(
          rs.map((r) => ({ ...toEntry(r), transferred: false })),
          now,
        )
        const firstOther = sorted.findIndex((e) => !isDue(e, now))
        if (firstOther >= 0) expect(sorted.slice(firstOther).every((e) => !isDue(e, now))).toBe(true)
        const walkIns = sorted.filter((e) => e.kind === 'walk_in')
        for (let i = 1; i < walkIns.length; i++) expect(walkIns[i]!.issuedAt.getTime()).toBeGreaterThanOrEqual(walkIns[i - 1]!.issuedAt.getTime())
      }),
    )
  })

  it('speaks the call in Chinese', () => {
    expect(announcement('A012', 3)).toBe('请A012号到3号窗口办理')
  })
})

describe('state machines', () => {
  it('lets a citizen reschedule, cancel and check in only a booked booking', () => {
    expect(bookingMachine.actionsFor('booked', 'citizen').sort()).toEqual(['cancel', 'check_in', 'reschedule'])
    expect(bookingMachine.actionsFor('checked_in', 'citizen')).toEqual([])
    expect(bookingMachine.next('booked', 'reschedule', 'citizen')).toBe('booked')
  })

  it('lets window staff check in a late arrival swept as no-show, but not the citizen', () => {
    expect(bookingMachine.next('no_show', 'check_in', 'window_staff')).toBe('checked_in')
    expect(bookingMachine.next('no_show', 'check_in', 'citizen')).toBeNull()
  })

  it('only the system or staff mark a no-show', () => {
    expect(bookingMachine.next('booked', 'mark_no_show', 'system')).toBe('no_show')
    expect(bookingMachine.next('booked', 'mark_no_show', 'citizen')).toBeNull()
  })

  it('walks a ticket through call, recall, start and complete', () => {
    expect(ticketMachine.next('waiting', 'call', 'window_staff')).toBe('called')
    expect(ticketMachine.next('called', 'recall', 'window_staff')).toBe('called')
    expect(ticketMachine.next('called', 'start', 'window_staff')).toBe('serving')
    expect(ticketMachine.next('serving', 'complete', 'window_staff')).toBe('done')
    expect(ticketMachine.actionsFor('done', 'window_staff')).toEqual([])
    expect(ticketMachine.next('waiting', 'complete', 'window_staff')).toBeNull()
    expect(ticketMachine.next('waiting', 'call', 'citizen')).toBeNull()
    expect(ticketMachine.next('waiting', 'call', 'dispatcher')).toBeNull()
  })

  it('types states for lists: done is fixed, skipped and transferred are closed', () => {
    expect(ticketMachine.typeOf('done')).toBe('fixed')
    expect(ticketMachine.statesOfType('closed').sort()).toEqual(['cancelled', 'no_show', 'transferred'])
    expect(bookingMachine.statesOfType('open').sort()).toEqual(['booked', 'checked_in'])
  })
})
