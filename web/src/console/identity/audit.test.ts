import { describe, expect, it } from 'vitest'
import { auditQuery, formatChange } from './audit'

describe('audit page helpers', () => {
  it('sends only filled-in filters, with the date range as ISO instants', () => {
    expect(auditQuery({ actor: ' admin ', action: '', entityType: '', entityId: '', range: null })).toEqual({ actor: 'admin' })
    expect(
      auditQuery({ actor: '', action: 'citizen.*', entityType: 'citizen', entityId: 'x', range: ['2026-03-01T00:00:00+08:00', '2026-03-02T00:00:00+08:00'] }),
    ).toEqual({
      action: 'citizen.*',
      entityType: 'citizen',
      entityId: 'x',
      from: '2026-02-28T16:00:00.000Z',
      to: '2026-03-01T16:00:00.000Z',
    })
  })

  it('formats before/after values as readable lines', () => {
    expect(formatChange(null)).toBe('')
    expect(formatChange({ phone: '138****5678', preferences: { notifySms: false } })).toBe('phone: 138****5678\npreferences: {"notifySms":false}')
  })
})
