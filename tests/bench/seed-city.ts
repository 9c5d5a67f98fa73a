/**
 * City-scale data in set-based SQL (INSERT … SELECT generate_series), on top of the demo seed
 * (units, grids, kinds, offices, services, windows, staff). Runs on PostgreSQL and on PGlite.
 *
 * Ids are derived from the row number (`c0000000-…-<hex i>` for citizen i), so later statements
 * and the bench fixtures can refer to rows without reading them back.
 */

export interface CityCounts {
  citizens: number
  reports: number
  appeals: number
  bookings: number
  ratings: number
  /** Citizens at the top of the range left without bookings (default RESERVED_CITIZENS). */
  reserved?: number
}

export const CITY: CityCounts = { citizens: 100_000, reports: 1_000_000, appeals: 200_000, bookings: 500_000, ratings: 50_000 }
export const CITY_QUICK: CityCounts = { citizens: 20_000, reports: 100_000, appeals: 20_000, bookings: 50_000, ratings: 5_000 }

/**
 * Citizens at the top of the range have no seeded bookings: the contention scenarios book with
 * them (the no-show block, the one-per-service rule and the active cap must not interfere).
 */
export const RESERVED_CITIZENS = 8_000

/** Citizens 1…usable carry the seeded data; the reserved ones follow (at most half of all). */
export function usableCitizens(n: CityCounts): number {
  return Math.max(1, n.citizens - Math.min(n.reserved ?? RESERVED_CITIZENS, Math.floor(n.citizens / 2)))
}

/** SQL expression of the uuid of row `i` of a kind (prefix: 8 hex digits). */
export const uuidOf = (prefix: string, i: string) => `('${prefix}-0000-4000-8000-' || lpad(to_hex(${i}), 12, '0'))::uuid`
export const citizenUuid = (i: number) => `c0000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`

const ROADS = `array['春熙路','人民南路','蜀都大道','天府大道','二环路东三段','一环路南二段','红星路','建设路','科华北路','府青路']`

/** Where the statements run: PostgreSQL (postgres.js) or PGlite. */
export interface SeedDb {
  exec(sql: string): Promise<unknown>
  rows<T>(sql: string): Promise<T[]>
  /**
   * Runs independent statements side by side (two connections on PostgreSQL, in bulk-load mode:
   * `session_replication_role = replica`, no synchronous commit); one after the other on PGlite.
   */
  parallel(sqls: string[]): Promise<void>
}

const BIG_TABLES = ['citizens', 'reports', 'report_events', 'tickets', 'appeals', 'slots', 'bookings', 'queue_tickets', 'ratings']

export interface SeedTimings {
  [step: string]: number
}

/**
 * Inserts the city. `now` fixes the time axis (reports over the past year, appeals over the past
 * year, bookings from 82 days ago to 7 days ahead, ratings over the past 80 days).
 */
