import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { maskIdCard, maskName, maskPersonalData, maskPhone, maskText } from './masking'

const phone = fc.tuple(fc.constantFrom(...'3456789'), fc.stringMatching(/^\d{9}$/)).map(([a, b]) => `1${a}${b}`)
const idNumber = fc.stringMatching(/^\d{17}[\dX]$/)

describe('masking', () => {
  it('masks in the documented shapes', () => {
    expect(maskPhone('13812345678')).toBe('138****5678')
    expect(maskIdCard('510104199001011234')).toBe('5101**********1234')
    expect(maskName('张三')).toBe('张*')
    expect(maskName('欧阳娜娜')).toBe('欧***')
    expect(maskName('李')).toBe('*')
    expect([maskPhone(null), maskIdCard(undefined), maskName('')]).toEqual(['', '', ''])
  })

  it('never reveals the middle digits of a phone number and keeps its length', () => {
    fc.assert(
      fc.property(phone, (p) => {
        const m = maskPhone(p)
        return m.length === p.length && m.slice(3, 7) === '****' && m.slice(0, 3) === p.slice(0, 3) && m.slice(-4) === p.slice(-4)
      }),
    )
  })

  it('shows at most 8 characters of an ID number and keeps its length', () => {
    fc.assert(
      fc.property(idNumber, (id) => {
        const m = maskIdCard(id)
        return m.length === id.length && [...m].filter((c) => c !== '*').length === 8 && m.slice(4, -4) === '*'.repeat(10)
      }),
    )
  })

  it('shows only the first character of a name', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 2, maxLength: 10, unit: 'grapheme-composite' }), (name) => {
        const m = [...maskName(name)]
        return m.length === [...name].length && m.slice(1).every((c) => c === '*')
      }),
    )
  })

  it('is total: any input gives a string and never throws', () => {
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: null }), (s) => {
        return typeof maskPhone(s) === 'string' && typeof maskIdCard(s) === 'string' && typeof maskName(s) === 'string'
      }),
    )
  })

  it('leaves no full phone or ID number in masked free text, and masking twice changes nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(phone, idNumber, fc.string({ maxLength: 8 })), { maxLength: 6 }), (parts) => {
        const text = parts.join(' ')
        const once = maskText(text)
        return !/(?<!\d)1[3-9]\d{9}(?!\d)/.test(once) && !/(?<!\d)\d{17}[\dX](?![\dA-Za-z])/.test(once) && maskText(once) === once
      }),
    )
  })

  it('masks personal data at any depth by key and by content, leaving other values alone', () => {
    const masked = maskPersonalData({
      phone: '13812345678',
      name: '城区一大队',
      nested: [{ idNumber: '510104199001011234', note: '请联系 13912345678' }],
      openid: 'oAbc123',
      count: 3,
      ok: true,
    })
    expect(masked).toEqual({
      phone: '138****5678',
      name: '城区一大队',
      nested: [{ idNumber: '5101**********1234', note: '请联系 139****5678' }],
      openid: '***',
      count: 3,
      ok: true,
    })
    expect(maskPersonalData(null)).toBeNull()
  })

  it('never leaves a generated phone number anywhere in a masked structure', () => {
    fc.assert(
      fc.property(phone, fc.jsonValue({ maxDepth: 3 }), (p, v) => {
        const out = JSON.stringify(maskPersonalData({ data: v, contact: { phone: p }, text: `tel ${p}` }))
        return !out.includes(p)
      }),
    )
  })
})
