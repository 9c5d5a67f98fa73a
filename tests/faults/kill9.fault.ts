import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { citizens, staff } from '@tp/server/modules/identity/identity.tables'
import { createSession } from '@tp/server/modules/identity/sessions'
import type { Database } from '@tp/server/platform/db'
import { sql } from 'drizzle-orm'
import { afterAll, describe, expect, it } from 'vitest'
import { ticketRow } from '../api/appeals-support'
import { Client } from '../support/client'
import { type Agent, chinaDate, createStore, KINDS, type Reply, ROOT, type Server, type Store, send, sleep, startServer, stopServer } from './support'

/**
 * kill -9 in the middle of a write load, on the embedded store and on PostgreSQL: citizens submit
 * reports (with Idempotency-Keys), other citizens book appointments (with Idempotency-Keys), the
 * admin accepts reports and a legal officer decides appeals (维持), all at once; the server process
 * is killed without warning, then started again on the same data. Then:
 * - every write the server acknowledged (2xx) is there;
 * - nothing is half-written: every report has its first timeline event (`submit`), every booking
 *   its first event, every slot's counter equals its bookings, every decided appeal its decision
 *   event (and no decision event without the decision), no idempotency key is left "in progress",
 *   no report accepted or appeal decided twice;
 * - retrying the unacknowledged requests with the same keys succeeds exactly once (a request that
 *   committed before the kill replays its stored answer; one that did not runs afresh), and
 *   replaying every key again returns the same ids — for bookings, every key (acknowledged or not)
 *   yields one booking, the same id on every re-send.
 * Two kills per store. Figures go to tests/.artifacts/faults-kill9.json.
 */

const ROUNDS = Number(process.env.FAULT_ROUNDS ?? 2)
const REPORTERS = 6
const REPORTS_EACH = 14 // per round: 2 rounds stay under the 30-an-hour cap per citizen
const BOOKERS = 24 // per round, one booking each
/** Per slot: room for every booker of every round, so a re-sent booking is never legitimately refused as full. */
const SLOT_CAPACITY = 25
const APPEALS = 12 // per round, decided by one legal officer
/** A steady load rather than a burst, so staff decisions interleave with submissions on the single-connection embedded store. */
const PACE_MS = 150

interface Attempt {
  key: string
  who: Agent
  body: Record<string, unknown>
  status: number | 'no answer'
  id?: string
}

type Row = Record<string, unknown>
async function q(db: Database, text: string): Promise<Row[]> {
  const r = (await db.db.execute(sql.raw(text))) as unknown as Row[] | { rows: Row[] }
  return Array.isArray(r) ? r : r.rows
}

const figures: Record<string, unknown>[] = []
const diag: string[] = []
afterAll(() => {
  const dir = join(ROOT, 'tests/.artifacts')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'faults-kill9.json'), JSON.stringify(figures, null, 1))
  for (const f of figures) console.log(`kill -9: ${JSON.stringify(f)}`)
  if (process.env.FAULT_DEBUG) console.log(diag.join('\n'))
})

