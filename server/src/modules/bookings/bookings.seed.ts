import { type BookingState, DEFAULT_POLICY, type TicketState, type WeeklyHours } from '@tp/shared/bookings/schemas'
import { addCalendarDays, toChinaDate } from '@tp/shared/calendar'
import { and, asc, eq, gt, lte, type SQL, sql } from 'drizzle-orm'
import type { Ctx } from '../../platform/context'
import type { DemoRefs } from '../../platform/module'
import {
  bookingEvents,
  bookingPolicy,
  bookings,
  officeServices,
  offices,
  queueTickets,
  services,
  serviceWindows,
  slots,
  windowServices,
} from './bookings.tables'
import { heldSlot } from './common'
import { issueTicket } from './queue.service'
import { syncSlots } from './slots.service'

const WEEKDAY = [
  { from: '09:00', to: '12:00' },
  { from: '13:30', to: '17:00' },
]
const STATION = [
  { from: '09:00', to: '12:00' },
  { from: '14:00', to: '17:00' },
]
const SATURDAY = [{ from: '09:00', to: '12:00' }]

const SERVICES = [
  {
    code: 'registration',
    name: '机动车注册登记',
    prefix: 'A',
    durationMinutes: 30,
    vehicleNeeded: true,
    materials: ['机动车所有人身份证明', '购车发票', '机动车整车出厂合格证明或进口凭证', '交强险保单', '车辆购置税完税证明或免税凭证'],
    description: '新车上牌，需将车辆开到查验区查验。',
  },
  {
    code: 'transfer',
    name: '机动车转移登记（过户）',
    prefix: 'B',
    durationMinutes: 30,
    vehicleNeeded: true,
    materials: ['买卖双方身份证明', '机动车登记证书', '机动车行驶证', '二手车销售统一发票'],
    description: '二手车过户，需将车辆开到查验区查验。',
  },
  {
    code: 'licence',
    name: '驾驶证换证、补证',
    prefix: 'C',
    durationMinutes: 15,
    vehicleNeeded: false,
    materials: ['身份证明', '机动车驾驶证（补证除外）', '县级以上医疗机构出具的身体条件证明', '近期一寸白底彩色照片'],
    description: '驾驶证有效期满换证、遗失补证。',
  },
  {
    code: 'inspection',
    name: '机动车检验',
    prefix: 'D',
    durationMinutes: 20,
    vehicleNeeded: true,
    materials: ['机动车行驶证', '交强险保单', '车辆本身'],
    description: '定期检验合格标志核发。',
  },
  {
    code: 'violation',
    name: '交通违法处理',
    prefix: 'E',
    durationMinutes: 10,
    vehicleNeeded: false,
    materials: ['机动车驾驶证', '机动车行驶证', '违法通知书或处罚决定书（如有）'],
    description: '本地交通违法记录处理、罚款缴纳。',
  },
  {
    code: 'remote_violation',
    name: '异地违法处理',
    prefix: 'F',
    durationMinutes: 15,
    vehicleNeeded: false,
    materials: ['机动车驾驶证', '机动车行驶证', '违法记录截图或通知书'],
    description: '外省市交通违法记录的异地处理（异地处罚专窗）。',
  },
  {
    code: 'accident',
    name: '交通事故处理',
    prefix: 'G',
    durationMinutes: 30,
    vehicleNeeded: false,
    materials: ['当事人身份证明', '机动车驾驶证', '机动车行驶证', '事故认定书或快处协议书（如有）'],
    description: '简易事故快处快赔、事故认定书领取与调解。',
  },
] as const

type Code = (typeof SERVICES)[number]['code']

