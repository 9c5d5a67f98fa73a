import { describe, expect, it } from 'vitest'
import { contactPhone, initial, takeToken, tokenKey } from './evaluator'

function memory() {
  const m = new Map<string, string>()
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m }
}

describe('evaluator binding', () => {
  it('takes the token from the setup link and keeps it for that window', () => {
    const s = memory()
    expect(takeToken('w1', '#token=abcDEF_123-xyz', s)).toEqual({ token: 'abcDEF_123-xyz', fromLink: true })
    expect(s.m.get(tokenKey('w1'))).toBe('abcDEF_123-xyz')
    expect(takeToken('w1', '', s)).toEqual({ token: 'abcDEF_123-xyz', fromLink: false })
    expect(takeToken('w2', '', s)).toEqual({ token: null, fromLink: false })
  })

  it('ignores a malformed fragment', () => {
    expect(takeToken('w1', '#token=<script>', memory())).toEqual({ token: null, fromLink: false })
  })

  it('accepts an empty or valid call-back number', () => {
    expect(contactPhone('')).toBeNull()
    expect(contactPhone('139 1234 5678')).toBe('13912345678')
    expect(contactPhone('12345')).toBe('invalid')
    expect(initial('李窗口')).toBe('李')
  })
})
