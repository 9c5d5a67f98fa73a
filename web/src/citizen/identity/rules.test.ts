import { describe, expect, it } from 'vitest'
import { idNumberProblem, nameProblem, normaliseVin, plateProblem, vinProblem } from './rules'

describe('profile and vehicle form rules', () => {
  it('accepts an empty or valid ID number and rejects a wrong checksum', () => {
    expect(idNumberProblem('')).toBeNull()
    expect(idNumberProblem('11010519491231002x')).toBeNull()
    expect(idNumberProblem('110105194912310021')).toBe('idNumberInvalid')
    expect(idNumberProblem('12345')).toBe('idNumberInvalid')
  })

  it('rejects names with digits or markup', () => {
    expect(nameProblem('张三')).toBeNull()
    expect(nameProblem('张3')).toBe('nameInvalid')
    expect(nameProblem('<b>')).toBe('nameInvalid')
  })

  it('validates plates (ordinary and new energy) and VIN tails like the server', () => {
    expect(plateProblem('川A12345')).toBeNull()
    expect(plateProblem('渝AD12345')).toBeNull()
    expect(plateProblem('川 a 1234 5')).toBeNull()
    expect(plateProblem('川I12345')).toBe('plateInvalid')
    expect(vinProblem('ab12c3')).toBeNull()
    expect(normaliseVin(' ab12c3 ')).toBe('AB12C3')
    expect(vinProblem('AB12O3')).toBe('vinInvalid')
    expect(vinProblem('AB12')).toBe('vinInvalid')
  })
})
