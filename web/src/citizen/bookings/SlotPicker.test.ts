import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { testI18n } from '@/i18n/testing'
import SlotPicker from './SlotPicker.vue'
import { bookingMessages } from './test-helpers'

const slot = (startTime: string, remaining: number, bookable = true) => ({
  id: `s-${startTime}`,
  date: '2026-03-11',
  startTime,
  endTime: startTime.replace(':00', ':30'),
  startsAt: '2026-03-11T01:00:00.000Z',
  capacity: 4,
  remaining,
  bookable,
})

describe('slot picker', () => {
  const slots = [slot('09:00', 2), slot('10:00', 0), slot('11:00', 3, false)]
  const render = (modelValue: string | null = null) =>
    mount(SlotPicker, { props: { slots, modelValue }, global: { plugins: [testI18n('zh-CN', bookingMessages)] } })

  it('should show places left and disable full or past slots', () => {
    const w = render()
    const buttons = w.findAll('button')
    expect(buttons.map((b) => b.text())).toEqual(['09:00–09:30剩余 2', '10:00–10:30已约满', '11:00–11:30不可约'])
    expect(buttons.map((b) => b.attributes('disabled') !== undefined)).toEqual([false, true, true])
  })

  it('should emit the chosen slot and mark it checked', async () => {
    const w = render('s-09:00')
    expect(w.find('[data-test="slot-09:00"]').attributes('aria-checked')).toBe('true')
    await w.find('[data-test="slot-09:00"]').trigger('click')
    expect(w.emitted('update:modelValue')?.[0]).toEqual(['s-09:00'])
    await w.find('[data-test="slot-10:00"]').trigger('click')
    expect(w.emitted('update:modelValue')).toHaveLength(1)
  })
})
