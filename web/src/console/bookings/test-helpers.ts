import { vi } from 'vitest'
import { api } from '@/api/client'
import bookingsI18n from './i18n'

/** This feature's console messages, merged under `bookings` as the shell does. */
export const bookingMessages = { './bookings/i18n.ts': { default: bookingsI18n } }

export function answer<T>(data: T, status = 200) {
  return { data, error: undefined, response: new Response(null, { status }) }
}

export function failure(status: number, error: { code: string; message: string }) {
  return { data: undefined, error: { error }, response: new Response(null, { status }) }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT'

/** Replaces the API client's calls with a handler by method and path. */
export function mockApi(handler: (method: Method, path: string, init: any) => unknown) {
  const methods = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'] as const
  const spies = methods.map((m) => vi.spyOn(api, m).mockImplementation(((path: string, init: unknown) => Promise.resolve(handler(m, path, init))) as never))
  return {
    calls: (method: Method, path: string) =>
      spies
        .flatMap((s, i) => s.mock.calls.map((c) => ({ method: methods[i], path: c[0] as string, init: c[1] as any })))
        .filter((c) => c.method === method && c.path === path),
    restore: () => {
      for (const s of spies) s.mockRestore()
    },
  }
}

export function ticket(over: Record<string, unknown> = {}) {
  return {
    id: 't1',
    officeId: 'o1',
    date: '2026-03-10',
    number: 'C001',
    state: 'waiting',
    kind: 'booked',
    onTime: true,
    serviceId: 's1',
    serviceName: '驾驶证换证、补证',
    bookingId: 'b1',
    bookingCode: 'K2CYZH5J',
    nameMasked: '张*',
    slotStartsAt: '2026-03-10T01:00:00.000Z',
    issuedAt: '2026-03-10T00:50:00.000Z',
    calledAt: null,
    callCount: 0,
    windowId: null,
    windowNumber: null,
    targetWindowId: null,
    completedAt: null,
    servedBy: null,
    actions: ['call', 'transfer', 'cancel'],
    ...over,
  }
}