for (const kind of KINDS) {
  describe(`kill -9 during a write load (${kind})`, () => {
    let store: Store
    let server: Server | null = null
    afterAll(async () => {
      if (server) await stopServer(server, 'SIGKILL')
      await store?.drop()
    })

    it('keeps every acknowledged write, half-writes nothing, and retries succeed exactly once', { timeout: 900_000 }, async () => {
      store = await createStore(kind)
      // Set-up through the API in this process: a hall with slots tomorrow, citizens and sessions.
      const reporters: Agent[] = []
      const bookers: Agent[][] = []
      let adminAgent!: Agent
      let legalAgent!: Agent
      const appealsToDecide: { id: string; version: number; round: number; status: number | 'no answer' | 'not sent' }[] = []
      /** A request to the in-process app as an agent (set-up only). */
      const send0 = async (t: Awaited<ReturnType<Store['app']>>, who: Agent, method: string, path: string, body?: unknown) => {
        const c = new Client(t, who.ip)
        c.cookie = who.cookie
        c.csrf = who.csrf
        return c.request(method, path, body)
      }
      const slotIds: string[] = []
      {
        const db = await store.open()
        const t = await store.app(db)
        const admin = await new Client(t, '10.70.0.1').signInStaff('admin')
        const offices = (await admin.get('/api/console/bookings/offices')).body.items
        const unitId = offices.find((o: { name: string }) => o.name === '市车辆管理所').unitId
        const services = (await admin.get('/api/console/bookings/services')).body.items
        const licence = services.find((s: { code: string }) => s.code === 'licence').id
        const week = [[], ...Array.from({ length: 6 }, () => [{ from: '09:00', to: '12:00' }])]
        const office = (
          await admin.post('/api/console/bookings/offices', { unitId, name: '故障测试大厅', kind: 'branch_hall', address: '测试路 3 号', hours: week })
        ).body
        await admin.put(`/api/console/bookings/offices/${office.id}/services`, { serviceIds: [licence] })
        await admin.post(`/api/console/bookings/offices/${office.id}/windows`, { number: 1, serviceIds: [licence] })
        const day = chinaDate(2)
        const opened = await admin.put(`/api/console/bookings/offices/${office.id}/day-overrides`, {
          date: day,
          closed: false,
          hours: [{ from: '09:00', to: '12:00' }],
          reason: '故障测试',
        })
        expect(opened.status).toBe(200)
        for (const startTime of ['09:00', '09:30']) {
          await admin.post(`/api/console/bookings/offices/${office.id}/capacity-overrides`, {
            date: day,
            serviceId: licence,
            startTime,
            capacity: SLOT_CAPACITY,
            reason: '故障测试',
          })
        }
        const slots = (await admin.get(`/api/slots?officeId=${office.id}&serviceId=${licence}&date=${day}`)).body.items
        for (const s of slots) if (['09:00', '09:30'].includes(s.startTime)) slotIds.push(s.id)
        expect(slotIds).toHaveLength(2)
        const agent = async (phone: string, ip: string): Promise<Agent> => {
          const [c] = await db.db.insert(citizens).values({ phone, name: '故障测试' }).returning({ id: citizens.id })
          const s = await createSession(db.db, { type: 'citizen', id: c!.id }, 86_400_000, new Date())
          return { cookie: `tp_sid=${s.token}`, csrf: s.csrfToken, ip }
        }
        for (let i = 0; i < REPORTERS; i++) reporters.push(await agent(`1350000${String(i).padStart(4, '0')}`, `10.71.0.${i + 1}`))
        for (let r = 0; r < ROUNDS; r++) {
          bookers.push([])
          for (let i = 0; i < BOOKERS; i++) bookers[r]!.push(await agent(`135100${r}${String(i).padStart(4, '0')}`, `10.72.${r}.${i + 1}`))
        }
        const staffAgent = async (username: string, ip: string): Promise<Agent> => {
          const [row] = await db.db.select({ id: staff.id }).from(staff).where(sql`${staff.username} = ${username}`)
          const s = await createSession(db.db, { type: 'staff', id: row!.id }, 86_400_000, new Date())
          return { cookie: `tp_sid=${s.token}`, csrf: s.csrfToken, ip }
        }
        adminAgent = await staffAgent('admin', '10.73.0.1')
        legalAgent = await staffAgent('legal', '10.73.0.2')
        // Appeals filed by citizens and accepted by the legal officer (assigned to themselves), ready for a decision.
        const legalId = (await send0(t, legalAgent, 'GET', '/api/me')).body.id
        const rows = Array.from({ length: ROUNDS * APPEALS }, (_, i) => ticketRow({ plate: `川A${String(81000 + i)}` }))
        expect((await admin.post('/api/tickets/import', { tickets: rows })).status).toBe(200)
        for (const [i, row] of rows.entries()) {
          const citizen = await agent(`1352000${String(i).padStart(4, '0')}`, `10.74.0.${i + 1}`)
          const form = new FormData()
          const fields = {
            decisionNo: row.decisionNo,
            plate: row.plate,
            grounds: 'camera_misread',
            statement: '抓拍照片中的车辆不是我的车，号牌尾号识别错误，请核实。',
            contactPhone: '13520000000',
          }
          for (const [k, v] of Object.entries(fields)) form.append(k, v)
          const filed = await send0(t, citizen, 'POST', '/api/appeals', form)
          expect(filed.status, JSON.stringify(filed.body)).toBe(201)
          const accepted = await send0(t, legalAgent, 'POST', `/api/console/appeals/${filed.body.id}/accept`, { version: filed.body.version, assign: legalId })
          expect(accepted.status, JSON.stringify(accepted.body)).toBe(200)
          appealsToDecide.push({ id: accepted.body.id, version: accepted.body.version, round: 1 + Math.floor(i / APPEALS), status: 'not sent' })
        }
        await t.close()
        await db.close()
      }

      server = await startServer(store)
      const reportAttempts: Attempt[] = []
      const bookingAttempts: Attempt[] = []
      const accepts: { id: string; round: number; status: number | 'no answer' }[] = []

      for (let round = 1; round <= ROUNDS; round++) {
        const s = server as Server
        let stop = false
        const guard = async (p: Promise<Reply>): Promise<Reply | null> => p.catch(() => null)
        // Citizens filing reports, each request with its own Idempotency-Key.
        const reporting = reporters.map(async (who, i) => {
          for (let n = 0; n < REPORTS_EACH && !stop; n++) {
            const key = `kill9-${kind}-${round}-${i}-${n}`
            const body = {
              kind: 'congestion',
              lat: 30.6702,
              lng: 104.0601,
              locationSource: 'gps',
              address: '春熙路与总府路路口',
              description: `故障测试 ${key}`,
            }
            const a: Attempt = { key, who, body, status: 'no answer' }
            reportAttempts.push(a)
            const res = await guard(send(s.base, who, 'POST', '/api/reports', body, { 'idempotency-key': key }))
            if (res) {
              a.status = res.status
              if (res.status === 201) a.id = res.body.id
            }
            await sleep(PACE_MS)
          }
        })
        // Citizens booking, one each, with keys.
        const booking = bookers[round - 1]!.map(async (who, i) => {
          await sleep(i * PACE_MS)
          if (stop) return
          const key = `kill9-${kind}-${round}-b${i}`
          const body = { slotId: slotIds[i % 2], name: '故障测试', idNumber: '11010519491231002X' }
          const a: Attempt = { key, who, body, status: 'no answer' }
          bookingAttempts.push(a)
          const t0 = Date.now()
          const res = await guard(send(s.base, who, 'POST', '/api/bookings', body, { 'idempotency-key': key }))
          diag.push(`booking ${i} ${res?.status} after ${Date.now() - t0} ms ${res?.text.slice(0, 100)}`)
          if (res) {
            a.status = res.status
            if (res.status === 201) a.id = res.body.id
          }
        })
        // The admin accepting acknowledged reports (a staff decision with optimistic locking; a new
        // report is at version 0), two at a time.
        const seen = new Set<string>()
        const deciding = [0, 1].map(async () => {
          while (!stop) {
            const next = reportAttempts.find((a) => a.id && !seen.has(a.id) && a.key.includes(`-${kind}-${round}-`))
            if (!next?.id) {
              await sleep(20)
              continue
            }
            seen.add(next.id)
            const rec = { id: next.id, round, status: 'no answer' as number | 'no answer' }
            accepts.push(rec)
            const res = await guard(send(s.base, adminAgent, 'POST', `/api/console/reports/${next.id}/actions`, { action: 'accept', version: 0 }))
            diag.push(`accept ${res?.status} ${res?.text.slice(0, 80)}`)
            if (res) rec.status = res.status
          }
        })

        // The legal officer deciding this round's appeals (维持: takes effect at once), one after another.
        const upheld = {
          outcome: 'upheld',
          findings: '违法事实清楚、证据确凿',
          legalBasis: ['apl_45', 'rtsl_90'],
          replyText: '经复核，维持原处罚决定。',
        }
        const decisions = appealsToDecide.filter((a) => a.round === round)
        const decidingAppeals = (async () => {
          for (const a of decisions) {
            if (stop) return
            a.status = 'no answer'
            const res = await guard(send(s.base, legalAgent, 'POST', `/api/console/appeals/${a.id}/decision`, { version: a.version, ...upheld }))
            diag.push(`decision ${res?.status} ${res?.text.slice(0, 80)}`)
            if (res) a.status = res.status
            await sleep(PACE_MS)
          }
        })()

        // Kill once every kind of write has some acknowledged — with the rest still in flight.
        const deadline = Date.now() + 150_000
        const acked = (list: Attempt[]) => list.filter((a) => a.key.includes(`-${kind}-${round}-`) && a.status !== 'no answer').length
        while (
          (acked(reportAttempts) < 12 ||
            acked(bookingAttempts) < 6 ||
            accepts.filter((a) => a.status === 200 && a.round === round).length < 2 ||
            decisions.filter((a) => a.status === 200).length < 3) &&
          Date.now() < deadline
        )
          await sleep(10)
        const inFlight = reportAttempts.filter((a) => a.status === 'no answer').length + bookingAttempts.filter((a) => a.status === 'no answer').length
        s.child.kill('SIGKILL')
        const { signal } = await s.exited
        expect(signal).toBe('SIGKILL')
        stop = true
        await Promise.all([...reporting, ...booking, ...deciding, decidingAppeals])

        // Restart on the same data.
        server = await startServer(store)
        const r = server
        const mine = (list: Attempt[]) => list.filter((a) => a.key.includes(`-${kind}-${round}-`))
        const roundReports = mine(reportAttempts)
        const roundBookings = mine(bookingAttempts)
        const ackedReports = roundReports.filter((a) => a.status === 201)
        const ackedBookings = roundBookings.filter((a) => a.status === 201)
        const ackedAccepts = accepts.filter((a) => a.status === 200 && a.round === round)

        // 1. Every acknowledged write is there, through the API.
        let foundReports = 0
        for (const a of ackedReports) if ((await send(r.base, a.who, 'GET', `/api/reports/${a.id}`)).status === 200) foundReports++
        let foundBookings = 0
        for (const a of ackedBookings) if ((await send(r.base, a.who, 'GET', `/api/bookings/${a.id}`)).status === 200) foundBookings++
        let foundAccepts = 0
        for (const a of ackedAccepts) {
          const d = await send(r.base, adminAgent, 'GET', `/api/console/reports/${a.id}`)
          if (d.status === 200 && d.body.state !== 'submitted') foundAccepts++
        }
        const ackedDecisions = decisions.filter((a) => a.status === 200)
        let foundDecisions = 0
        for (const a of ackedDecisions) {
          const d = await send(r.base, legalAgent, 'GET', `/api/console/appeals/${a.id}`)
          if (d.status === 200 && d.body.state === 'decided' && d.body.decision?.outcome === 'upheld') foundDecisions++
        }

        // 2. Retrying what was not acknowledged, with the same keys: exactly once.
        const unacked = roundReports.filter((a) => a.status === 'no answer')
        const retried: Reply[] = []
        for (const a of unacked) {
          const res = await send(r.base, a.who, 'POST', '/api/reports', a.body, { 'idempotency-key': a.key })
          retried.push(res)
          expect(res.status, `${a.key}: ${res.text.slice(0, 200)}`).toBe(201)
          a.id = res.body.id
        }
        const replayedOnRetry = retried.filter((x) => x.headers['idempotent-replayed'] === 'true').length
        // Every key once more: the same id, replayed.
        for (const a of roundReports.filter((x) => x.id)) {
          const res = await send(r.base, a.who, 'POST', '/api/reports', a.body, { 'idempotency-key': a.key })
          expect(res.status).toBe(201)
          expect(res.headers['idempotent-replayed']).toBe('true')
          expect(res.body.id).toBe(a.id)
        }
        // Bookings: every key re-sent, acknowledged or not. Each yields one booking (there is room for
        // all): an acknowledged one its id, replayed; an unanswered one a booking, the same on a re-send.
        const unackedBookings = roundBookings.filter((a) => a.status === 'no answer')
        for (const a of roundBookings) {
          const res = await send(r.base, a.who, 'POST', '/api/bookings', a.body, { 'idempotency-key': a.key })
          expect(res.status, `${a.key}: ${res.text.slice(0, 200)}`).toBe(201)
          if (a.status === 201) {
            expect(res.headers['idempotent-replayed']).toBe('true')
            expect(res.body.id).toBe(a.id)
          }
          a.status = res.status
          a.id = res.body.id
          const again = await send(r.base, a.who, 'POST', '/api/bookings', a.body, { 'idempotency-key': a.key })
          expect([again.status, again.headers['idempotent-replayed'], again.body.id]).toEqual([201, 'true', a.id])
        }
        expect(new Set(roundBookings.map((a) => a.id)).size).toBe(roundBookings.length)
        // Appeal decisions that were not answered: decided before the kill, or decided now.
        const unackedDecisions = decisions.filter((a) => a.status === 'no answer')
        for (const a of decisions.filter((x) => x.status === 'no answer' || x.status === 'not sent')) {
          const d = await send(r.base, legalAgent, 'GET', `/api/console/appeals/${a.id}`)
          if (d.body.state !== 'decided') {
            const res = await send(r.base, legalAgent, 'POST', `/api/console/appeals/${a.id}/decision`, { version: d.body.version, ...upheld })
            expect(res.status, res.text.slice(0, 200)).toBe(200)
          }
        }
        for (const a of accepts.filter((x) => x.status === 'no answer' && x.round === round)) {
          const d = await send(r.base, adminAgent, 'GET', `/api/console/reports/${a.id}`)
          if (d.body.state === 'submitted') {
            const res = await send(r.base, adminAgent, 'POST', `/api/console/reports/${a.id}/actions`, { action: 'accept', version: d.body.version })
            expect(res.status).toBe(200)
          }
          a.status = 200
        }

        // 3. Nothing half-written, in the database itself.
        const check = async (db: Database) => {
          const keys = roundReports.map((a) => a.key)
          const perKey = await q(
            db,
            `select substring(description from 6) as key, count(*)::int as n from reports where description like '故障测试 kill9-${kind}-${round}-%' group by 1`,
          )
          const counts = new Map(perKey.map((x) => [String(x.key), Number(x.n)]))
          expect(
            keys.filter((k) => counts.get(k) !== 1),
            'every report key exactly once',
          ).toEqual([])
          expect(
            await q(db, `select r.id from reports r where not exists (select 1 from report_events e where e.report_id = r.id and e.action = 'submit')`),
          ).toEqual([])
          expect(
            await q(
              db,
              `select r.id from reports r join lateral (select action from report_events e where e.report_id = r.id order by e.seq limit 1) first on true where first.action <> 'submit'`,
            ),
          ).toEqual([])
          expect(await q(db, `select report_id from report_events where action = 'accept' group by report_id having count(*) > 1`)).toEqual([])
          expect(await q(db, `select b.id from bookings b where not exists (select 1 from booking_events e where e.booking_id = b.id)`)).toEqual([])
          expect(
            await q(
              db,
              `select s.id, s.booked, (select count(*)::int from bookings b where b.slot_id = s.id and b.state <> 'cancelled') as n from slots s where s.booked <> (select count(*) from bookings b where b.slot_id = s.id and b.state <> 'cancelled')`,
            ),
          ).toEqual([])
          expect(
            await q(db, `select citizen_id from bookings where state in ('booked','checked_in') group by citizen_id, service_id having count(*) > 1`),
          ).toEqual([])
          expect(await q(db, 'select key from idempotency_keys where status = 0')).toEqual([])
          // Every booking key of the round is one booking, and every booker has exactly that one.
          expect(await q(db, `select citizen_id from bookings where slot_id in ('${slotIds.join("','")}') group by citizen_id having count(*) > 1`)).toEqual([])
          // Appeal decisions: the decision and its timeline event together, once.
          expect(
            await q(
              db,
              `select a.id from appeals a where a.outcome is not null and not exists (select 1 from appeal_events e where e.appeal_id = a.id and e.action in ('uphold', 'correct', 'revoke'))`,
            ),
          ).toEqual([])
          expect(
            await q(
              db,
              `select e.appeal_id from appeal_events e join appeals a on a.id = e.appeal_id where e.action = 'uphold' and (a.outcome is null or a.state <> 'decided')`,
            ),
          ).toEqual([])
          expect(await q(db, `select appeal_id from appeal_events where action = 'uphold' group by appeal_id having count(*) > 1`)).toEqual([])
          const ids = decisions.map((a) => `'${a.id}'`).join(',')
          expect(
            await q(db, `select id from appeals where id in (${ids}) and state <> 'decided'`),
            'every appeal of the round decided after the retries',
          ).toEqual([])
          const [total] = await q(db, `select count(*)::int as n from bookings where slot_id in ('${slotIds.join("','")}') and state <> 'cancelled'`)
          return Number(total?.n)
        }
        let bookingsInSlots: number
        if (kind === 'pg') {
          const db = await store.open()
          bookingsInSlots = await check(db)
          await db.close()
        } else {
          // The embedded store belongs to one process: stop the server (gracefully) to look inside.
          const { code } = await stopServer(r)
          expect(code).toBe(0)
          const db = await store.open()
          bookingsInSlots = await check(db)
          await db.close()
          server = await startServer(store)
        }

        figures.push({
          store: kind,
          kill: round,
          reports: {
            sent: roundReports.length,
            acknowledged: ackedReports.length,
            found: foundReports,
            unanswered: unacked.length,
            retriedReplayed: replayedOnRetry,
            retriedCreated: unacked.length - replayedOnRetry,
          },
          bookings: {
            sent: roundBookings.length,
            acknowledged: ackedBookings.length,
            found: foundBookings,
            unanswered: unackedBookings.length,
            resentSameIdOnce: roundBookings.length,
            slotCounterMatches: true,
            inBothSlots: bookingsInSlots,
          },
          accepts: { acknowledged: ackedAccepts.length, found: foundAccepts },
          appealDecisions: {
            sent: decisions.filter((a) => a.status !== 'not sent').length,
            acknowledged: ackedDecisions.length,
            found: foundDecisions,
            unanswered: unackedDecisions.length,
          },
          inFlightAtKill: inFlight,
          restartMs: r.startMs,
        })
        expect(foundReports).toBe(ackedReports.length)
        expect(foundBookings).toBe(ackedBookings.length)
        expect(foundAccepts).toBe(ackedAccepts.length)
        expect(foundDecisions).toBe(ackedDecisions.length)
        expect(ackedReports.length).toBeGreaterThan(0)
      }
      // Neither run ended in a crash loop: the last server is healthy.
      expect((await send((server as Server).base, null, 'GET', '/api/ready')).status).toBe(200)
    })
  })
}
