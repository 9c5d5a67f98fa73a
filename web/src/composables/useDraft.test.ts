import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick } from 'vue'
import { useDraft } from './useDraft'

describe('useDraft', () => {
  beforeEach(() => {
    localStorage.clear()
    vi.useFakeTimers()
  })
  afterEach(() => vi.useRealTimers())

  it('keeps what was typed and restores it next time', async () => {
    const scope = effectScope()
    const first = scope.run(() => useDraft('reports.new', { description: '', address: '' }))!
    first.data.value.description = '人民路口拥堵'
    await nextTick()
    vi.advanceTimersByTime(400)
    scope.stop()

    const again = effectScope().run(() => useDraft('reports.new', { description: '', address: '' }))!
    expect(again.restored.value).toBe(true)
    expect(again.data.value).toEqual({ description: '人民路口拥堵', address: '' })
  })

  it('saves on leaving even before the debounce fires', async () => {
    const scope = effectScope()
    const d = scope.run(() => useDraft('appeal', { reason: '' }))!
    d.data.value.reason = '当时车辆故障'
    await nextTick()
    scope.stop()
    expect(JSON.parse(localStorage.getItem('tp.draft.appeal') ?? '{}').data).toEqual({ reason: '当时车辆故障' })
  })

  it('forgets the draft after submit', async () => {
    const scope = effectScope()
    const d = scope.run(() => useDraft('booking', { note: '' }))!
    d.data.value.note = 'x'
    await nextTick()
    vi.advanceTimersByTime(400)
    d.clear()
    scope.stop()
    expect(localStorage.getItem('tp.draft.booking')).toBeNull()
    expect(effectScope().run(() => useDraft('booking', { note: '' }))!.restored.value).toBe(false)
  })

  it('drops drafts that are too old', () => {
    localStorage.setItem('tp.draft.old', JSON.stringify({ savedAt: Date.now() - 40 * 86_400_000, data: { a: 'stale' } }))
    const d = effectScope().run(() => useDraft('old', { a: '' }))!
    expect(d.restored.value).toBe(false)
    expect(d.data.value.a).toBe('')
  })
})
