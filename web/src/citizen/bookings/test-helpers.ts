import { vi } from 'vitest'
import { api } from '@/api/client'
import bookingsI18n from './i18n'

/** This feature's messages, merged under `bookings` as the shell does. */
export const bookingMessages = { './bookings/i18n.ts': { default: bookingsI18n } }

/** An openapi-fetch style answer. */
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

export const SERVICE = {
  id: 's-lic',
  code: 'licence',
  name: '驾驶证换证、补证',
  prefix: 'C',
  durationMinutes: 15,
  materials: ['身份证明', '一寸照片'],
  vehicleNeeded: false,
  description: '换证补证',
  active: true,
  sortOrder: 10,
}
export const VEHICLE_SERVICE = { ...SERVICE, id: 's-ins', code: 'inspection', name: '机动车检验', prefix: 'D', vehicleNeeded: true }
const hours = [
  [],
  [{ from: '09:00', to: '12:00' }],
  [{ from: '09:00', to: '12:00' }],
  [{ from: '09:00', to: '12:00' }],
  [{ from: '09:00', to: '12:00' }],
  [{ from: '09:00', to: '12:00' }],
  [],
]
export const OFFICE = {
  id: 'o1',
  name: '滨江警务站',
  kind: 'police_station' as const,
  address: '滨江路 12 号',
  position: { lat: 30.6, lng: 104.1 },
  phone: null,
  directions: '公交 58 路',
  hours,
  slotMinutes: 30,
  serviceIds: ['s-lic'],
  distanceMeters: 1200,
}

export function booking(over: Record<string, unknown> = {}) {
  return {
    id: 'b1',
    code: 'K2CYZH5J',
    state: 'booked',
    stateType: 'open',
    office: { id: 'o1', name: '滨江警务站', address: '滨江路 12 号', phone: '028-1234', directions: '公交 58 路', position: null },
    service: { id: 's-lic', name: '驾驶证换证、补证', materials: ['身份证明', '一寸照片'], vehicleNeeded: false, durationMinutes: 15 },
    date: '2026-03-11',
    startTime: '09:00',
    endTime: '09:30',
    startsAt: '2026-03-11T01:00:00.000Z',
    endsAt: '2026-03-11T01:30:00.000Z',
    nameMasked: '张*',
    idNumberMasked: '1101**********002X',
    plate: null,
    createdAt: '2026-03-10T00:00:00.000Z',
    cancelDeadline: '2026-03-10T15:59:59.999Z',
    checkInOpensAt: '2026-03-11T00:00:00.000Z',
    checkInClosesAt: '2026-03-11T01:30:00.000Z',
    actions: ['cancel', 'reschedule'],
    ticket: null,
    qrSvg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    timeline: [
      { id: 'e1', at: '2026-03-10T00:00:00.000Z', action: 'create', actorRole: 'citizen', fromState: null, toState: 'booked', note: null, attachments: [] },
    ],
    ...over,
  }
}
