import { describe, expect, it } from 'vitest'
import { orderFromElement, queryFromState, stateFromQuery } from './table-query'

describe('table state in the URL', () => {
  it('round-trips paging, sorting and filters', () => {
    const s = stateFromQuery({ page: '3', pageSize: '50', sort: 'dueAt', order: 'asc', state: 'open', q: '' })
    expect(s).toEqual({ page: 3, pageSize: 50, sort: 'dueAt', order: 'asc', filters: { state: 'open' } })
    expect(queryFromState(s)).toEqual({ page: '3', pageSize: '50', sort: 'dueAt', order: 'asc', state: 'open' })
  })

  it('ignores nonsense and falls back to defaults', () => {
    expect(stateFromQuery({ page: '-1', pageSize: '9999', order: 'sideways' }, { sort: 'createdAt', order: 'desc' })).toEqual({
      page: 1,
      pageSize: 20,
      sort: 'createdAt',
      order: 'desc',
      filters: {},
    })
  })

  it("maps Element Plus's sort order", () => {
    expect(orderFromElement('ascending')).toBe('asc')
    expect(orderFromElement('descending')).toBe('desc')
    expect(orderFromElement(null)).toBeUndefined()
  })
})
