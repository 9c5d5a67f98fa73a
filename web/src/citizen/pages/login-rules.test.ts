import { PHONE_RE, normalisePhone as sharedNormalise } from '@tp/shared/phone'
import { describe, expect, it } from 'vitest'
import { codeProblem, normalisePhone, PHONE_PATTERN, phoneProblem } from './login-rules'

describe('sign-in form rules', () => {
  it('mirror the shared phone rule exactly', () => {
    expect(PHONE_PATTERN.source).toBe(PHONE_RE.source)
    for (const input of ['138 0013 8000', '+8613800138000', '１３８００１３８０００', '138-0013-8000']) {
      expect(normalisePhone(input)).toBe(sharedNormalise(input))
    }
  })

  it('explain a missing or malformed phone number', () => {
    expect(phoneProblem('')).toBe('phoneRequired')
    expect(phoneProblem('1380013800')).toBe('phoneInvalid')
    expect(phoneProblem('12800138000')).toBe('phoneInvalid')
    expect(phoneProblem('138 0013 8000')).toBeNull()
  })

  it('explain a missing or malformed code', () => {
    expect(codeProblem('')).toBe('codeRequired')
    expect(codeProblem('12345')).toBe('codeInvalid')
    expect(codeProblem('12a456')).toBe('codeInvalid')
    expect(codeProblem('123456')).toBeNull()
  })
})
