import { describe, expect, it } from 'vitest'
import { keyAction } from './keys'

const press = (key: string, over: Partial<KeyboardEvent> = {}, target: Element | null = document.body) =>
  keyAction({ key, ctrlKey: false, metaKey: false, altKey: false, repeat: false, target, ...over } as KeyboardEvent)

describe('window console keys', () => {
  it('should map one key to each action', () => {
    expect([' ', 'n', 'N', 'F2', 'r', 's', 'Enter', 'x', 't'].map((k) => press(k))).toEqual([
      'call',
      'call',
      'call',
      'call',
      'recall',
      'start',
      'complete',
      'skip',
      'transfer',
    ])
    expect(press('q')).toBeNull()
  })

  it('should leave typing, modifiers and held keys alone', () => {
    const input = document.createElement('input')
    document.body.append(input)
    expect(press('n', {}, input)).toBeNull()
    expect(press('n', { ctrlKey: true })).toBeNull()
    expect(press('Enter', { repeat: true })).toBeNull()
    input.remove()
  })
})
