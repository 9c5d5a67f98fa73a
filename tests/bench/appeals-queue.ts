/**
 * The legal office's queue under load, with 200,000 appeals (PostgreSQL): req/s and latency of
 * the queue as the office uses it (open cases by due date, the overdue filter, search by plate,
 * the dashboard counts, a deep page, the closed list), plus the query plans.
 *
 *   cd tests && npx tsx bench/appeals-queue.ts        (APPEALS=200000 DURATION=10 CONNECTIONS=50)
 *
 * Own database (tp_bench_<timestamp>, dropped at the end), migrated, demo data, then the appeals
 * in set-based SQL: over a year, the last 20 days open in every stage (a tail overdue), the rest
 * decided (upheld / corrected / revoked), refused or withdrawn. Results:
 * tests/.artifacts/bench/appeals-queue.md (and .json).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seedDemo } from '@tp/server/seed'
import postgres from 'postgres'
import { benchDeps, createBenchDatabase, insertSessions, makeSessions, openPostgres } from './db'
import { buildServer, type LoadResult, load, ROOT, type Server, startPortal } from './lib'

const N = Number(process.env.APPEALS ?? 200_000)
const DURATION = Number(process.env.DURATION ?? 10)
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50)
const ART = join(ROOT, 'tests/.artifacts/bench')
const log = (...a: unknown[]) => console.log(new Date().toISOString().slice(11, 19), ...a)

const bench = await createBenchDatabase()
log(`database ${bench.name}`)
const dataDir = mkdtempSync(join(tmpdir(), 'tp-bench-appeals-'))
let portal: Server | null = null
const sql = postgres(bench.url, { max: 4, onnotice: () => {} })
try {
  const database = await openPostgres(bench.url)
  await database.migrate()
  await seedDemo(await benchDeps(database, dataDir))
  await database.close()

  const now = new Date()
  const T0 = `'${now.toISOString()}'::timestamptz`
  const t = performance.now()
  await sql.unsafe(`
    insert into tickets (id, decision_no, plate, occurred_at, place, violation_code, violation_desc, fine_yuan, points, unit_id,
                         officer_name, officer_no, recorded_by, status, source, created_at, updated_at)
    select ('b0000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, '59' || lpad(i::text, 15, '0'),
           '川A' || lpad((i % 99999)::text, 5, '0'), ${T0} - interval '380 days' * ((${N} - i)::float8 / ${N}) - interval '10 days',
           '人民南路与锦江大道交叉口', '16250', '驾驶机动车违反道路交通信号灯通行', 200, 6, u.ids[1 + i % array_length(u.ids, 1)],
           '张路警', '051234', case when i % 3 = 0 then 'camera' else 'onsite' end, 'effective', 'seed', ${T0} - interval '380 days', ${T0} - interval '380 days'
    from generate_series(1, ${N}) i
    cross join (select array_agg(id order by name) ids from units where kind = 'brigade') u`)
  const citizens = await sql<{ id: string }[]>`select id from citizens`
  await sql.unsafe(`
    insert into appeals (id, filed_on, ticket_id, citizen_id, unit_id, plate, decision_no, type, grounds, statement, contact_phone, state,
                         assignee_id, assigned_at, outcome, policy, clock_start, due_date, due_at, paused_since, submitted_at, accepted_at,
                         decided_at, closed_at, created_at, updated_at)
    select ('a1000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, to_char(s.at at time zone 'Asia/Shanghai', 'YYYYMMDD'), t.id,
           c.ids[1 + i % array_length(c.ids, 1)], t.unit_id, t.plate, t.decision_no,
           case when i % 3 = 0 then 'camera_objection' else 'statement' end,
           (array['camera_misread','cloned_plate','emergency_avoidance','unclear_sign','vehicle_sold_or_stolen','other'])[1 + i % 6],
           '当时为避让救护车驶过停止线，属于紧急避险，行车记录仪视频可以证明。', '13800138000', st.state,
           case when st.state not in ('submitted', 'accepted', 'refused') then l.ids[1 + i % array_length(l.ids, 1)] end,
           case when st.state not in ('submitted', 'accepted', 'refused') then s.at + interval '5 hours' end,
           case when st.state in ('decided', 'pending_approval') then (array['upheld','upheld','corrected','revoked'])[1 + i % 4] end,
           '{"days":15,"unit":"calendar","pausable":true,"maxPausedDays":15,"maxExtensionDays":15,"rollToWorkingDay":true}'::jsonb,
           s.at, to_char((s.at + interval '15 days') at time zone 'Asia/Shanghai', 'YYYY-MM-DD'), s.at + interval '15 days',
           case when st.state = 'awaiting_material' then s.at + interval '2 days' end,
           s.at, case when st.state not in ('submitted', 'refused') then s.at + interval '4 hours' end,
           case when st.state = 'decided' then s.at + interval '9 days' end,
           case when not o.open then s.at + interval '9 days' end, s.at,
           case when o.open then s.at + interval '4 hours' else s.at + interval '9 days' end
    from generate_series(1, ${N}) i
    join tickets t on t.id = ('b0000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid
    cross join lateral (select ${T0} - interval '365 days' * ((${N} - i)::float8 / ${N}) - interval '1 hour' as at) s
    cross join lateral (select s.at > ${T0} - interval '20 days' or i % 2000 = 0 as open) o
    cross join lateral (select case when o.open then (array['submitted','accepted','in_review','in_review','awaiting_material','pending_approval'])[1 + i % 6]
                                    when i % 10 = 0 then 'refused' when i % 10 = 1 then 'withdrawn' else 'decided' end as state) st
    cross join (select array_agg(id) ids from citizens) c
    cross join (select array_agg(id order by username) ids from staff where role = 'legal_officer') l`)
  await sql.unsafe('analyze tickets; analyze appeals')
  const seedMs = Math.round(performance.now() - t)
  const [stats] = await sql<{ total: number; open: number; overdue: number }[]>`
    select count(*)::int total,
           (count(*) filter (where state in ('submitted','accepted','in_review','awaiting_material','pending_approval')))::int open,
           (count(*) filter (where state in ('submitted','accepted','in_review','awaiting_material','pending_approval') and due_at < now()))::int overdue
    from appeals`
  log(`seeded ${N} appeals (+ tickets) in ${(seedMs / 1000).toFixed(1)} s for ${citizens.length} citizens:`, stats)

  const [legal] = await sql<{ id: string }[]>`select id from staff where username = 'legal'`
  const [session] = makeSessions([legal!.id])
  await insertSessions((s, p) => sql.unsafe(s, p as never[]), 'staff', [session!])
  const headers = { cookie: session!.cookie }

  buildServer()
  portal = await startPortal('portal', { DATABASE_URL: bench.url, SEED_DEMO: 'false', LOG_LEVEL: 'warn', TRUST_PROXY: 'true' })
  log(`portal up in ${portal.coldStartMs} ms`)
  const plate = '川A00123'
  // Page 100 by keyset: follow nextCursor 99 times (the console does the same, page by page).
  let deepCursor = ''
  for (let i = 1; i < 100; i++) {
    const res = await fetch(`${portal.url}/api/console/appeals?sort=due${deepCursor ? `&cursor=${deepCursor}` : ''}`, { headers })
    const body = (await res.json()) as { nextCursor: string | null }
    if (res.status !== 200 || !body.nextCursor) throw new Error(`walking to page 100 stopped at page ${i}: ${res.status}`)
    deepCursor = body.nextCursor
  }
  const scenarios = [
    { key: 'queue', title: 'open cases by due date (page 1, 20 rows)', path: '/api/console/appeals?sort=due' },
    { key: 'overdue', title: 'overdue filter', path: '/api/console/appeals?due=overdue&sort=due' },
    { key: 'search', title: 'search by plate (all states)', path: `/api/console/appeals?q=${encodeURIComponent(plate)}&scope=all` },
    { key: 'counts', title: 'dashboard counts (overdue, due soon, …)', path: '/api/console/appeals/counts' },
    { key: 'deep', title: 'open cases, page 100 (keyset cursor)', path: `/api/console/appeals?sort=due&cursor=${deepCursor}` },
    { key: 'closed', title: 'closed cases, newest first', path: '/api/console/appeals?scope=closed&sort=-submitted' },
  ]
  const results: Record<string, LoadResult & { title: string; bytes: number }> = {}
  for (const s of scenarios) {
    const probe = await fetch(portal.url + s.path, { headers })
    const body = await probe.text()
    if (probe.status !== 200) throw new Error(`${s.path}: ${probe.status} ${body.slice(0, 200)}`)
    const request = () => ({ method: 'GET' as const, path: s.path, headers })
    await load({ url: portal.url, request, connections: CONNECTIONS, durationSec: 2 })
    const r = await load({ url: portal.url, request, connections: CONNECTIONS, durationSec: DURATION })
    results[s.key] = { ...r, title: s.title, bytes: body.length }
    log(`${s.title}: ${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}`)
  }
  const hello = await load({ url: portal.url, request: () => ({ method: 'GET', path: '/api/health' }), connections: CONNECTIONS, durationSec: 5 })
  log(`machine check, /api/health: ${hello.rps} req/s, p99 ${hello.p99} ms`)

  // The plans of the queue's statements (as the portal sends them, the scope being every unit).
  const units = (await sql<{ id: string }[]>`select id from units`).map((u) => `'${u.id}'`).join(',')
  const open = `('submitted','accepted','in_review','awaiting_material','pending_approval')`
  const plans: Record<string, string> = {}
  for (const [k, q] of Object.entries({
    page: `select a.id from appeals a join units u on u.id = a.unit_id left join staff s on s.id = a.assignee_id left join citizens c on c.id = a.citizen_id
           where a.unit_id in (${units}) and a.state in ${open} order by a.due_at asc nulls last, a.id asc limit 20`,
    count: `select count(*) from appeals where unit_id in (${units}) and state in ${open}`,
    overdue: `select count(*) from appeals where unit_id in (${units}) and state in ${open} and due_at < now()`,
    plate: `select a.id from appeals a where a.unit_id in (${units}) and (a.number = '${plate}' or a.decision_no = '${plate}' or a.plate = '${plate}') order by a.due_at asc nulls last, a.id limit 20`,
  })) {
    const rows = await sql.unsafe(`explain (analyze, buffers off, timing on) ${q}`)
    plans[k] = (rows as unknown as Record<string, string>[]).map((r) => r['QUERY PLAN']).join('\n')
  }

  mkdirSync(ART, { recursive: true })
  const lines = [
    `# Legal-office queue with ${N.toLocaleString('en')} appeals (PostgreSQL)`,
    '',
    `${stats?.open} open (${stats?.overdue} overdue), ${N - (stats?.open ?? 0)} closed; signed in as the detachment's legal officer (scope: every unit).`,
    `autocannon, ${CONNECTIONS} connections, 2 s warm-up then ${DURATION} s per scenario; one portal process (NODE_ENV=production).`,
    `Machine check: /api/health ${hello.rps} req/s, p99 ${hello.p99} ms. Seed ${(seedMs / 1000).toFixed(1)} s.`,
    '',
    '| scenario | req/s | p50 | p99 | non-2xx | response bytes |',
    '|---|---|---|---|---|---|',
    ...Object.values(results).map((r) => `| ${r.title} | ${r.rps} | ${r.p50} ms | ${r.p99} ms | ${r.non2xx} | ${r.bytes} |`),
    '',
    '## Plans',
    ...Object.entries(plans).flatMap(([k, p]) => ['', `### ${k}`, '```', p, '```']),
  ]
  writeFileSync(join(ART, 'appeals-queue.md'), `${lines.join('\n')}\n`)
  writeFileSync(join(ART, 'appeals-queue.json'), JSON.stringify({ n: N, stats, seedMs, hello, results }, null, 1))
  console.log(lines.slice(0, 14).join('\n'))
} finally {
  await portal?.stop()
  await sql.end()
  if (process.env.BENCH_KEEP_DB !== '1') await bench.drop()
  rmSync(dataDir, { recursive: true, force: true })
}
