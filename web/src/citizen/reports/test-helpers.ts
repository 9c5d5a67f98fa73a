import { DEFAULT_KINDS } from '@tp/shared/reports/kinds'
import { vi } from 'vitest'
import { api } from '@/api/client'
import citizenReports from './i18n'

/** Messages of this feature, as the shell merges them (under `reports`). */
export const reportsMessages = { './reports/i18n.ts': { default: citizenReports } }
export const kinds = DEFAULT_KINDS

export function answer<T>(data: T, status = 200) {
  return { data, error: undefined, response: new Response(null, { status }) }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT'

/** Replaces the API client's calls with a handler keyed by "METHOD path". */
export function mockApi(handler: (method: Method, path: string, init: unknown) => unknown) {
  const methods = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'] as const
  const spies = methods.map((m) => vi.spyOn(api, m).mockImplementation(((path: string, init: unknown) => Promise.resolve(handler(m, path, init))) as never))
  return {
    calls: (method: Method, path: string) =>
      spies
        .flatMap((s, i) => s.mock.calls.map((c) => ({ method: methods[i], path: c[0] as string, init: c[1] as unknown })))
        .filter((c) => c.method === method && c.path === path),
    restore: () => {
      for (const s of spies) s.mockRestore()
    },
  }
}

/** An EventSource the tests drive by hand. */
export class FakeEventSource {
  static CONNECTING = 0
  static OPEN = 1
  static CLOSED = 2
  static instances: FakeEventSource[] = []
  readyState = 1
  onerror: (() => void) | null = null
  onopen: (() => void) | null = null
  listeners = new Map<string, ((e: MessageEvent) => void)[]>()
  constructor(readonly url: string) {
    FakeEventSource.instances.push(this)
  }
  addEventListener(type: string, fn: (e: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn])
  }
  removeEventListener() {}
  close() {
    this.readyState = 2
  }
  emit(type: string, data: unknown) {
    for (const fn of this.listeners.get(type) ?? []) fn({ data: JSON.stringify(data) } as MessageEvent)
  }
}