/** The demo 车管所 with six windows and Saturday service, two 警务站, sample bookings and tickets in every state. */
export async function seedBookings(ctx: Ctx, refs: DemoRefs): Promise<void> {
  const db = ctx.db
  await db.insert(bookingPolicy).values({ id: 'default', policy: DEFAULT_POLICY })
  const svc = {} as Record<Code, typeof services.$inferSelect>
  for (const [i, s] of SERVICES.entries()) {
    const [row] = await db
      .insert(services)
      .values({ ...s, materials: [...s.materials], sortOrder: (i + 1) * 10 })
      .returning()
    svc[s.code] = row as typeof services.$inferSelect
  }

  const hours = (weekday: typeof WEEKDAY, saturday: typeof SATURDAY | []): WeeklyHours => [[], weekday, weekday, weekday, weekday, weekday, saturday]
  const mkOffice = async (
    o: Omit<typeof offices.$inferInsert, 'hours'> & { hours: WeeklyHours },
    codes: Code[],
    windows: { number: number; label: string; codes: Code[] }[],
  ) => {
    const [row] = await db.insert(offices).values(o).returning()
    const office = row as typeof offices.$inferSelect
    await db.insert(officeServices).values(codes.map((c) => ({ officeId: office.id, serviceId: svc[c].id })))
    const ws: (typeof serviceWindows.$inferSelect)[] = []
    for (const w of windows) {
      const [wr] = await db.insert(serviceWindows).values({ officeId: office.id, number: w.number, label: w.label }).returning()
      const win = wr as typeof serviceWindows.$inferSelect
      await db.insert(windowServices).values(w.codes.map((c) => ({ windowId: win.id, serviceId: svc[c].id })))
      ws.push(win)
    }
    return { office, windows: ws }
  }

  const hall = await mkOffice(
    {
      unitId: refs.units.vehicleOffice,
      name: '市车辆管理所',
      kind: 'vehicle_office',
      address: '城南大道 88 号',
      lat: 30.5702,
      lng: 104.0647,
      phone: '028-12345678',
      directions: '地铁 1 号线“车管所站”B 口出，向南步行约 300 米；自驾请从城南大道辅道进入，查验车辆请走 2 号门。',
      hours: hours(WEEKDAY, SATURDAY),
    },
    ['registration', 'transfer', 'licence', 'inspection', 'violation', 'remote_violation', 'accident'],
    [
      { number: 1, label: '机动车登记', codes: ['registration', 'transfer'] },
      { number: 2, label: '机动车登记', codes: ['registration', 'transfer'] },
      { number: 3, label: '驾驶证业务', codes: ['licence'] },
      { number: 4, label: '机动车检验', codes: ['inspection'] },
      { number: 5, label: '违法处理（含异地处罚专窗）', codes: ['violation', 'remote_violation'] },
      { number: 6, label: '事故处理', codes: ['accident'] },
    ],
  )
  await mkOffice(
    {
      unitId: refs.units.stations[0] as string,
      name: '滨江警务站',
      kind: 'police_station',
      address: '滨江路 12 号',
      lat: 30.6465,
      lng: 104.0901,
      phone: '028-23456789',
      directions: '滨江公园北门东侧 50 米，公交 58 路“滨江路口”站。',
      hours: hours(STATION, []),
    },
    ['licence', 'violation', 'remote_violation', 'accident'],
    [
      { number: 1, label: '驾驶证、违法处理', codes: ['licence', 'violation'] },
      { number: 2, label: '异地处罚、事故处理', codes: ['remote_violation', 'accident'] },
    ],
  )
  await mkOffice(
    {
      unitId: refs.units.stations[1] as string,
      name: '高新警务站',
      kind: 'police_station',
      address: '天府大道中段 666 号',
      lat: 30.5431,
      lng: 104.0681,
      phone: null,
      directions: '地铁 1 号线“天府五街站”A 口，周六上午值班。',
      hours: hours(STATION, SATURDAY),
    },
    ['licence', 'violation'],
    [{ number: 1, label: '综合窗口', codes: ['licence', 'violation'] }],
  )

  const now = ctx.now()
  const today = toChinaDate(now)
  const [officeA, stationA, stationB] = await db.select().from(offices).orderBy(asc(offices.createdAt))
  for (const o of [officeA, stationA, stationB])
    if (o)
      await syncSlots(
        db,
        o.id,
        Array.from({ length: DEFAULT_POLICY.daysAhead + 1 }, (_, i) => addCalendarDays(today, i)),
      )

  // Sign the demo window staff in: 李窗口 at window 1, 周窗口 at window 3.
  const win = (n: number) => hall.windows.find((w) => w.number === n) as typeof serviceWindows.$inferSelect
  await db
    .update(serviceWindows)
    .set({ staffId: refs.staff.window, signedInAt: now })
    .where(eq(serviceWindows.id, win(1).id))
  await db
    .update(serviceWindows)
    .set({ staffId: refs.staff.window2, signedInAt: now })
    .where(eq(serviceWindows.id, win(3).id))

  const [c0, c1, c2] = refs.citizens as [DemoRefs['citizens'][number], DemoRefs['citizens'][number], DemoRefs['citizens'][number]]
  const ids: Record<string, string> = { [c0.id]: '11010519491231002X', [c1.id]: '440305198506121237', [c2.id]: '510107199202140011' }

  /** Booking codes DEMO2222, DEMO2223, …: unique within the seed, in the code alphabet (no 0 or 1). */
  let seq = 0
  const demoCode = () =>
    `DEMO${(seq++)
      .toString(8)
      .padStart(4, '0')
      .replace(/[0-7]/g, (d) => '23456789'[Number(d)] as string)}`

  /** Takes a place the same way a booking does (conditional update) and writes the booking. */
  const book = async (
    citizen: typeof c0,
    code: Code,
    slot: typeof slots.$inferSelect,
    state: BookingState,
    extra: Partial<typeof bookings.$inferInsert> = {},
  ) => {
    const taken = await db
      .update(slots)
      .set({ booked: sql`${slots.booked} + 1` })
      .where(and(eq(slots.id, slot.id), sql`${slots.booked} < ${slots.capacity}`))
      .returning({ id: slots.id })
    if (taken.length === 0) return null
    if (state === 'cancelled')
      await db
        .update(slots)
        .set({ booked: sql`${slots.booked} - 1` })
        .where(eq(slots.id, slot.id))
    const [b] = await db
      .insert(bookings)
      .values({
        code: demoCode(),
        citizenId: citizen.id,
        ...heldSlot(slot),
        serviceId: svc[code].id,
        state,
        name: citizen.name,
        idNumber: ids[citizen.id] as string,
        plate: svc[code].vehicleNeeded ? citizen.plate : null,
        createdAt: new Date(slot.startsAt.getTime() - 3 * 86_400_000),
        ...extra,
      })
      .returning()
    const row = b as typeof bookings.$inferSelect
    await db
      .insert(bookingEvents)
      .values({ bookingId: row.id, at: row.createdAt, action: 'create', actorType: 'citizen', actorRole: 'citizen', actorId: citizen.id, toState: 'booked' })
    if (state !== 'booked') {
      await db
        .insert(bookingEvents)
        .values({ bookingId: row.id, at: now, action: state, actorType: 'system', actorRole: 'system', fromState: 'booked', toState: state })
    }
    return row
  }
  const firstSlot = async (officeId: string, code: Code, where: SQL | undefined) => {
    const [s] = await db
      .select()
      .from(slots)
      .where(and(eq(slots.officeId, officeId), eq(slots.serviceId, svc[code].id), where, sql`${slots.booked} < ${slots.capacity}`))
      .orderBy(asc(slots.startsAt))
      .limit(1)
    return s
  }
  const o = hall.office

  // Future bookings: booked, and one cancelled.
  const future = sql`${slots.startsAt} > ${new Date(now.getTime() + 86_400_000).toISOString()}::timestamptz`
  const f1 = await firstSlot(o.id, 'licence', future)
  if (f1) await book(c0, 'licence', f1, 'booked')
  const f2 = await firstSlot(o.id, 'transfer', future)
  if (f2) await book(c1, 'transfer', f2, 'booked')
  const f3 = await firstSlot(o.id, 'inspection', future)
  if (f3) await book(c1, 'inspection', f3, 'cancelled', { cancelledAt: now })

  // A past no-show (a strike for 王五): the most recent open day before today.
  for (let back = 1; back <= 10; back++) {
    const day = addCalendarDays(today, -back)
    await syncSlots(db, o.id, [day])
    const s = await firstSlot(o.id, 'violation', eq(slots.date, day))
    if (s) {
      await book(c2, 'violation', s, 'no_show', { noShowAt: new Date(s.startsAt.getTime() + 30 * 60_000) })
      break
    }
  }

  // Today's hall, with tickets in every state. Booked tickets need today's slots (closed days: walk-ins only).
  const todaySlot = async (code: Code) =>
    (await firstSlot(o.id, code, and(eq(slots.date, today), lte(slots.startsAt, now)))) ??
    (await firstSlot(o.id, code, and(eq(slots.date, today), gt(slots.startsAt, now))))
  const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000)
  const ticket = async (
    code: Code,
    state: TicketState,
    opts: { window?: number; issued: number; called?: number; done?: number; booking?: { citizen: typeof c0; state: BookingState } } = { issued: 30 },
  ) => {
    let booking: typeof bookings.$inferSelect | null = null
    if (opts.booking) {
      const s = await todaySlot(code)
      if (s)
        booking = await book(opts.booking.citizen, code, s, opts.booking.state, {
          checkedInAt: minutesAgo(opts.issued),
          ...(opts.booking.state === 'done' ? { completedAt: minutesAgo(opts.done ?? 0) } : {}),
        })
    }
    const t = await issueTicket(ctx, {
      office: o,
      service: svc[code],
      bookingId: booking?.id ?? null,
      citizenId: booking?.citizenId ?? null,
      kind: booking ? 'booked' : 'walk_in',
      onTime: !!booking,
      slotStartsAt: booking?.startsAt ?? null,
    })
    const staffAt = opts.window === 1 ? refs.staff.window : refs.staff.window2
    await db
      .update(queueTickets)
      .set({
        state,
        issuedAt: minutesAgo(opts.issued),
        windowId: opts.window ? win(opts.window).id : null,
        calledAt: opts.called !== undefined ? minutesAgo(opts.called) : null,
        callCount: opts.called !== undefined ? 1 : 0,
        servingAt: state === 'serving' || state === 'done' ? minutesAgo((opts.called ?? 1) - 1) : null,
        completedAt: opts.done !== undefined ? minutesAgo(opts.done) : null,
        servedBy: opts.window ? staffAt : null,
      })
      .where(eq(queueTickets.id, t.id))
    return { ...t, bookingId: booking?.id ?? null }
  }
  await ticket('registration', 'done', { window: 1, issued: 75, called: 60, done: 40, booking: { citizen: c2, state: 'done' } })
  await ticket('licence', 'done', { window: 3, issued: 50, called: 45, done: 35 })
  await ticket('transfer', 'no_show', { window: 2, issued: 60, called: 30, booking: { citizen: c1, state: 'missed' } })
  await ticket('licence', 'serving', { window: 3, issued: 40, called: 10 })
  await ticket('violation', 'called', { window: 5, issued: 35, called: 2 })
  const moved = await ticket('registration', 'transferred', { window: 2, issued: 45, called: 20 })
  const [again] = await db
    .insert(queueTickets)
    .values({
      officeId: o.id,
      date: today,
      serviceId: svc.registration.id,
      number: moved.number,
      seq: moved.seq,
      kind: 'walk_in',
      state: 'waiting',
      targetWindowId: win(1).id,
      transferredFromId: moved.id,
      issuedAt: minutesAgo(15),
    })
    .returning({ id: queueTickets.id })
  void again
  await ticket('licence', 'cancelled', { issued: 25 })
  await ticket('registration', 'waiting', { issued: 20, booking: { citizen: c0, state: 'checked_in' } })
  await ticket('violation', 'waiting', { issued: 12 })
  await ticket('licence', 'waiting', { issued: 8 })
  await ticket('inspection', 'waiting', { issued: 5 })
  await ticket('remote_violation', 'waiting', { issued: 3 })
}
