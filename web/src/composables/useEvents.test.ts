import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { reconnectEvents, useEvents } from './useEvents'

class FakeEventSource {
  static CONNECTING = 0
  static OPEN = 1
  static CLOSED = 2
  static instances: FakeEventSource[] = []
  readyState = 0
  onerror: (() => void) | null = null
  listeners = new Map<string, ((e: MessageEvent) => void)[]>()
  closed = false
  constructor(
    readonly url: string,
    readonly init?: EventSourceInit,
  ) {
    FakeEventSource.instances.push(this)
  }
  addEventListener(type: string, fn: (e: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn])
  }
  close() {
    this.closed = true
    this.readyState = 2
  }
  emit(type: string, data: unknown) {
    for (const fn of this.listeners.get(type) ?? []) fn({ data: JSON.stringify(data) } as MessageEvent)
  }
  fail() {
    this.readyState = 2
    this.onerror?.()
  }
}

const last = () => FakeEventSource.instances[FakeEventSource.instances.length - 1] as FakeEventSource

describe('useEvents', () => {
  beforeEach(() => {
    FakeEventSource.instances = []
    vi.stubGlobal('EventSource', FakeEventSource)
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('delivers typed events to every subscriber over one connection', () => {
    const a = vi.fn()
    const b = vi.fn()
    const scope = effectScope()
    scope.run(() => {
      useEvents({ notification: a })
      useEvents({ notification: b, 'report.created': b })
    })
    expect(FakeEventSource.instances).toHaveLength(1)
    expect(last().url).toBe('/api/events')
    last().emit('notification', { id: 'n1' })
    expect(a).toHaveBeenCalledWith({ id: 'n1' }, 'notification')
    expect(b).toHaveBeenCalledTimes(1)
    scope.stop()
    expect(last().closed).toBe(true)
  })

  it('opens a separate stream for public channels', () => {
    const scope = effectScope()
    scope.run(() => {
      useEvents({ 'queue.called': () => {} }, { channels: ['hall:abc'] })
    })
    expect(last().url).toBe('/api/events?channels=hall%3Aabc')
    scope.stop()
  })

  it('reopens with backoff when the browser gives up, and tells subscribers it is back', () => {
    const onReconnect = vi.fn()
    const scope = effectScope()
    const { connected } = scope.run(() => useEvents({ notification: () => {} }, { onReconnect }))!
    last().emit('ready', {})
    expect(connected.value).toBe(true)
    last().fail()
    expect(connected.value).toBe(false)
    expect(FakeEventSource.instances).toHaveLength(1)
    vi.advanceTimersByTime(1000)
    expect(FakeEventSource.instances).toHaveLength(2)
    last().emit('ready', {})
    expect(onReconnect).toHaveBeenCalledTimes(1)
    expect(connected.value).toBe(true)
    scope.stop()
  })

  it('follows the server asking to reconnect at shutdown', () => {
    const scope = effectScope()
    scope.run(() => useEvents({ notification: () => {} }))
    const first = last()
    first.emit('reconnect', {})
    expect(first.closed).toBe(true)
    vi.advanceTimersByTime(1000)
    expect(last()).not.toBe(first)
    scope.stop()
  })

  it('reconnects on demand after sign-in', () => {
    const scope = effectScope()
    scope.run(() => useEvents({ notification: () => {} }))
    const first = last()
    reconnectEvents()
    expect(first.closed).toBe(true)
    expect(FakeEventSource.instances).toHaveLength(2)
    scope.stop()
  })
})
