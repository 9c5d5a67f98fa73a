import { describe, expect, it } from 'vitest'
import { dueParts } from './format'

describe('relative due time', () => {
  const now = Date.parse('2026-03-01T00:00:00Z')
  it('counts minutes, hours and days, both ways', () => {
    expect(dueParts('2026-03-01T00:04:10Z', now)).toEqual({ over: false, unit: 'm', n: 5 })
    expect(dueParts('not a date', now)).toBeNull()
    expect(dueParts('2026-02-28T22:00:00Z', now)).toEqual({ over: true, unit: 'h', n: 2 })
    expect(dueParts('2026-03-04T00:00:00Z', now)).toEqual({ over: false, unit: 'd', n: 3 })
    expect(dueParts(null, now)).toBeNull()
  })
})
