/**
 * Dashboard query latency with 50 000 ratings on PostgreSQL.
 *
 *   cd tests && BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/ratings-dashboard.ts
 *
 * Creates a throw-away database, migrates it, loads the demo data, adds 50k completed tickets
 * with their ratings (and a follow-up case for every bad one) over the last six months with one
 * generate_series statement, then calls each dashboard endpoint through the real app
 * (routing, session, validation, scope, SQL, JSON) one request at a time as the unit head of
 * the whole detachment (the widest scope), and prints p50 / p95 / p99 / max per endpoint.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '@tp/server/app'
import { loadConfig } from '@tp/server/config'
import { openDatabase } from '@tp/server/platform/db'
import { createDeps } from '@tp/server/platform/deps'
import { createLogger } from '@tp/server/platform/logger'
import { seedDemo } from '@tp/server/seed'
import postgres from 'postgres'

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const N = Number(process.env.RATINGS ?? 50_000)
const RUNS = Number(process.env.RUNS ?? 200)
const NAME = 'tp_ratings_bench'

const withDb = (url: string, name: string) => {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

async function main() {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} })
  await admin.unsafe(`drop database if exists ${NAME} with (force)`)
  await admin.unsafe(`create database ${NAME}`)
  await admin.end()
  const url = withDb(ADMIN_URL, NAME)
  const dataDir = mkdtempSync(join(tmpdir(), 'tp-bench-'))
  const database = await openDatabase({ url, maxConnections: 10 })
  await database.migrate()
  const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, WEB_DIST: join(dataDir, 'none'), LOG_LEVEL: 'silent', DATABASE_URL: url })
  const deps = await createDeps(config, { database, log: createLogger('silent') })
  await seedDemo(deps)

  const sql = postgres(url, { max: 1, onnotice: () => {} })
  const t0 = performance.now()
  // 50k completed tickets spread over the active windows and the last 180 days.
  await sql.unsafe(`
    with w as (
      select array_agg(sw.id order by sw.id) as ids, array_agg(sw.office_id order by sw.id) as offices,
             array_agg((select ws.service_id from window_services ws where ws.window_id = sw.id limit 1) order by sw.id) as svcs,
             array_agg(sw.staff_id order by sw.id) as staff, count(*)::int as n
      from service_windows sw where sw.active
    ),
    g as (select i, now() - random() * interval '180 days' as ts from generate_series(1, ${Math.round(N * 1.06)}) i)
    insert into queue_tickets (office_id, date, service_id, number, seq, kind, state, window_id, issued_at, called_at, serving_at, completed_at, served_by, created_at)
    select w.offices[(i % w.n) + 1], to_char(ts at time zone 'Asia/Shanghai', 'YYYY-MM-DD'), w.svcs[(i % w.n) + 1], 'BN' || lpad(i::text, 6, '0'), i, 'walk_in',
           case when i > ${N} then 'no_show' else 'done' end, w.ids[(i % w.n) + 1],
           ts - interval '20 minutes' * random(), ts, ts + interval '1 minute', ts + interval '15 minutes', coalesce(w.staff[(i % w.n) + 1], (select id from staff where username = 'window')), ts
    from g, w`)
  await sql.unsafe(`
    insert into ratings (ticket_id, office_id, unit_id, window_id, staff_id, service_id, channel, level, score, bad, tags, comment, completed_at, rated_at, month)
    select t.id, t.office_id, o.unit_id, t.window_id, t.served_by, t.service_id, 'app', l.level, l.score, l.score <= 2, '{}', null, t.completed_at, r.at,
           to_char(r.at at time zone 'Asia/Shanghai', 'YYYY-MM')
    from queue_tickets t
    join offices o on o.id = t.office_id
    cross join lateral (select random() as x, t.completed_at + interval '5 minutes' as at) r
    cross join lateral (select case when r.x < 0.6 then 'very_satisfied' when r.x < 0.85 then 'satisfied' when r.x < 0.94 then 'basic'
                                    when r.x < 0.975 then 'dissatisfied' else 'very_dissatisfied' end as level,
                               case when r.x < 0.6 then 5 when r.x < 0.85 then 4 when r.x < 0.94 then 3 when r.x < 0.975 then 2 else 1 end as score) l
    where t.number like 'BN%' and t.state = 'done' and t.completed_at is not null`)
  await sql.unsafe(`
    insert into rating_followups (opened_on, rating_id, ticket_id, unit_id, office_id, window_id, staff_id, state, policy, opened_at, due_date, due_at, soon_at,
                                  called_back_at, closed_at, outcome, updated_at)
    select to_char(r.rated_at at time zone 'Asia/Shanghai', 'YYYYMMDD'), r.id, r.ticket_id, r.unit_id, r.office_id, r.window_id, r.staff_id, s.state,
           '{"days":15,"unit":"working"}', r.rated_at, to_char((r.rated_at + interval '21 days') at time zone 'Asia/Shanghai', 'YYYY-MM-DD'), r.rated_at + interval '21 days', r.rated_at + interval '14 days',
           case when s.state in ('called_back', 'rectified', 'closed') then r.rated_at + interval '2 days' end,
           case when s.state in ('closed', 'voided') then r.rated_at + interval '9 days' end,
           case when s.state = 'closed' then '已整改' end, r.rated_at
    from ratings r
    join queue_tickets t on t.id = r.ticket_id and t.number like 'BN%'
    cross join lateral (select case when r.rated_at < now() - interval '30 days' then 'closed'
                                    else (array['opened','verified','called_back','rectified','closed'])[1 + floor(random() * 5)::int] end as state) s
    where r.bad`)
  await sql.unsafe('analyze')
  const [{ ratings, followups }] = await sql.unsafe<{ ratings: number; followups: number }[]>(
    'select (select count(*)::int from ratings) as ratings, (select count(*)::int from rating_followups) as followups',
  )
  console.log(`generated in ${Math.round(performance.now() - t0)} ms: ${ratings} ratings, ${followups} follow-ups`)

  const app = createApp(deps)
  const login = await app.request('/api/auth/staff/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-test-ip': '10.1.1.1' },
    body: JSON.stringify({ username: 'head', password: 'demo12345' }),
  })
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string
  const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7)
  const endpoints = [
    '/api/console/ratings/dashboard/satisfaction?by=office',
    '/api/console/ratings/dashboard/satisfaction?by=window',
    '/api/console/ratings/dashboard/satisfaction?by=staff',
    '/api/console/ratings/dashboard/satisfaction?by=month',
    `/api/console/ratings/dashboard/ranking?month=${month}`,
    '/api/console/ratings/dashboard/queue',
    '/api/console/ratings/followups/counts',
    '/api/console/ratings/followups?view=open&page=1&pageSize=20',
  ]
  const rows: { endpoint: string; p50: number; p95: number; p99: number; max: number }[] = []
  const all: number[] = []
  for (const path of endpoints) {
    for (let i = 0; i < 5; i++) await app.request(path, { headers: { cookie, 'x-test-ip': '10.1.1.1' } }) // warm-up
    const times: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now()
      const res = await app.request(path, { headers: { cookie, 'x-test-ip': '10.1.1.1' } })
      await res.arrayBuffer()
      times.push(performance.now() - s)
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`)
    }
    times.sort((a, b) => a - b)
    all.push(...times)
    const q = (p: number) => Math.round((times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)] as number) * 10) / 10
    rows.push({ endpoint: path, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: Math.round((times.at(-1) as number) * 10) / 10 })
  }
  all.sort((a, b) => a - b)
  console.table(rows)
  console.log(
    `all dashboard requests (${all.length}): p50 ${Math.round(all[Math.floor(all.length * 0.5)] as number)} ms, p99 ${Math.round((all[Math.ceil(all.length * 0.99) - 1] as number) * 10) / 10} ms`,
  )
  if (process.env.KEEP) {
    console.log(`kept database ${NAME}`)
    process.exit(0)
  }
  await deps.bus.close()
  await database.close()
  await sql.end()
  const a2 = postgres(ADMIN_URL, { max: 1, onnotice: () => {} })
  await a2.unsafe(`drop database if exists ${NAME} with (force)`)
  await a2.end()
  rmSync(dataDir, { recursive: true, force: true })
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
