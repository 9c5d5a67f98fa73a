import { describe, expect, it } from 'vitest'
import { type CachedSession, SessionCache } from './session-cache'

const row = (i: number): CachedSession => ({ id: `s${i}`, subjectType: 'citizen', subjectId: `c${i}` })

describe('session cache bounds', () => {
  it('holds at most maxEntries sessions, dropping the oldest first', () => {
    const cache = new SessionCache({ ttlMs: 10_000, maxEntries: 100 }, () => 0)
    for (let i = 0; i < 1_000; i++) cache.set(`h${i}`, row(i), cache.mark())
    expect(cache.size).toBe(100)
    expect(cache.get('h899')).toBeUndefined()
    expect(cache.get('h900')).toEqual(row(900))
    expect(cache.get('h999')).toEqual(row(999))
  })

  it('forgets expired sessions as new ones are stored, without their being read again', () => {
    let now = 0
    const cache = new SessionCache({ ttlMs: 10_000, maxEntries: 20_000 }, () => now)
    for (let i = 0; i < 500; i++) cache.set(`old${i}`, row(i), cache.mark())
    now = 10_001
    cache.set('new', row(1), cache.mark())
    expect(cache.size).toBe(1)
    expect(cache.get('new')).toEqual(row(1))
  })

  it('counts a session stored again as the newest', () => {
    const cache = new SessionCache({ ttlMs: 10_000, maxEntries: 2 }, () => 0)
    cache.set('a', row(1), cache.mark())
    cache.set('b', row(2), cache.mark())
    cache.set('a', row(1), cache.mark())
    cache.set('c', row(3), cache.mark())
    expect(cache.get('a')).toEqual(row(1))
    expect(cache.get('b')).toBeUndefined()
    expect(cache.size).toBe(2)
  })
})
