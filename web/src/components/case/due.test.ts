import { describe, expect, it } from 'vitest'
import { chinaDate, dueInfo } from './due'

// 2026-03-10 10:00 China time
const now = new Date('2026-03-10T02:00:00Z')

describe('dueInfo', () => {
  it('counts China calendar days left', () => {
    expect(dueInfo('2026-03-20T15:59:59.999Z', now)).toMatchObject({ level: 'ok', days: 10, overdue: false, date: '2026-03-20' })
  })

  it('is due soon within three days, and today', () => {
    expect(dueInfo('2026-03-13T15:59:59Z', now)).toMatchObject({ level: 'soon', days: 3 })
    expect(dueInfo('2026-03-14T15:59:59Z', now)).toMatchObject({ level: 'ok', days: 4 })
    expect(dueInfo('2026-03-10T15:59:59Z', now)).toMatchObject({ level: 'soon', days: 0 })
  })

  it('is overdue once the due time has passed, counting whole days', () => {
    expect(dueInfo('2026-03-10T01:00:00Z', now)).toMatchObject({ level: 'overdue', days: 0, overdue: true })
    expect(dueInfo('2026-03-08T15:59:59Z', now)).toMatchObject({ level: 'overdue', days: 2 })
  })

  it('uses China dates, not UTC, around midnight', () => {
    expect(chinaDate(new Date('2026-03-10T16:30:00Z'))).toBe('2026-03-11')
  })

  it('has no level without a due time', () => {
    expect(dueInfo(null, now).level).toBe('none')
    expect(dueInfo('not a date', now).level).toBe('none')
  })
})
