import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import { bookingErrorKey, formatWhen, groupCode, personProblems } from './api'

describe('booking form rules', () => {
  it('should check the name, the ID number and, when the vehicle is needed, the plate', () => {
    expect(personProblems({ name: '张三', idNumber: '11010519491231002X', plate: '' }, false)).toEqual({ name: '', idNumber: '', plate: '' })
    expect(personProblems({ name: '张', idNumber: '110105194912310021', plate: '' }, true)).toEqual({
      name: 'nameInvalid',
      idNumber: 'idNumberInvalid',
      plate: 'plateRequired',
    })
    expect(personProblems({ name: '张三', idNumber: '11010519491231002x', plate: '川A1234' }, true).plate).toBe('plateInvalid')
    expect(personProblems({ name: '张三', idNumber: '11010519491231002X', plate: '川A12345' }, true).plate).toBe('')
  })

  it('should group the code for reading out and format the time in China time', () => {
    expect(groupCode('K2CYZH5J')).toBe('K2CY ZH5J')
    expect(formatWhen({ date: '2026-03-11', startTime: '09:00', endTime: '09:30' }, 'zh-CN')).toBe('3月11日周三 09:00–09:30')
  })

  it('should prefer the feature’s own error message', () => {
    const te = (k: string) => k === 'bookings.errors.slot_full' || k === 'errors.generic'
    expect(bookingErrorKey(new ApiError(409, 'slot_full', 'x'), te)).toBe('bookings.errors.slot_full')
    expect(bookingErrorKey(new ApiError(409, 'something_else', 'x'), te)).toBe('errors.generic')
  })
})
