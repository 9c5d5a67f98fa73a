import { createServer, type Server as HttpServer, request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sql } from 'drizzle-orm'
import { afterAll, describe, expect, it } from 'vitest'
import { Client } from '../support/client'
import { type Agent, chinaDate, createStore, openStream, PG_URL, type Server, type Store, send, sessionsFor, sleep, startServer, stopServer } from './support'

/**
 * The production topology (server/deploy/README.md) in small: two stateless server processes on one
 * PostgreSQL database behind a round-robin reverse proxy — what server/deploy/nginx.conf does, in a
 * few lines of node:http, with streaming (unbuffered) responses for SSE. Only on PostgreSQL: the
 * embedded store belongs to one process.
 * - a session made on one process is valid on the other (sessions live in the database);
 * - a live-event (SSE) client held by one process receives an event published by the other (NOTIFY);
 * - concurrent bookings spread over both processes never overbook a slot.
 */

/** Round robin over `upstreams`; records which upstream served each request (by path). */
async function roundRobinProxy(upstreams: string[]) {
  let next = 0
  const served: { path: string; upstream: number }[] = []
  const server: HttpServer = createServer((req, res) => {
    const upstream = next++ % upstreams.length
    served.push({ path: req.url ?? '', upstream })
    const target = new URL(req.url ?? '/', upstreams[upstream])
    // As nginx does with proxy_add_x_forwarded_for: the client's address is appended.
    const forwarded = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ')
    const out = httpRequest(target, { method: req.method, headers: { ...req.headers, 'x-forwarded-for': forwarded } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      up.pipe(res)
    })
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    req.pipe(out)
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections()
        server.close(() => ok())
      }),
  }
}

const CAPACITY = 3
const BOOKERS = 16

if (PG_URL)
  describe('two server processes behind a round-robin proxy (PostgreSQL)', () => {
    let store: Store
    const servers: Server[] = []
    let proxy: Awaited<ReturnType<typeof roundRobinProxy>> | undefined
    afterAll(async () => {
      await proxy?.close()
      for (const s of servers) await stopServer(s, 'SIGKILL')
      await store?.drop()
    })

    it('shares sessions, live events and the slot counters', async () => {
      store = await createStore('pg')
      // A hall with one slot of CAPACITY places, citizens and the admin with sessions.
      let slotId = ''
      const db = await store.open()
      {
        const t = await store.app(db)
        const admin = await new Client(t, '10.80.0.1').signInStaff('admin')
        const offices = (await admin.get('/api/console/bookings/offices')).body.items
        const unitId = offices.find((o: { name: string }) => o.name === '市车辆管理所').unitId
        const licence = (await admin.get('/api/console/bookings/services')).body.items.find((s: { code: string }) => s.code === 'licence').id
        const week = [[], ...Array.from({ length: 6 }, () => [{ from: '09:00', to: '12:00' }])]
        const office = (
          await admin.post('/api/console/bookings/offices', { unitId, name: '拓扑测试大厅', kind: 'branch_hall', address: '测试路 5 号', hours: week })
        ).body
        await admin.put(`/api/console/bookings/offices/${office.id}/services`, { serviceIds: [licence] })
        await admin.post(`/api/console/bookings/offices/${office.id}/windows`, { number: 1, serviceIds: [licence] })
        const day = chinaDate(2)
        const hours = [{ from: '09:00', to: '12:00' }]
        expect(
          (await admin.put(`/api/console/bookings/offices/${office.id}/day-overrides`, { date: day, closed: false, hours, reason: '拓扑测试' })).status,
        ).toBe(200)
        const override = { date: day, serviceId: licence, startTime: '09:00', capacity: CAPACITY, reason: '拓扑测试' }
        expect((await admin.post(`/api/console/bookings/offices/${office.id}/capacity-overrides`, override)).status).toBeLessThan(300)
        const slots = (await admin.get(`/api/slots?officeId=${office.id}&serviceId=${licence}&date=${day}`)).body.items
        slotId = slots.find((s: { startTime: string }) => s.startTime === '09:00').id
        await t.close()
      }
      const phones = Array.from({ length: BOOKERS + 1 }, (_, i) => `1352000${String(i).padStart(4, '0')}`)
      const { citizens, staff } = await sessionsFor(db, { phones, staff: ['admin'] }, '10.81')
      await db.close()

      const [a, b] = [await startServer(store), await startServer(store)] as [Server, Server]
      servers.push(a, b)
      proxy = await roundRobinProxy([a.base, b.base])

      // Sessions: a staff sign-in on process A is valid on process B, and through the proxy.
      const login = await send(
        a.base,
        null,
        'POST',
        '/api/auth/staff/login',
        { username: 'dispatcher', password: 'demo12345' },
        { 'x-forwarded-for': '10.82.0.1' },
      )
      expect(login.status).toBe(200)
      const cookie = String(login.headers['set-cookie']).split(';')[0] as string
      const dispatcher: Agent = { cookie, csrf: login.body.csrfToken, ip: '10.82.0.1' }
      expect((await send(b.base, dispatcher, 'GET', '/api/me')).body).toMatchObject({ kind: 'staff', username: 'dispatcher' })
      const viaProxy = await Promise.all([1, 2, 3, 4].map(() => send(proxy!.base, dispatcher, 'GET', '/api/me')))
      expect(viaProxy.map((r) => r.status)).toEqual([200, 200, 200, 200])
      expect(new Set(proxy.served.filter((s) => s.path === '/api/me').map((s) => s.upstream))).toEqual(new Set([0, 1]))

      // Live events: the stream through the proxy lands on one process; a report is submitted on the other.
      const stream = openStream(proxy.base, staff.admin as Agent)
      await stream.ready
      const streamOn = proxy.served.findLast((s) => s.path.startsWith('/api/events'))?.upstream
      const other = streamOn === 0 ? b : a
      const reporter = citizens[BOOKERS] as Agent
      const report = {
        kind: 'congestion',
        lat: 30.6702,
        lng: 104.0601,
        locationSource: 'gps',
        address: '春熙路与总府路路口',
        description: '拓扑测试：路口拥堵',
      }
      const created = await send(other.base, reporter, 'POST', '/api/reports', report)
      expect(created.status).toBe(201)
      for (let waited = 0; !stream.received.some((e) => e.event === 'report.created' && e.data.includes(created.body.id)); waited += 100) {
        if (waited > 15_000) throw new Error(`no report.created on the other process's stream: ${stream.events.join(', ')}`)
        await sleep(100)
      }

      // Bookings: BOOKERS citizens at once through the proxy for CAPACITY places.
      const bookings = await Promise.all(
        citizens.slice(0, BOOKERS).map((who) => send(proxy!.base, who, 'POST', '/api/bookings', { slotId, name: '拓扑测试', idNumber: '11010519491231002X' })),
      )
      const statuses = bookings.map((r) => r.status).sort()
      expect(statuses.filter((s) => s === 201)).toHaveLength(CAPACITY)
      expect(statuses.filter((s) => s !== 201).every((s) => s === 409)).toBe(true)
      expect(new Set(proxy.served.filter((s) => s.path === '/api/bookings').map((s) => s.upstream))).toEqual(new Set([0, 1]))
      const check = await store.open()
      try {
        const rows = (await check.db.execute(
          sql`select s.booked, (select count(*)::int from bookings b where b.slot_id = s.id and b.state <> 'cancelled') as n from slots s where s.id = ${slotId}`,
        )) as unknown as { booked: number; n: number }[]
        expect(rows[0]).toEqual({ booked: CAPACITY, n: CAPACITY })
      } finally {
        await check.close()
      }
    })
  })
