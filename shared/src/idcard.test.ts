import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IdCardNumber, idCardCheckChar, isValidIdCard } from './idcard'

const pad = (n: number, w: number) => String(n).padStart(w, '0')

/** Any well-formed number: region, a real birth date, sequence, and the right check character. */
const validId = fc
  .record({
    region: fc.integer({ min: 110000, max: 659999 }),
    birth: fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true }),
    seq: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ region, birth, seq }) => {
    const first17 = `${region}${birth.getUTCFullYear()}${pad(birth.getUTCMonth() + 1, 2)}${pad(birth.getUTCDate(), 2)}${pad(seq, 3)}`
    return first17 + idCardCheckChar(first17)
  })

describe('ID card numbers', () => {
  it('accepts known valid numbers, including an X check character in either case', () => {
    expect(isValidIdCard('11010519491231002X')).toBe(true)
    expect(isValidIdCard('11010519491231002x')).toBe(true)
    expect(isValidIdCard('440524188001010014')).toBe(false) // born before 1900
    expect(isValidIdCard('110101199003074477')).toBe(true)
  })

  it('rejects wrong lengths, letters in the body and impossible dates', () => {
    expect(isValidIdCard('11010519491231002')).toBe(false)
    expect(isValidIdCard('11010519491231002X1')).toBe(false)
    expect(isValidIdCard('1101051949123A002X')).toBe(false)
    const feb30 = '11010519900230001'
    expect(isValidIdCard(feb30 + idCardCheckChar(feb30))).toBe(false)
  })

  it('accepts every well-formed number with the right check character', () => {
    fc.assert(fc.property(validId, (id) => isValidIdCard(id)))
  })

  it('rejects any number whose check character is changed', () => {
    fc.assert(
      fc.property(validId, fc.constantFrom(...'0123456789X'), (id, c) => {
        fc.pre(c !== id[17])
        return !isValidIdCard(id.slice(0, 17) + c)
      }),
    )
  })

  it('detects any single changed digit (the checksum catches every one-digit error)', () => {
    fc.assert(
      fc.property(validId, fc.integer({ min: 0, max: 16 }), fc.integer({ min: 1, max: 9 }), (id, pos, delta) => {
        const digit = (Number(id[pos]) + delta) % 10
        const changed = id.slice(0, pos) + digit + id.slice(pos + 1)
        return !isValidIdCard(changed)
      }),
    )
  })

  it('normalises case and surrounding spaces in the schema', () => {
    expect(IdCardNumber.parse(' 11010519491231002x ')).toBe('11010519491231002X')
    expect(IdCardNumber.safeParse('110105194912310021').success).toBe(false)
  })
})
