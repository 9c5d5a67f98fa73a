import { describe, expect, it } from 'vitest'
import { dueLevel, isOverdue, nextDue } from './due'
import { DEFAULT_KINDS, KindConfig, validateAttributes } from './kinds'
import { publicLocation, publicText } from './privacy'
import { ReportCreate } from './schemas'

const kind = (code: string) => DEFAULT_KINDS.find((k) => k.code === code) as KindConfig
const t0 = new Date('2026-03-02T02:00:00Z')
const min = (n: number) => new Date(t0.getTime() + n * 60_000)

describe('response targets', () => {
  it('congestion: accept within 5 minutes, then on scene within 30', () => {
    const congestion = kind('congestion')
    expect(nextDue({ state: 'submitted', clockStartAt: t0, reached: {} }, congestion)).toEqual({ reason: 'accepted', dueAt: min(5) })
    expect(nextDue({ state: 'accepted', clockStartAt: t0, reached: { accepted: min(2) } }, congestion)).toEqual({ reason: 'on_scene', dueAt: min(30) })
    expect(nextDue({ state: 'dispatched', clockStartAt: t0, reached: {} }, congestion)).toEqual({ reason: 'on_scene', dueAt: min(30) })
    expect(nextDue({ state: 'on_scene', clockStartAt: t0, reached: {} }, congestion)).toBeNull()
    expect(nextDue({ state: 'resolved', clockStartAt: t0, reached: {} }, congestion)).toBeNull()
  })
  it('zombie car: verified within 3 days, then the notice and public-notice periods', () => {
    const z = kind('zombie_car')
    expect(nextDue({ state: 'dispatched', clockStartAt: t0, reached: {} }, z)).toEqual({ reason: 'verified', dueAt: min(3 * 24 * 60) })
    const noticeDueAt = min(10 * 24 * 60)
    expect(nextDue({ state: 'notice_posted', clockStartAt: t0, reached: { verified: min(60) }, noticeDueAt }, z)).toEqual({
      reason: 'notice_period',
      dueAt: noticeDueAt,
    })
    expect(nextDue({ state: 'towed', clockStartAt: t0, reached: { verified: min(60) } }, z)).toBeNull()
  })
  it('flags overdue and due-soon levels', () => {
    const due = { reason: 'accepted' as const, dueAt: min(5) }
    expect(isOverdue(due, min(4))).toBe(false)
    expect(isOverdue(due, min(6))).toBe(true)
    expect(dueLevel(min(5), min(6))).toBe('overdue')
    expect(dueLevel(min(30), min(25), t0)).toBe('soon')
    expect(dueLevel(min(3 * 24 * 60), t0, t0)).toBe('ok')
    expect(dueLevel(null, t0)).toBe('none')
  })
})

describe('kinds as configuration', () => {
  it('parses every default kind with its own schema', () => {
    for (const k of DEFAULT_KINDS) expect(KindConfig.parse(k)).toEqual(k)
  })
  it('validates extra fields against the kind', () => {
    const z = kind('zombie_car')
    expect(validateAttributes(z, { parked_for: 'gt30d' })).toEqual({})
    expect(validateAttributes(z, {})).toEqual({ parked_for: 'required' })
    expect(validateAttributes(z, { parked_for: 'forever' })).toEqual({ parked_for: 'not_an_option' })
    expect(validateAttributes(kind('congestion'), { colour: 'red' })).toEqual({ colour: 'unknown_field' })
  })
})

describe('report input', () => {
  const base = { kind: 'congestion', lat: 30.66, lng: 104.06, locationSource: 'gps', address: '人民南路二段', description: '车辆排队很长' }
  it('accepts a valid report and normalises the plate', () => {
    expect(ReportCreate.parse({ ...base, plate: '川a12345' }).plate).toBe('川A12345')
  })
  it('requires 5–500 characters of description', () => {
    expect(ReportCreate.safeParse({ ...base, description: '堵车' }).success).toBe(false)
    expect(ReportCreate.safeParse({ ...base, description: 'x'.repeat(501) }).success).toBe(false)
    expect(ReportCreate.safeParse({ ...base, description: '  很堵很堵很堵  ' }).success).toBe(true)
  })
  it('refuses unknown fields and more than nine photos', () => {
    expect(ReportCreate.safeParse({ ...base, reporter: 'me' }).success).toBe(false)
    const ids = Array.from({ length: 10 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`)
    expect(ReportCreate.safeParse({ ...base, photoIds: ids }).success).toBe(false)
  })
})

describe('privacy in public views', () => {
  it('coarsens open zombie cars only', () => {
    const p = { lat: 30.660123, lng: 104.060456 }
    expect(publicLocation('zombie', 'accepted', p).coarsened).toBe(true)
    expect(publicLocation('zombie', 'closed', p)).toEqual({ ...p, coarsened: false })
    expect(publicLocation('standard', 'submitted', p).coarsened).toBe(false)
  })
  it('masks plates, phone numbers and ID numbers in public text', () => {
    expect(publicText('川A12345 停了一个月，联系 13800138000', '川A12345')).toBe('川A1**45 停了一个月，联系 ***********')
    expect(publicText('身份证 11010519491231002X')).not.toContain('11010519491231002X')
  })
})
