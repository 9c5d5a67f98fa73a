import { describe, expect, it } from 'vitest'
import { apiSort, isTypingTarget, queueKey } from './keyboard'

describe('queue keyboard', () => {
  it('moves with J/K and the arrows, staying inside the list', () => {
    expect(queueKey('j', -1, 5, false)).toEqual({ type: 'move', index: 0 })
    expect(queueKey('j', 0, 5, false)).toEqual({ type: 'move', index: 1 })
    expect(queueKey('ArrowDown', 4, 5, false)).toEqual({ type: 'move', index: 4 })
    expect(queueKey('k', 0, 5, false)).toEqual({ type: 'move', index: 0 })
    expect(queueKey('ArrowUp', 3, 5, false)).toEqual({ type: 'move', index: 2 })
    expect(queueKey('End', 0, 5, false)).toEqual({ type: 'move', index: 4 })
    expect(queueKey('Home', 3, 5, false)).toEqual({ type: 'move', index: 0 })
  })

  it('opens the selected row with Enter, focuses the search with /', () => {
    expect(queueKey('Enter', 2, 5, false)).toEqual({ type: 'open', index: 2 })
    expect(queueKey('Enter', -1, 5, false)).toEqual({ type: 'none' })
    expect(queueKey('/', 0, 0, false)).toEqual({ type: 'search' })
  })

  it('stays out of the way while typing, and on an empty list', () => {
    expect(queueKey('j', 0, 5, true)).toEqual({ type: 'none' })
    expect(queueKey('j', -1, 0, false)).toEqual({ type: 'none' })
    const input = document.createElement('input')
    expect(isTypingTarget(input)).toBe(true)
    expect(isTypingTarget(document.createElement('div'))).toBe(false)
  })

  it('maps table sorting onto the queue API', () => {
    expect(apiSort('dueAt', 'asc')).toBe('due')
    expect(apiSort(undefined, undefined)).toBe('due')
    expect(apiSort('submittedAt', 'asc')).toBe('submitted')
    expect(apiSort('submittedAt', 'desc')).toBe('-submitted')
  })
})
