import type { Fixtures } from './fixtures'
import type { Req } from './lib'

export type { Req }

/** A load scenario measured on the portal and on its ceiling (the same SQL, nothing else). */
export interface Scenario {
  key: string
  title: string
  kind: 'read' | 'write'
  portal(f: Fixtures, i: number, run: string): Req
  ceiling(f: Fixtures, i: number, run: string): Req
}

const signedIn = (s: { cookie: string; csrf: string }, write = false): Record<string, string> =>
  write ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : { cookie: s.cookie }

const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length] as T

/**
 * The client address of the n-th citizen: the portal runs behind a reverse proxy (TRUST_PROXY)
 * and a city's phones come from many addresses, so per-address limits see each phone's own.
 */
export const ipOf = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`
const via = (n: number) => ({ 'x-forwarded-for': ipOf(n) })

/** Points inside the demo grids (春熙 … 高新): the city seed spreads reports over them. */
export function pointOf(i: number): { lat: number; lng: number } {
  const a = ((i * 7907) % 10007) / 10007
  const b = ((i * 6151) % 10009) / 10009
  return { lat: Math.round((30.635 + 0.05 * a) * 1e6) / 1e6, lng: Math.round((104.025 + 0.07 * b) * 1e6) / 1e6 }
}

export function reportBody(i: number) {
  const p = pointOf(i + 17)
  return {
    kind: 'congestion',
    lat: p.lat,
    lng: p.lng,
    locationSource: 'gps',
    address: `春熙路与总府路路口 ${i % 100} 号`,
    roadName: '春熙路',
    description: '路口车辆排队超过三百米，信号灯周期太短',
    attributes: { severity: 'slow' },
  }
}

/** A valid 18-digit ID card number (checksum included) for booking forms. */
export const BOOKING_ID_NUMBER = '11010519491231002X'

export const SCENARIOS: Scenario[] = [
  {
    key: 'my-cases',
    title: 'citizen "my cases" (我的办事)',
    kind: 'read',
    portal: (f, i) => ({ method: 'GET', path: '/api/me/cases', headers: { ...signedIn(pick(f.citizens, i)), ...via(i % f.citizens.length) } }),
    ceiling: (f, i) => ({ method: 'GET', path: `/c/my-cases?citizen=${pick(f.citizens, i).subjectId}` }),
  },
  {
    key: 'report-submit',
    title: 'report submit, no photo',
    kind: 'write',
    portal: (f, i, run) => {
      const c = pick(f.citizens, i)
      return {
        method: 'POST',
        path: '/api/reports',
        headers: { ...signedIn(c, true), ...via(i % f.citizens.length), 'idempotency-key': `bench-${run}-${i}`, 'content-type': 'application/json' },
        body: JSON.stringify(reportBody(i)),
      }
    },
    ceiling: (f, i, run) => ({
      method: 'POST',
      path: '/c/reports',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ citizenId: pick(f.citizens, i).subjectId, key: `bench-${run}-${i}`, ip: ipOf(i % f.citizens.length), report: reportBody(i) }),
    }),
  },
  {
    key: 'nearby',
    title: 'nearby duplicates',
    kind: 'read',
    portal: (_f, i) => {
      const p = pointOf(i)
      return { method: 'GET', path: `/api/reports/nearby?kind=congestion&lat=${p.lat}&lng=${p.lng}` }
    },
    ceiling: (_f, i) => {
      const p = pointOf(i)
      return { method: 'GET', path: `/c/nearby?kind=congestion&lat=${p.lat}&lng=${p.lng}` }
    },
  },
  {
    key: 'dispatcher-queue',
    title: 'dispatcher queue, filtered (open congestion)',
    kind: 'read',
    portal: (f) => ({ method: 'GET', path: '/api/console/reports?kind=congestion&stateType=open&limit=20', headers: signedIn(f.dispatcher) }),
    ceiling: () => ({ method: 'GET', path: '/c/dispatcher-queue' }),
  },
  {
    key: 'legal-queue',
    title: 'legal queue by due date, overdue',
    kind: 'read',
    portal: (f) => ({ method: 'GET', path: '/api/console/appeals?due=overdue&sort=due', headers: signedIn(f.legal) }),
    ceiling: () => ({ method: 'GET', path: '/c/legal-queue' }),
  },
  {
    key: 'slots',
    title: 'slot availability (one office, one date)',
    kind: 'read',
    portal: (f) => ({ method: 'GET', path: `/api/slots?officeId=${f.officeId}&serviceId=${f.licenceServiceId}&date=${f.slotDate}` }),
    ceiling: (f) => ({ method: 'GET', path: `/c/slots?officeId=${f.officeId}&serviceId=${f.licenceServiceId}&date=${f.slotDate}` }),
  },
]

/** The i-th booking attempt of a contention run (one citizen each). */
export function bookingAttempt(f: Fixtures, runIndex: number, i: number, target: 'portal' | 'ceiling', run: string): Req {
  const c = f.contention[runIndex] as Fixtures['contention'][number]
  const who = c.citizens[i % c.citizens.length] as Fixtures['citizens'][number]
  const form = { slotId: c.slotId, name: '市民', idNumber: BOOKING_ID_NUMBER }
  if (target === 'ceiling')
    return {
      method: 'POST',
      path: '/c/bookings',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ citizenId: who.subjectId, key: `bench-${run}-${i}`, ip: ipOf(50_000 + i), booking: form }),
    }
  return {
    method: 'POST',
    path: '/api/bookings',
    headers: { ...signedIn(who, true), ...via(50_000 + i), 'idempotency-key': `bench-${run}-${i}`, 'content-type': 'application/json' },
    body: JSON.stringify(form),
  }
}

/** Window `w` calls its next number. */
export function callNextRequest(f: Fixtures, w: number, target: 'portal' | 'ceiling'): Req {
  const win = f.windows[w] as Fixtures['windows'][number]
  if (target === 'ceiling') return { method: 'POST', path: `/c/windows/${win.id}/call-next?staff=${win.staff.subjectId}` }
  return {
    method: 'POST',
    path: `/api/console/bookings/windows/${win.id}/call-next`,
    headers: signedIn(win.staff, true),
  }
}
