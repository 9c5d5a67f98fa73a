import { createHash } from 'node:crypto'
import { areaM2, bboxOf, DEFAULT_KINDS, type KindConfig, type ReportAction, type ReportCreate } from '@tp/shared/reports/index'
import { inArray, sql } from 'drizzle-orm'
import type { Actor, Ctx } from '../../platform/context'
import type { DemoRefs } from '../../platform/module'
import { files } from '../../platform/platform.tables'
import { staff, units } from '../identity/identity.tables'
import { seedKinds } from './kinds.service'
import { insertReport } from './reports.service'
import { grids, open311Keys, reportEvents, reportSettings, reportSightings, reports } from './reports.tables'
import { execRows } from './reports.view'
import { near, SEED_GRIDS } from './seed-data'
import { applyTransition } from './transition'

const MIN = 60_000
const HOUR = 3_600_000
const DAY = 86_400_000

/** The demo Open311 key (development data only; an admin issues real keys in the console). */
export const DEMO_OPEN311_KEY = 'o311_demo_development_key_0000000000'

/** A small drawn photo (a car on a street) so the demo's zombie-car reports have an image. */
async function demoPhoto(hue: number): Promise<{ full: Uint8Array; thumb: Uint8Array }> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="320">
    <rect width="480" height="320" fill="hsl(${hue},15%,72%)"/><rect y="220" width="480" height="100" fill="#555"/>
    <rect x="120" y="150" width="240" height="80" rx="18" fill="hsl(${hue},45%,45%)"/>
    <rect x="160" y="115" width="150" height="50" rx="12" fill="hsl(${hue},35%,55%)"/>
    <circle cx="170" cy="232" r="24" fill="#222"/><circle cx="310" cy="232" r="24" fill="#222"/>
    <rect x="205" y="200" width="70" height="18" fill="#1d4ed8"/></svg>`
  const { default: sharp } = await import('sharp')
  const img = sharp(Buffer.from(svg))
  return {
    full: new Uint8Array(await img.clone().jpeg({ quality: 70 }).toBuffer()),
    thumb: new Uint8Array(await img.clone().resize(320, 320, { fit: 'cover' }).jpeg({ quality: 60 }).toBuffer()),
  }
}

/** Stores the already-encoded demo photo (no re-encoding per report: seeding stays fast). */
async function storeDemoPhoto(ctx: Ctx, photo: { full: Uint8Array; thumb: Uint8Array }, owner: { type: 'citizen' | 'staff'; id: string }, name: string) {
  const [storageKey, thumbKey] = await Promise.all([ctx.deps.storage.put(photo.full, 'jpg'), ctx.deps.storage.put(photo.thumb, 'jpg')])
  const [row] = await ctx.db
    .insert(files)
    .values({
      storageKey,
      thumbKey,
      contentType: 'image/jpeg',
      size: photo.full.byteLength,
      name,
      ownerType: owner.type,
      ownerId: owner.id,
      createdAt: ctx.now(),
    })
    .returning({ id: files.id })
  return row?.id as string
}

export async function seedReports(ctx: Ctx, refs: DemoRefs): Promise<void> {
  await seedKinds(ctx)
  await ctx.db.insert(reportSettings).values({ key: 'default_unit_id', value: refs.units.commandCentre }).onConflictDoNothing()
  const ids = refs.staff
  for (const g of SEED_GRIDS) {
    await ctx.db.insert(grids).values({
      code: g.code,
      name: g.name,
      unitId: refs.units.brigades[g.brigade] as string,
      officerId: ids[g.officer],
      assistants: g.assistants,
      roads: g.roads,
      geometry: g.geometry,
      ...bboxOf(g.geometry),
      areaM2: areaM2(g.geometry),
    })
  }
  const hash = createHash('sha256').update(DEMO_OPEN311_KEY).digest('hex')
  await ctx.db
    .insert(open311Keys)
    .values({ name: '演示客户端 (demo)', prefix: DEMO_OPEN311_KEY.slice(0, 9), keyHash: hash, unitId: refs.units.detachment, createdBy: ids.admin })

  const allUnits = (await ctx.db.select({ id: units.id }).from(units)).map((u) => u.id)
  const people = await ctx.db
    .select({ id: staff.id, name: staff.name, unitId: staff.unitId, username: staff.username })
    .from(staff)
    .where(inArray(staff.id, [ids.dispatcher, ids.officer, ids.officer2, ids.head]))
  const asStaff = (username: string): Actor => {
    const p = people.find((x) => x.username === username)
    if (!p) throw new Error(`seed: no staff ${username}`)
    return {
      kind: 'staff',
      role: username === 'head' ? 'unit_head' : 'dispatcher',
      id: p.id,
      sessionId: '',
      name: p.name,
      unitId: p.unitId,
      unitScope: allUnits,
    }
  }
  const dispatcher = asStaff('dispatcher')
  const officer = asStaff('officer')
  const officer2 = asStaff('officer2')
  const head = asStaff('head')
  const citizen = (i: number): Actor => ({ kind: 'citizen', role: 'citizen', id: refs.citizens[i]?.id as string, sessionId: '' })

  const now = ctx.now().getTime()
  const kinds = new Map(DEFAULT_KINDS.map((k) => [k.code, k as KindConfig]))
  const photo = await demoPhoto(210)

  type Step = [minutesAfterStart: number, action: ReportAction, who: Actor, extra?: { note?: string; officer?: Actor; rating?: number; photo?: boolean }]
  const file = async (
    ageMin: number,
    by: number,
    input: Omit<ReportCreate, 'attributes' | 'photoIds' | 'locationSource'> & {
      attributes?: Record<string, string>
      locationSource?: ReportCreate['locationSource']
    },
    steps: Step[] = [],
  ) => {
    const start = now - ageMin * MIN
    const at = (t: number, actor: Actor): Ctx => ({ ...ctx, actor, now: () => new Date(t) })
    const c0 = at(start, citizen(by))
    const kind = kinds.get(input.kind) as KindConfig
    const photoIds: string[] = []
    if (kind.minPhotos > 0) {
      photoIds.push(await storeDemoPhoto(c0, photo, { type: 'citizen', id: refs.citizens[by]?.id as string }, 'photo.jpg'))
    }
    const { report } = await insertReport(
      c0,
      { locationSource: 'gps', attributes: {}, photoIds, ...input },
      { source: 'h5', citizenId: refs.citizens[by]?.id ?? null },
    )
    let row = report
    for (const [m, action, who, extra] of steps) {
      const t = start + m * MIN
      let notice: string[] | undefined
      if (extra?.photo) {
        notice = [await storeDemoPhoto(at(t, who), photo, { type: 'staff', id: who.kind === 'staff' ? who.id : '' }, 'notice.jpg')]
      }
      row = await applyTransition(at(t, who), row, kind, {
        action,
        note: extra?.note,
        officerId: extra?.officer?.kind === 'staff' ? extra.officer.id : undefined,
        rating: extra?.rating ? { score: extra.rating, comment: extra.rating >= 4 ? '处理很及时，谢谢！' : '来得有点慢' } : undefined,
        photoIds: notice,
      })
    }
    return row
  }

  // Congestion: one report in every state of the standard course.
  const c = (road: string, dx: number, dy: number) => near(road, dx, dy)
  const p1 = c('春熙路', 10, 5)
  const first = await file(3, 0, {
    kind: 'congestion',
    ...p1,
    address: '春熙路与总府路路口',
    description: '路口车辆排队超过三百米，信号灯周期太短',
    attributes: { severity: 'jammed' },
  })
  await file(20, 1, {
    kind: 'congestion',
    ...c('锦华路一段', 0, 0),
    address: '锦华路一段万达广场门口',
    description: '晚高峰车辆拥堵，有车辆违停占道',
    attributes: { severity: 'standstill' },
  })
  await file(40, 2, { kind: 'congestion', ...c('天府大道北段', 30, 0), address: '天府大道北段高新南三路口', description: '早高峰严重拥堵，车辆几乎不动' }, [
    [2, 'accept', dispatcher],
  ])
  await file(15, 0, { kind: 'congestion', ...c('滨江西路', 0, 20), address: '滨江西路锦里中路口', description: '两车剐蹭后停在路中，后方拥堵' }, [
    [1, 'accept', dispatcher],
    [3, 'dispatch', dispatcher, { officer }],
  ])
  await file(25, 1, { kind: 'congestion', ...c('红星路三段', -20, 0), address: '红星路三段与总府路交叉口', description: '学校放学时段接送车辆拥堵' }, [
    [2, 'dispatch', dispatcher, { officer }],
    [3, 'acknowledge', officer],
    [18, 'arrive', officer],
  ])
  await file(130, 0, { kind: 'congestion', ...c('东湖大道', 0, 0), address: '东湖大道东湖公园北门', description: '施工占道导致车辆排长队' }, [
    [2, 'accept', dispatcher],
    [4, 'dispatch', dispatcher, { officer }],
    [22, 'arrive', officer],
    [50, 'resolve', officer, { note: '已协调施工方收窄围挡，恢复两车道通行' }],
  ])
  await file(2 * 24 * 60, 0, { kind: 'congestion', ...c('人民南路四段', 0, 0), address: '人民南路四段', description: '事故车辆未撤离，车流缓慢' }, [
    [3, 'accept', dispatcher],
    [4, 'dispatch', dispatcher, { officer: officer2 }],
    [21, 'arrive', officer2],
    [45, 'resolve', officer2, { note: '事故车辆已拖离' }],
    [300, 'rate', citizen(0), { rating: 5 }],
  ])
  await file(24 * 60, 2, { kind: 'congestion', ...c('东大街', 0, 0), address: '东大街', description: '这里堵车，请处理一下' }, [
    [4, 'reject', dispatcher, { note: '经视频核实为正常车流，未发现拥堵' }],
  ])
  await file(80, 0, { kind: 'congestion', ...c('科华南路', 0, 0), address: '科华南路', description: '路口拥堵，已经堵了半小时' }, [
    [1, 'withdraw', citizen(0), { note: '已经通畅了' }],
  ])
  const dup = await file(2, 2, { kind: 'congestion', ...c('春熙路', 40, 20), address: '春熙路', description: '春熙路口堵得很厉害' })
  await applyTransition({ ...ctx, actor: dispatcher }, dup, kinds.get('congestion') as KindConfig, {
    action: 'merge',
    note: first.number,
    mergedIntoId: first.id,
  })

  // Road hazards.
  await file(
    12,
    1,
    { kind: 'hazard', ...c('科创大道', 0, 0), address: '科创大道龙舟路口', description: '信号灯全部熄灭，路口秩序混乱', attributes: { hazard_type: 'signal' } },
    [
      [1, 'accept', dispatcher],
      [2, 'dispatch', dispatcher, { officer: officer2 }],
    ],
  )
  await file(
    5 * 24 * 60,
    0,
    { kind: 'hazard', ...c('双林路', 0, 0), address: '双林路', description: '路面有大量碎石遗撒，容易打滑', attributes: { hazard_type: 'debris' } },
    [
      [3, 'accept', dispatcher],
      [5, 'dispatch', dispatcher, { officer }],
      [30, 'arrive', officer],
      [70, 'resolve', officer, { note: '已通知环卫清扫' }],
      [80 * 60, 'close', head],
    ],
  )

  // Zombie cars: every step of their own course.
  const z = (road: string, plate: string, parked: string, dx = 0) => ({ kind: 'zombie_car', ...near(road, dx, 0), plate, attributes: { parked_for: parked } })
  await file(120, 0, { ...z('建设北路', '川A7K2M9', 'gt30d'), address: '建设北路小区门口', description: '一辆白色轿车停放两个多月，落满灰尘，轮胎没气' })
  await file(24 * 60, 1, { ...z('锦里中路', '川AB3C71', '7to30d'), address: '锦里中路公共停车位', description: '车辆长期占用公共车位，车窗破损' }, [
    [20, 'accept', dispatcher],
    [30, 'dispatch', dispatcher, { officer }],
  ])
  await file(2 * 24 * 60, 2, { ...z('总府路', '川A0L6P2', 'gt30d'), address: '总府路辅道', description: '面包车停了很久，车身有很多小广告' }, [
    [60, 'dispatch', dispatcher, { officer }],
    [200, 'arrive', officer, { note: '现场拍照登记，24小时后复核' }],
  ])
  await file(4 * 24 * 60, 0, { ...z('高新南三路', '川A5E2T8', 'gt30d'), address: '高新南三路人行道旁', description: '僵尸车占用非机动车道' }, [
    [30, 'dispatch', dispatcher, { officer: officer2 }],
    [120, 'arrive', officer2],
    [27 * 60, 'verify', officer2, { note: '二次核查车辆未移动' }],
  ])
  await file(6 * 24 * 60, 1, { ...z('东湖大道', '川AQ8R41', 'gt30d'), address: '东湖大道东湖公园南侧', description: '长期停放的报废车辆，已经生锈' }, [
    [30, 'dispatch', dispatcher, { officer }],
    [90, 'arrive', officer],
    [26 * 60, 'verify', officer],
    [27 * 60, 'post_notice', officer, { photo: true, note: '已张贴限期七日驶离告知书' }],
  ])
  await file(10 * 24 * 60, 0, { ...z('龙舟路', '川AX1N63', 'gt30d'), address: '龙舟路12号旁', description: '车辆停放超过三个月无人挪动' }, [
    [40, 'dispatch', dispatcher, { officer: officer2 }],
    [100, 'arrive', officer2],
    [25 * 60, 'verify', officer2],
    [26 * 60, 'post_notice', officer2, { photo: true }],
  ])
  await file(20 * 24 * 60, 2, { ...z('科华南路', '川AH9U27', 'gt30d'), address: '科华南路地铁站出口', description: '黑色轿车停放半年以上' }, [
    [30, 'dispatch', dispatcher, { officer: officer2 }],
    [90, 'arrive', officer2],
    [25 * 60, 'verify', officer2],
    [26 * 60, 'post_notice', officer2, { photo: true }],
    [9 * 24 * 60, 'tow', officer2, { note: '限期届满未驶离，依法拖移至停车场' }],
  ])
  await file(40 * 24 * 60, 0, { ...z('三环路东五段', '川AV4W58', 'gt30d'), address: '三环路东五段辅道', description: '货车长期停放阻碍视线' }, [
    [30, 'dispatch', dispatcher, { officer: officer2 }],
    [60, 'arrive', officer2],
    [25 * 60, 'verify', officer2],
    [26 * 60, 'post_notice', officer2, { photo: true }],
    [9 * 24 * 60, 'tow', officer2],
    [10 * 24 * 60, 'announce', head, { note: '已在支队网站发布招领公告' }],
  ])
  await file(12 * 24 * 60, 1, { ...z('青羊正街', '川AG2S90', '7to30d'), address: '青羊正街老菜市场旁', description: '红色小车停放很久了' }, [
    [30, 'dispatch', dispatcher, { officer }],
    [120, 'arrive', officer],
    [25 * 60, 'verify', officer],
    [26 * 60, 'post_notice', officer, { photo: true }],
    [3 * 24 * 60, 'owner_moved', officer, { note: '车主接到告知后已将车辆驶离' }],
    [6 * 24 * 60, 'close', dispatcher],
  ])
  await file(140 * 24 * 60, 0, { ...z('双林路', '川AM7D35', 'gt30d'), address: '双林路居民区', description: '报废车辆长期占道' }, [
    [30, 'dispatch', dispatcher, { officer }],
    [90, 'arrive', officer],
    [25 * 60, 'verify', officer],
    [26 * 60, 'post_notice', officer, { photo: true }],
    [9 * 24 * 60, 'tow', officer],
    [10 * 24 * 60, 'announce', head],
    [103 * 24 * 60, 'dispose', head, { note: '公告期满无人认领，依法处置' }],
  ])
  await file(35 * 24 * 60, 2, { ...z('一环路南三段', '川AK6F13', '7to30d'), address: '一环路南三段', description: '车辆长期停放在禁停路段' }, [
    [30, 'dispatch', dispatcher, { officer: officer2 }],
    [90, 'arrive', officer2],
    [25 * 60, 'verify', officer2],
    [26 * 60, 'post_notice', officer2, { photo: true }],
    [9 * 24 * 60, 'tow', officer2],
    [12 * 24 * 60, 'return_to_owner', head, { note: '车主持证件领回车辆' }],
  ])

  await seedHistory(ctx, refs, now)
}

/**
 * Two months of finished reports for the statistics page, inserted in bulk (fast enough for every
 * test database): congestion clusters on a few busy roads, zombie cars cleared each month.
 */
async function seedHistory(ctx: Ctx, refs: DemoRefs, now: number) {
  let seed = 42
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
    return seed / 2_147_483_648
  }
  const roads = ['春熙路', '春熙路', '天府大道北段', '天府大道北段', '人民南路四段', '东湖大道', '锦华路一段', '科创大道', '红星路三段']
  const grid = new Map((await ctx.db.select({ id: grids.id, code: grids.code, unitId: grids.unitId }).from(grids)).map((g) => [g.code, g]))
  const gridOf = (road: string) => SEED_GRIDS.find((g) => g.roads.some((r) => r.name === road)) as (typeof SEED_GRIDS)[number]
  const rows: (typeof reports.$inferInsert)[] = []
  for (let day = 60; day >= 3; day--) {
    const perDay = 1 + Math.floor(rand() * 4)
    for (let i = 0; i < perDay; i++) {
      const zombie = rand() < 0.2
      const road = zombie
        ? (['双林路', '龙舟路', '建设北路', '科华南路'][Math.floor(rand() * 4)] as string)
        : (roads[Math.floor(rand() * roads.length)] as string)
      const g = grid.get(gridOf(road).code)
      const p = near(road, (rand() - 0.5) * 160, (rand() - 0.5) * 160)
      const created = new Date(now - day * DAY + Math.floor(rand() * 14 + 7) * HOUR)
      const acceptMin = 1 + rand() * (zombie ? 600 : 9)
      const resolveMin = zombie ? (3 + rand() * 10) * 24 * 60 : 20 + rand() * 90
      const accepted = new Date(created.getTime() + acceptMin * MIN)
      const resolved = new Date(created.getTime() + resolveMin * MIN)
      const date = new Date(created.getTime() + 8 * HOUR).toISOString().slice(2, 10).replaceAll('-', '')
      const rating = rand() < 0.4 ? 3 + Math.floor(rand() * 3) : null
      rows.push({
        number: date,
        kind: zombie ? 'zombie_car' : rand() < 0.8 ? 'congestion' : 'hazard',
        course: zombie ? 'zombie' : 'standard',
        state: 'closed',
        stateType: 'closed',
        outcome: zombie ? (rand() < 0.6 ? 'moved' : 'disposed') : 'resolved',
        source: 'h5',
        citizenId: refs.citizens[Math.floor(rand() * refs.citizens.length)]?.id ?? null,
        lat: p.lat,
        lng: p.lng,
        locationSource: 'gps',
        address: road,
        roadName: road,
        gridId: g?.id ?? null,
        unitId: g?.unitId ?? refs.units.commandCentre,
        description: zombie ? '车辆长期停放无人挪动' : '车辆排队缓行，通行缓慢',
        plate: zombie ? `川A${String(10000 + Math.floor(rand() * 89999))}` : null,
        clockStartAt: created,
        acceptedAt: accepted,
        dispatchedAt: accepted,
        onSceneAt: new Date(accepted.getTime() + 15 * MIN),
        resolvedAt: resolved,
        finishedAt: resolved,
        closedAt: new Date(resolved.getTime() + 3 * DAY),
        rating,
        ratedAt: rating ? new Date(resolved.getTime() + DAY) : null,
        createdAt: created,
        updatedAt: resolved,
      })
    }
  }
  // Numbers from the same sequence as live reports: R + China date + serial.
  const serials = await execRows<{ n: string }>(ctx.db, sql`select nextval('report_number_seq')::text as n from generate_series(1, ${rows.length})`)
  rows.forEach((r, i) => {
    r.number = `R${r.number}${(serials[i]?.n ?? String(90000 + i)).padStart(5, '0')}`
  })
  const inserted = await ctx.db
    .insert(reports)
    .values(rows)
    .returning({ id: reports.id, createdAt: reports.createdAt, resolvedAt: reports.resolvedAt, course: reports.course })
  await ctx.db.insert(reportEvents).values(
    inserted.flatMap((r) => [
      { reportId: r.id, at: r.createdAt, action: 'submit', actorType: 'citizen', actorRole: 'citizen', toState: 'submitted' },
      {
        reportId: r.id,
        at: r.resolvedAt ?? r.createdAt,
        action: 'close',
        actorType: 'system',
        actorRole: 'system',
        fromState: r.course === 'zombie' ? 'moved' : 'resolved',
        toState: 'closed',
      },
    ]),
  )
  const zombies = inserted.filter((r) => r.course === 'zombie')
  if (zombies.length) await ctx.db.insert(reportSightings).values(zombies.map((r) => ({ reportId: r.id, at: r.createdAt, by: 'report' as const })))
}