export async function seedCity(db: SeedDb, n: CityCounts, now: Date, log: (s: string) => void = () => {}): Promise<SeedTimings> {
  const T0 = `'${now.toISOString()}'::timestamptz`
  const timings: SeedTimings = {}
  /** Statements run in order; a statement given as a function of a row range runs in two halves side by side. */
  const step = async (name: string, parts: (string | { parallel: string[] } | { rows: number; sql: (lo: number, hi: number) => string })[]) => {
    const t = performance.now()
    for (const part of parts) {
      if (typeof part === 'string') await db.exec(part)
      else if ('parallel' in part) await db.parallel(part.parallel)
      else {
        const mid = Math.floor(part.rows / 2)
        await db.parallel(part.rows < 20_000 ? [part.sql(1, part.rows)] : [part.sql(1, mid), part.sql(mid + 1, part.rows)])
      }
    }
    timings[name] = Math.round(performance.now() - t)
    log(`  ${name}: ${(timings[name] / 1000).toFixed(1)} s`)
  }
  const usable = usableCitizens(n)
  // A citizen for row i, spread over the usable range.
  const citizenOf = (i: string, mult: number) => uuidOf('c0000000', `(1 + ((${i}::bigint * ${mult}) % ${usable}))`)

  // Bulk load: no foreign-key triggers, and the non-unique indexes of the big tables are dropped
  // and rebuilt afterwards (one sorted build beats a million random insertions).
  await db.exec('set session_replication_role = replica')
  const indexes = await db.rows<{ name: string; def: string }>(
    `select indexname as name, indexdef as def from pg_indexes i
     where schemaname = 'public' and tablename in (${BIG_TABLES.map((t) => `'${t}'`).join(', ')})
       and indexdef not like 'CREATE UNIQUE%' and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
  )
  await step(
    'drop indexes',
    indexes.map((i) => `drop index "${i.name}"`),
  )

  await step('citizens', [
    {
      rows: n.citizens,
      sql: (lo, hi) => `insert into citizens (id, phone, name, id_number, preferences, created_at)
     select ${uuidOf('c0000000', 'i')}, '19' || lpad(i::text, 9, '0'), '市民' || i, '5101' || lpad(i::text, 14, '0'),
            '{"notifyInApp":true,"notifySms":false,"locale":"zh-CN"}'::jsonb, ${T0} - interval '400 days' + (i % 400) * interval '1 day'
     from generate_series(${lo}::bigint, ${hi}) i`,
    },
  ])

  // Reports: the newest rows are open (the last two days, plus a stale tail of one in 250 that is
  // overdue); the rest were handled and closed. One in seven falls outside every grid.
  await step('reports', [
    {
      rows: n.reports,
      sql: (lo, hi) => `insert into reports (id, number, kind, course, state, state_type, outcome, source, citizen_id, lat, lng, location_source,
                          address, road_name, grid_id, unit_id, description, plate, attributes, clock_start_at, accepted_at,
                          finished_at, closed_at, due_at, due_reason, created_at, updated_at)
     select ${uuidOf('a0000000', 'i')}, 'BN' || lpad(i::text, 9, '0'), k.kind, k.course,
            s.state, s.type, case when s.type = 'closed' then 'resolved' end, 'h5', ${citizenOf('i', 7919)},
            coalesce(g.min_lat[r.gi], 30.60) + coalesce(g.max_lat[r.gi] - g.min_lat[r.gi], 0.03) * r.a,
            coalesce(g.min_lng[r.gi], 104.10) + coalesce(g.max_lng[r.gi] - g.min_lng[r.gi], 0.03) * r.b, 'gps',
            (${ROADS})[1 + i % 10] || ' ' || (i % 300) || ' 号附近', (${ROADS})[1 + i % 10], g.ids[r.gi], coalesce(g.units[r.gi], d.unit),
            '路口车辆排队较长，请尽快处理', case when k.course = 'zombie' then '川A' || lpad((i % 99999)::text, 5, '0') end,
            case when k.kind = 'congestion' then '{"severity":"slow"}'::jsonb else '{}'::jsonb end,
            c.at, case when s.state <> 'submitted' then c.at + interval '4 minutes' end,
            case when s.type = 'closed' then c.at + interval '3 hours' end, case when s.type = 'closed' then c.at + interval '3 hours' end,
            case when s.type = 'open' then case when i % 250 = 0 then c.at + interval '1 day' else c.at + interval '3 days' end end,
            case when s.type = 'open' then 'resolve' end, c.at,
            case when s.type = 'closed' then c.at + interval '3 hours' else c.at + interval '4 minutes' end
     from generate_series(${lo}::bigint, ${hi}) i
     cross join lateral (select ${T0} - interval '365 days' * ((${n.reports} - i)::float8 / ${n.reports}) - interval '1 minute' as at) c
     cross join lateral (select ((i * 7907) % 10007)::float8 / 10007 as a, ((i * 6151) % 10009)::float8 / 10009 as b, 1 + i % 7 as gi) r
     cross join lateral (select case when i % 10 < 6 then 'congestion' when i % 10 < 9 then 'hazard' else 'zombie_car' end as kind,
                                case when i % 10 = 9 then 'zombie' else 'standard' end as course) k
     cross join lateral (select case when c.at > ${T0} - interval '2 days' or i % 250 = 0
                                     then case when c.at > ${T0} - interval '2 hours' then 'submitted' else 'dispatched' end
                                     else 'closed' end as state,
                                case when c.at > ${T0} - interval '2 days' or i % 250 = 0 then 'open' else 'closed' end as type) s
     cross join (select array_agg(id order by code) ids, array_agg(unit_id order by code) units, array_agg(min_lat order by code) min_lat,
                        array_agg(max_lat order by code) max_lat, array_agg(min_lng order by code) min_lng, array_agg(max_lng order by code) max_lng
                 from report_grids) g
     cross join (select (value #>> '{}')::uuid as unit from report_settings where key = 'default_unit_id') d`,
    },
  ])
  await step('report events', [
    {
      rows: n.reports,
      sql: (lo, hi) => `insert into report_events (id, report_id, at, action, actor_type, actor_id, actor_role, to_state, data)
     select ${uuidOf('e0000000', 'i')}, ${uuidOf('a0000000', 'i')}, ${T0} - interval '365 days' * ((${n.reports} - i)::float8 / ${n.reports}) - interval '1 minute',
            'submit', 'citizen', ${citizenOf('i', 7919)}, 'citizen', 'submitted', '{}'::jsonb
     from generate_series(${lo}::bigint, ${hi}) i`,
    },
  ])

  // Tickets and appeals: one in twenty appeals is recent and open (due 15 days after filing, so
  // the older open ones are overdue); the rest are decided, refused or withdrawn.
  await step('tickets', [
    {
      rows: n.appeals,
      sql: (lo, hi) => `insert into tickets (id, decision_no, plate, occurred_at, place, violation_code, violation_desc, fine_yuan, points, unit_id,
                          officer_name, officer_no, recorded_by, status, source, created_at, updated_at)
     select ${uuidOf('b0000000', 'i')}, 'BN' || lpad(i::text, 15, '0'), '川A' || lpad((i % 99999)::text, 5, '0'),
            ${T0} - interval '380 days' * ((${n.appeals} - i)::float8 / ${n.appeals}) - interval '10 days',
            (${ROADS})[1 + i % 10], '16250', '驾驶机动车违反道路交通信号灯通行', 200, 6, u.ids[1 + i % array_length(u.ids, 1)],
            '张路警', '051234', 'camera', 'effective', 'seed', ${T0} - interval '380 days', ${T0} - interval '380 days'
     from generate_series(${lo}::bigint, ${hi}) i
     cross join (select array_agg(id order by name) ids from units where kind = 'brigade') u`,
    },
  ])
  await step('appeals', [
    {
      rows: n.appeals,
      sql: (lo, hi) => `insert into appeals (id, filed_on, ticket_id, citizen_id, unit_id, plate, decision_no, type, grounds, statement, contact_phone, state,
                          outcome, policy, clock_start, due_date, due_at, submitted_at, accepted_at, decided_at, closed_at, created_at, updated_at)
     select ${uuidOf('a1000000', 'i')}, to_char(s.at at time zone 'Asia/Shanghai', 'YYYYMMDD'), t.id, ${citizenOf('i', 104729)}, t.unit_id, t.plate, t.decision_no,
            case when i % 3 = 0 then 'camera_objection' else 'statement' end,
            (array['camera_misread','cloned_plate','emergency_avoidance','unclear_sign','other'])[1 + i % 5],
            '当时为避让救护车驶过停止线，属于紧急避险，行车记录仪视频可以证明。', '19' || lpad(i::text, 9, '0'),
            st.state, case when st.state = 'decided' then (array['upheld','corrected','revoked'])[1 + i % 3] end,
            '{"days":15,"unit":"calendar","pausable":true,"maxPausedDays":15,"maxExtensionDays":15,"rollToWorkingDay":true}'::jsonb,
            s.at, to_char((s.at + interval '15 days') at time zone 'Asia/Shanghai', 'YYYY-MM-DD'),
            case when st.open then s.at + interval '15 days' end, s.at,
            case when st.state <> 'submitted' then s.at + interval '4 hours' end,
            case when st.state = 'decided' then s.at + interval '9 days' end,
            case when not st.open then s.at + interval '9 days' end, s.at,
            case when st.open then s.at + interval '4 hours' else s.at + interval '9 days' end
     from generate_series(${lo}::bigint, ${hi}) i
     join tickets t on t.id = ${uuidOf('b0000000', 'i')}
     cross join lateral (select ${T0} - interval '365 days' * ((${n.appeals} - i)::float8 / ${n.appeals}) - interval '1 hour' as at) s
     cross join lateral (select s.at > ${T0} - interval '20 days' as open) o
     cross join lateral (select o.open,
                                case when o.open then (array['submitted','accepted','in_review','in_review'])[1 + i % 4]
                                     when i % 10 = 0 then 'refused' when i % 10 = 1 then 'withdrawn' else 'decided' end as state) st`,
    },
  ])

  // Bookings over 90 days: slots for the past weekdays are made from the office grid (the demo
  // seed materialised the coming week); each booking takes a slot, and every slot's `booked`
  // counter is then set to its live bookings (capacity raised where needed).
  await step('slots', [
    `insert into slots (office_id, service_id, date, start_time, end_time, starts_at, ends_at, capacity, booked)
     select os.office_id, os.service_id, to_char(d, 'YYYY-MM-DD'), to_char(tm, 'HH24:MI'), to_char(tm + interval '30 minutes', 'HH24:MI'),
            (d + tm) at time zone 'Asia/Shanghai', (d + tm + interval '30 minutes') at time zone 'Asia/Shanghai', 20, 0
     from office_services os
     cross join generate_series((${T0} at time zone 'Asia/Shanghai')::date - 82, (${T0} at time zone 'Asia/Shanghai')::date - 1, interval '1 day') d
     cross join (select t::time as tm from generate_series(timestamp '2000-01-01 09:00', timestamp '2000-01-01 16:30', interval '30 minutes') t
                 where t::time < '12:00' or t::time >= '13:30') h
     where extract(dow from d) between 1 and 5
     on conflict do nothing`,
    `create unlogged table bench_slots as
       select row_number() over (order by date, start_time, office_id, service_id) as n, id, office_id, service_id, date, start_time, end_time, starts_at, ends_at
       from slots where date >= to_char((${T0} at time zone 'Asia/Shanghai')::date - 82, 'YYYY-MM-DD') and capacity > 0`,
    'create unique index on bench_slots (n)',
    'analyze bench_slots',
  ])
  const today = `to_char(${T0} at time zone 'Asia/Shanghai', 'YYYY-MM-DD')`
  await step('bookings', [
    {
      // Split by the citizen's parity: the halves never race for the same one-active-per-service key.
      parallel: [0, 1].map(
        (k) => `insert into bookings (id, code, citizen_id, office_id, service_id, slot_id, date, start_time, end_time, starts_at, ends_at, state, name,
                           id_number, checked_in_at, cancelled_at, no_show_at, completed_at, created_at, updated_at)
     select ${uuidOf('b1000000', 'i')}, 'BN' || lpad(i::text, 8, '0'), ${citizenOf('i', 15485863)}, s.office_id, s.service_id, s.id, s.date, s.start_time, s.end_time,
            s.starts_at, s.ends_at, st.state, '市民' || i, '5101' || lpad(i::text, 14, '0'),
            case when st.state = 'done' then s.starts_at end, case when st.state = 'cancelled' then s.starts_at - interval '1 day' end,
            case when st.state = 'no_show' then s.ends_at + interval '1 hour' end, case when st.state = 'done' then s.starts_at + interval '20 minutes' end,
            s.starts_at - interval '3 days', s.starts_at - interval '3 days'
     from generate_series(1::bigint, ${n.bookings}) i
     join bench_slots s on s.n = 1 + (i::bigint * 7919) % (select count(*) from bench_slots)
     cross join lateral (select case when s.date >= ${today} then case when i % 10 = 0 then 'cancelled' else 'booked' end
                                     when i % 20 = 0 then 'no_show' when i % 20 < 4 then 'cancelled' else 'done' end as state) st
     where ((i * 15485863) % ${usable}) % 2 = ${k}
     on conflict do nothing`,
      ),
    },
    `update slots s set booked = x.n, capacity = greatest(s.capacity, x.n)
     from (select slot_id, count(*)::int as n from bookings where state <> 'cancelled' group by slot_id) x
     where s.id = x.slot_id and s.booked <> x.n`,
    'drop table bench_slots',
  ])

  // Ratings: completed queue tickets at the demo windows over the past 80 days, one rating each
  // (one in ten bad). With triggers on, in one connection: the ratings feature may keep derived
  // data (rollups) by trigger.
  await db.exec('set session_replication_role = origin')
  await step('ratings', [
    `create unlogged table bench_windows as
       select row_number() over (order by w.office_id, w.number, ws.service_id) as n, w.id, w.office_id, ws.service_id, o.unit_id,
              coalesce(w.staff_id, (select id from staff where role = 'window_staff' order by username limit 1)) as staff_id, s.prefix
       from service_windows w join window_services ws on ws.window_id = w.id join offices o on o.id = w.office_id join services s on s.id = ws.service_id`,
    'analyze bench_windows',
    `insert into queue_tickets (id, office_id, date, service_id, citizen_id, number, seq, kind, state, window_id, issued_at, called_at,
                                call_count, serving_at, completed_at, served_by, created_at)
     select ${uuidOf('d0000000', 'i')}, w.office_id, to_char(t.at at time zone 'Asia/Shanghai', 'YYYY-MM-DD'), w.service_id,
            ${citizenOf('i', 32452843)}, w.prefix || lpad((1 + i % 999)::text, 3, '0'), 1 + i % 999, 'walk_in', 'done', w.id,
            t.at - interval '30 minutes', t.at - interval '20 minutes', 1, t.at - interval '19 minutes', t.at, w.staff_id, t.at
     from generate_series(1::bigint, ${n.ratings}) i
     join bench_windows w on w.n = 1 + i % (select count(*) from bench_windows)
     cross join lateral (select ${T0} - interval '80 days' * ((${n.ratings} - i)::float8 / ${n.ratings}) - interval '1 day' as at) t`,
    `insert into ratings (id, ticket_id, office_id, unit_id, window_id, staff_id, service_id, citizen_id, channel, level, score, bad, tags,
                          comment, completed_at, rated_at, month)
     select ${uuidOf('d1000000', 'i')}, q.id, q.office_id, w.unit_id, q.window_id, q.served_by, q.service_id, q.citizen_id, 'app', l.level, l.score, l.score <= 2,
            case when l.score <= 2 then '{long_wait}'::text[] else '{}'::text[] end, null, q.completed_at, q.completed_at + interval '2 hours',
            to_char((q.completed_at + interval '2 hours') at time zone 'Asia/Shanghai', 'YYYY-MM')
     from generate_series(1::bigint, ${n.ratings}) i
     join queue_tickets q on q.id = ${uuidOf('d0000000', 'i')}
     join bench_windows w on w.id = q.window_id and w.service_id = q.service_id
     cross join lateral (select case when i % 10 < 6 then 'very_satisfied' when i % 10 < 8 then 'satisfied' when i % 10 < 9 then 'basic' else 'dissatisfied' end as level,
                                case when i % 10 < 6 then 5 when i % 10 < 8 then 4 when i % 10 < 9 then 3 else 2 end as score) l`,
    'drop table bench_windows',
  ])
  await db.exec('set session_replication_role = origin')
  const t = performance.now()
  await db.parallel(indexes.map((i) => i.def))
  timings['rebuild indexes'] = Math.round(performance.now() - t)
  const rebuilt = new Set(
    (await db.rows<{ name: string }>(`select indexname as name from pg_indexes where schemaname = 'public' and indexdef not like 'CREATE UNIQUE%'`)).map(
      (r) => r.name,
    ),
  )
  const missing = indexes.filter((i) => !rebuilt.has(i.name)).map((i) => i.name)
  if (missing.length) throw new Error(`indexes not rebuilt after the bulk load: ${missing.join(', ')}`)
  log(`  rebuild ${indexes.length} indexes: ${(timings['rebuild indexes'] / 1000).toFixed(1)} s`)
  return timings
}
