import { DEFAULT_PREFERENCES } from '@tp/shared'
import type { Ctx } from '../../platform/context'
import type { DemoRefs } from '../../platform/module'
import { citizens, staff, vehicles } from './identity.tables'
import { hashPassword } from './staff.service'
import { createUnit } from './units'

/** A believable jurisdiction: one 支队 with brigades, a 车管所, two 警务站 and the staff to run them. */
export async function seedIdentity(ctx: Ctx): Promise<DemoRefs> {
  const db = ctx.db
  const det = await createUnit(db, { name: '市公安局交通警察支队', kind: 'detachment', parentId: null })
  const command = await createUnit(db, { name: '情指行指挥中心', kind: 'squadron', parentId: det.id })
  const legal = await createUnit(db, { name: '法制科', kind: 'squadron', parentId: det.id })
  const b1 = await createUnit(db, { name: '城区一大队', kind: 'brigade', parentId: det.id })
  const b2 = await createUnit(db, { name: '城区二大队', kind: 'brigade', parentId: det.id })
  const b3 = await createUnit(db, { name: '规范保障大队', kind: 'brigade', parentId: det.id })
  await createUnit(db, { name: '一中队', kind: 'squadron', parentId: b1.id })
  const office = await createUnit(db, { name: '车辆管理所', kind: 'vehicle_office', parentId: det.id })
  const s1 = await createUnit(db, { name: '滨江警务站', kind: 'station', parentId: b1.id })
  const s2 = await createUnit(db, { name: '高新警务站', kind: 'station', parentId: b2.id })

  const pw = await hashPassword(ctx.deps.config.demoPassword)
  const people = [
    ['admin', '系统管理员', 'admin', det.id, false],
    ['dispatcher', '陈调度', 'dispatcher', det.id, false],
    ['legal', '刘法制', 'legal_officer', det.id, false],
    ['legal2', '赵审核', 'legal_officer', det.id, false],
    ['head', '王队长', 'unit_head', det.id, false],
    ['window', '李窗口', 'window_staff', office.id, false],
    ['window2', '周窗口', 'window_staff', office.id, false],
    ['officer', '张路警', 'dispatcher', b1.id, true],
    ['officer2', '孙路警', 'dispatcher', b2.id, true],
    // A brigade head: sees only 城区一大队 and the units below it.
    ['head1', '赵大队长', 'unit_head', b1.id, false],
  ] as const
  const ids: Record<string, string> = {}
  for (const [username, name, role, unitId, onDuty] of people) {
    const [row] = await db.insert(staff).values({ username, name, role, unitId, passwordHash: pw, onDuty }).returning({ id: staff.id })
    ids[username] = row?.id as string
  }

  const demoCitizens = [
    { phone: '13800138000', name: '张三', idNumber: '11010519491231002X', plate: '川A12345', vin: 'A12345' },
    { phone: '13900139000', name: '李四', idNumber: '440524198001010013', plate: '川AD12345', vin: 'B67890' },
    { phone: '13700137000', name: '王五', idNumber: '110101199003074477', plate: '川H88888', vin: 'C24680' },
  ]
  const out: DemoRefs['citizens'] = []
  for (const c of demoCitizens) {
    const [row] = await db
      .insert(citizens)
      .values({ phone: c.phone, name: c.name, idNumber: c.idNumber, preferences: DEFAULT_PREFERENCES })
      .returning({ id: citizens.id })
    const id = row?.id as string
    await db.insert(vehicles).values({ citizenId: id, plate: c.plate, vinLast6: c.vin })
    out.push({ id, phone: c.phone, name: c.name, plate: c.plate })
  }

  return {
    units: {
      detachment: det.id,
      brigades: [b1.id, b2.id, b3.id],
      vehicleOffice: office.id,
      stations: [s1.id, s2.id],
      legalOffice: legal.id,
      commandCentre: command.id,
    },
    staff: ids as DemoRefs['staff'],
    citizens: out,
  }
}
