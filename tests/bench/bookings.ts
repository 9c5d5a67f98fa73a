/**
 * Bookings under load, on PostgreSQL, against a real server process:
 *  1. availability-query latency with 500,000 bookings in the database;
 *  2. booking throughput and p99 under contention: thousands of different citizens booking the
 *     same slot at once (a) with room for all (every request queues on the one slot row) and
 *     (b) with 100 places (the rest are refused), checking that nothing is overbooked.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx tests/bench/bookings.ts
 *
 * Writes tests/.artifacts/bench-bookings.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seedBookings } from '@tp/server/modules/bookings/bookings.seed'
import { seedIdentity } from '@tp/server/modules/identity/identity.seed'
import { systemCtx } from '@tp/server/platform/context'
import autocannon from 'autocannon'
import postgres from 'postgres'
import { benchDeps, createBenchDatabase, insertSessions, makeSessions, openPostgres } from './db'
import { buildServer, percentile, ROOT, type Server, startPortal } from './lib'

const BOOKINGS = Number(process.env.BENCH_BOOKINGS ?? 500_000)
const CONTENDERS = Number(process.env.BENCH_CONTENDERS ?? 5_000)
const ROOMY = Number(process.env.BENCH_ROOMY ?? 3_000)
const chinaDate = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10)
const log = (...a: unknown[]) => console.log(new Date().toISOString().slice(11, 19), ...a)

const db = await createBenchDatabase()
const dataDir = mkdtempSync(join(tmpdir(), 'tp-bench-bk-'))
const sql = postgres(db.url, { max: 2, onnotice: () => {} })
let server: Server | null = null
const out: Record<string, unknown> = { bookings: BOOKINGS, contenders: CONTENDERS }

try {
  const database = await openPostgres(db.url, 4)
  await database.migrate()
  const deps = await benchDeps(database, dataDir)
  await database.db.transaction(async (tx) => {
    const ctx = systemCtx(deps, tx)
    await seedBookings(ctx, await seedIdentity(ctx))
  })
  await deps.bus.close()
  await database.close()
  log('seeded')

  // ---- 500k historical bookings on a year of the 车管所's slots
  const [office] = await sql<{ id: string }[]>`select id from offices where name = '市车辆管理所'`
  const officeId = office?.id as string
  const t0 = performance.now()
  await sql`insert into citizens (phone, name) select '15' || lpad(g::text, 9, '0'), '市民' || g from generate_series(1, 50000) g`
  await sql`
    insert into slots (office_id, service_id, date, start_time, end_time, starts_at, ends_at, capacity, booked)
    select ${officeId}, s.id, to_char(d, 'YYYY-MM-DD'), to_char(t, 'HH24:MI'), to_char(t + interval '30 minutes', 'HH24:MI'),
           (d + t) at time zone 'Asia/Shanghai', (d + t + interval '30 minutes') at time zone 'Asia/Shanghai', 20, 0
    from services s,
         generate_series(current_date - 400, current_date - 1, interval '1 day') d,
         generate_series(timestamp '2000-01-01 08:00', timestamp '2000-01-01 14:30', interval '30 minutes') t0,
         lateral (select t0::time as t) tt
    on conflict do nothing`
  const [{ n: histSlots } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int n from slots where date < to_char(current_date, 'YYYY-MM-DD')`
  await sql`
    with s as (select id, office_id, service_id, date, start_time, end_time, starts_at, ends_at, row_number() over (order by date, start_time, service_id) rn
               from slots where office_id = ${officeId} and capacity = 20 and date < to_char(current_date, 'YYYY-MM-DD')),
         c as (select id, row_number() over (order by id) rn from citizens where phone like '15%'),
         k as (select g from generate_series(1, 15) g),
         b as (select s.*, k.g, (s.rn * 15 + k.g) n from s cross join k order by s.rn, k.g limit ${BOOKINGS})
    insert into bookings (code, citizen_id, office_id, service_id, slot_id, date, start_time, end_time, starts_at, ends_at, state, name, id_number, created_at, updated_at)
    select 'H' || lpad(b.n::text, 9, '0'), c.id, b.office_id, b.service_id, b.id, b.date, b.start_time, b.end_time, b.starts_at, b.ends_at,
           (array['done','done','done','done','done','cancelled','no_show','missed'])[1 + (b.n % 8)], '市民', '11010519491231002X',
           b.starts_at - interval '3 days', b.starts_at
    from b join c on c.rn = 1 + (b.n % 50000)`
  await sql`update slots set booked = x.n from (select slot_id, count(*)::int n from bookings where state <> 'cancelled' group by slot_id) x where slots.id = x.slot_id`
  await sql`analyze`
  const [{ n: total } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int n from bookings`
  out.bookingsInDatabase = total
  out.historicalSlots = histSlots
  out.bulkLoadSeconds = Math.round((performance.now() - t0) / 100) / 10
  log('bookings in database', total)

  buildServer()
  server = await startPortal('bookings', {
    DATABASE_URL: db.url,
    SEED_DEMO: 'false',
    DATA_DIR: dataDir,
    WEB_DIST: join(dataDir, 'none'),
    // Each simulated phone comes from its own address (X-Forwarded-For), as behind the real proxy.
    TRUST_PROXY: 'true',
  })
  const base = server.url

  // ---- availability p99
  const [svc] = await sql<{ id: string }[]>`select id from services where code = 'licence'`
  const availPath = `/api/slots/availability?officeId=${officeId}&serviceId=${svc?.id}`
  for (let i = 0; i < 20; i++) await fetch(base + availPath) // warm-up
  const sequential: number[] = []
  for (let i = 0; i < 500; i++) {
    const s = performance.now()
    const r = await fetch(base + availPath)
    await r.arrayBuffer()
    if (!r.ok) throw new Error(`availability ${r.status}`)
    sequential.push(performance.now() - s)
  }
  out.availabilitySequential = { n: sequential.length, p50: round(percentile(sequential, 50)), p99: round(percentile(sequential, 99)) }
  const cpuA = cpuMs(server.child.pid)
  const loaded = await load({ url: base, path: availPath, connections: 20, durationSec: 10 })
  out.availabilityLoaded = { ...loaded, serverCpuMsPerRequest: round((cpuMs(server.child.pid) - cpuA) / loaded.total) }
  out.loadAverage = readFileSync('/proc/loadavg', 'utf8').trim()
  const [{ plan } = { plan: '' }] = await sql<{ plan: string }[]>`
    explain (analyze, format text) select date, starts_at, capacity, booked from slots
    where office_id = ${officeId} and service_id = ${svc?.id as string} and date between to_char(current_date, 'YYYY-MM-DD') and to_char(current_date + 7, 'YYYY-MM-DD')`.then(
    (rows) => [{ plan: rows.map((r) => Object.values(r)[0]).join('\n') }],
  )
  out.availabilityPlan = plan
  log('availability', out.availabilitySequential, out.availabilityLoaded)

  // ---- contention: one slot, thousands of citizens
  const login = await fetch(`${base}/api/auth/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'demo12345' }),
  })
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string
  const csrf = ((await login.json()) as { csrfToken: string }).csrfToken
  const adminCall = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(base + path, {
      method,
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    })
    if (r.status >= 400) throw new Error(`${method} ${path} ${r.status} ${await r.text()}`)
    return r.json() as Promise<any>
  }
  const [unit] = await sql<{ unit_id: string }[]>`select unit_id from offices where id = ${officeId}`
  const allDay = [{ from: '00:00', to: '24:00' }]
  const hall = await adminCall('POST', '/api/console/bookings/offices', {
    unitId: unit?.unit_id,
    name: '压测大厅',
    kind: 'branch_hall',
    address: '压测路 1 号',
    hours: [allDay, allDay, allDay, allDay, allDay, allDay, allDay],
  })
  await adminCall('PUT', `/api/console/bookings/offices/${hall.id}/services`, { serviceIds: [svc?.id] })
  await adminCall('POST', `/api/console/bookings/offices/${hall.id}/windows`, { number: 1, serviceIds: [svc?.id] })
  const tomorrow = chinaDate(new Date(Date.now() + 86_400_000))
  await adminCall('PUT', `/api/console/bookings/offices/${hall.id}/day-overrides`, { date: tomorrow, closed: false, hours: allDay, reason: 'bench' })
  await adminCall('POST', `/api/console/bookings/offices/${hall.id}/capacity-overrides`, {
    date: tomorrow,
    serviceId: svc?.id,
    startTime: '11:00',
    capacity: 100,
    reason: 'bench',
  })
  const slots = (await adminCall('GET', `/api/slots?officeId=${hall.id}&serviceId=${svc?.id}&date=${tomorrow}`)).items as {
    id: string
    startTime: string
  }[]
  const roomy = slots.find((s) => s.startTime === '10:00')?.id as string
  const tight = slots.find((s) => s.startTime === '11:00')?.id as string

  const people = await sql<{ id: string }[]>`
    insert into citizens (phone, name) select '16' || lpad(g::text, 9, '0'), '压测' || g from generate_series(1, ${CONTENDERS + ROOMY}) g returning id`
  const sessions = makeSessions(people.map((p) => p.id))
  await insertSessions((q, params) => sql.unsafe(q, params as never[]), 'citizen', sessions)
  const run = async (slotId: string, group: typeof sessions, amount: number) => {
    let i = 0
    const cpu0 = cpuMs(server?.child.pid)
    const r = await load({
      url: base,
      method: 'POST',
      path: '/api/bookings',
      connections: 50,
      amount,
      body: JSON.stringify({ slotId, name: '压测市民', idNumber: '11010519491231002X' }),
      setupRequest: (req: any) => {
        const n = i++
        const s = group[n % group.length] as (typeof sessions)[number]
        // Each citizen from their own address (behind the proxy), as on real phones: the per-address
        // submission limit is not what is measured here.
        const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`
        return { ...req, headers: { ...req.headers, cookie: s.cookie, 'x-csrf-token': s.csrf, 'x-forwarded-for': ip } }
      },
    })
    // Server CPU per request: comparable across runs even when the machine is busy.
    return { ...r, serverCpuMsPerRequest: round((cpuMs(server?.child.pid) - cpu0) / amount) }
  }
  // (a) Room for everyone: ROOMY bookers, every request takes the same slot row's lock in turn.
  await sql`update slots set capacity = ${ROOMY} where id = ${roomy}`
  out.contentionAllWin = await run(roomy, sessions.slice(0, ROOMY), ROOMY)
  // (b) 100 places, CONTENDERS bookers: 100 succeed, the rest are refused (409 slot_full).
  out.contention100Places = await run(tight, sessions.slice(ROOMY), CONTENDERS)
  const check = await sql<{ start_time: string; capacity: number; booked: number; bookings: number }[]>`
    select s.start_time, s.capacity, s.booked, (select count(*)::int from bookings b where b.slot_id = s.id) bookings
    from slots s where s.id in (${roomy}, ${tight}) order by s.start_time`
  out.slotsAfter = check
  out.topRateBuckets = await sql`select bucket, count from rate_limits order by count desc limit 3`
  if (check.some((c) => c.booked > c.capacity || c.booked !== c.bookings)) throw new Error(`overbooked or inconsistent: ${JSON.stringify(check)}`)
  log('contention', out.contentionAllWin, out.contention100Places, check)
} finally {
  await server?.stop()
  await sql.end()
  await db.drop()
  rmSync(dataDir, { recursive: true, force: true })
}

mkdirSync(join(ROOT, 'tests/.artifacts'), { recursive: true })
writeFileSync(join(ROOT, 'tests/.artifacts/bench-bookings.json'), JSON.stringify(out, null, 2))
console.log(JSON.stringify(out, null, 2))

/** autocannon with an optional per-request hook (only passed when given). */
async function load(spec: {
  url: string
  path: string
  method?: 'GET' | 'POST'
  body?: string
  connections: number
  durationSec?: number
  amount?: number
  setupRequest?: (req: any) => any
}) {
  const r = await autocannon({
    url: spec.url,
    connections: spec.connections,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.durationSec ?? 10 }),
    requests: [
      {
        method: spec.method ?? 'GET',
        path: spec.path,
        headers: { 'content-type': 'application/json' },
        ...(spec.body ? { body: spec.body } : {}),
        ...(spec.setupRequest ? { setupRequest: spec.setupRequest } : {}),
      },
    ],
  })
  return {
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    errors: r.errors + r.timeouts,
    statusCodes: r.statusCodeStats,
    total: r.requests.total,
    seconds: r.duration,
  }
}

/** User + system CPU time of a process, in ms (Linux). */
function cpuMs(pid: number | undefined): number {
  if (!pid) return 0
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100
}

function round(x: number) {
  return Math.round(x * 10) / 10
}
