import { describe, expect, it } from 'vitest'
import { isValidPlate, normalisePlate, PlateNumber } from '../plate'
import { maskPlate } from './privacy'

// The zombie-car plate rule: province character + letter + 5 characters (6 for new-energy), no I or O.
const VALID: [string, string][] = [
  ['川A12345', '川A12345'],
  ['川h12345', '川H12345'],
  ['川A·1234学', '川A1234学'],
  ['渝AD12345', '渝AD12345'],
  ['川A12345D', '川A12345D'],
  ['京N8P8F8', '京N8P8F8'],
  ['粤B 12345', '粤B12345'],
  ['川ＡＢ１２３４', '川AB1234'],
  ['沪AF01234', '沪AF01234'],
]

const INVALID: [string, string][] = [
  ['', 'empty'],
  ['A12345', 'no province character'],
  ['川12345', 'no issuing letter'],
  ['川A1234', 'too short'],
  ['川A123456', 'seven characters after the letter, not new-energy'],
  ['川AI2345', 'letter I'],
  ['川AO2345', 'letter O'],
  ['川I12345', 'issuing letter I'],
  ['川A12O45', 'letter O inside'],
  ['港A12345', 'not a province'],
  ['川AD12X45', 'new-energy: the last four are digits'],
  ['川AD123456', 'too long'],
  ['川A1234!', 'punctuation'],
  ['川AZ12345', 'Z is not a new-energy letter'],
]

describe('plate validation', () => {
  for (const [input, normalised] of VALID) {
    it(`accepts ${input} as ${normalised}`, () => {
      expect(isValidPlate(input)).toBe(true)
      expect(normalisePlate(input)).toBe(normalised)
      expect(PlateNumber.parse(input)).toBe(normalised)
    })
  }
  for (const [input, why] of INVALID) {
    it(`refuses ${JSON.stringify(input)} (${why})`, () => {
      expect(isValidPlate(input)).toBe(false)
      expect(PlateNumber.safeParse(input).success).toBe(false)
    })
  }
  it('masks plates for public views', () => {
    expect(maskPlate('川A12345')).toBe('川A1**45')
    expect(maskPlate('渝AD12345')).toBe('渝AD***45')
    expect(maskPlate(null)).toBe('')
  })
})
