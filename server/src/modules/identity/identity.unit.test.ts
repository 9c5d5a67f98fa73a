import { StaffPassword } from '@tp/shared'
import { describe, expect, it } from 'vitest'
import { temporaryPassword } from './staff.service'
import { safeReturnPath } from './wechat.service'

describe('one-time staff passwords', () => {
  it('are 12 characters with letters and digits, no look-alikes, and valid staff passwords', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const pw = temporaryPassword()
      expect(pw).toMatch(/^[a-km-np-zA-HJ-NP-Z2-9]{12}$/)
      expect(StaffPassword.safeParse(pw).success).toBe(true)
      seen.add(pw)
    }
    expect(seen.size).toBe(200)
  })
})

describe('WeChat return paths', () => {
  it('keeps same-site paths and drops everything else', () => {
    expect(safeReturnPath('/me/profile?x=1')).toBe('/me/profile?x=1')
    for (const bad of [undefined, '', 'https://evil.example.com', '//evil.example.com', '/\\evil.example.com', 'me', '/a b', '/\u0000']) {
      expect(safeReturnPath(bad)).toBe('/')
    }
  })
})
