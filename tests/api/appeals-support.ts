import { deflateSync } from 'node:zlib'
import { appealsModule } from '@tp/server/modules/appeals/index'
import { seedIdentity } from '@tp/server/modules/identity/identity.seed'
import { staff, units } from '@tp/server/modules/identity/identity.tables'
import { hashPassword } from '@tp/server/modules/identity/staff.service'
import { systemCtx } from '@tp/server/platform/context'
import { eq } from 'drizzle-orm'
import { createTestApp, type TestApp } from '../support/app'
import { type Client, citizen, staffUser } from '../support/client'

function crc32(buf: Buffer): number {
  let c = ~0
  for (const b of buf) {
    c ^= b
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1
  }
  return ~c >>> 0
}

/** A real RGB PNG of `w`×`h` pixels (decodable by sharp), built without image libraries. */
export function png(w = 16, h = 16): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(td))
    return Buffer.concat([len, td, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8
  ihdr[9] = 2
  const raw = Buffer.alloc((w * 3 + 1) * h)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([(x * 16) & 255, (y * 16) & 255, 128], y * (w * 3 + 1) + 1 + x * 3)
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

/** A photo and a minimal PDF: uploads are checked by content. */
export const PNG = png()
export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
)

export const file = (bytes: Uint8Array | string, name: string, type = 'application/octet-stream') => new File([bytes as BlobPart], name, { type })

let seq = 0
/** A fresh decision number per call (17 digits). */
export const decisionNo = () => `59${String(Date.now()).slice(-9)}${String(++seq).padStart(6, '0')}`

export interface TicketInput {
  decisionNo?: string
  plate?: string
  occurredAt?: string
  unit?: string
  recordedBy?: string
  fineYuan?: number
  points?: number
  /** Where the violation happened (unit name), when not the issuing unit. */
  occurredUnit?: string
  vinLast6?: string
}

export function ticketRow(over: TicketInput = {}) {
  return {
    decisionNo: over.decisionNo ?? decisionNo(),
    plate: over.plate ?? '川A12345',
    occurredAt: over.occurredAt ?? '2026-03-01 08:30',
    place: '人民南路与锦江大道交叉口',
    violationCode: '16250',
    violationDesc: '驾驶机动车违反道路交通信号灯通行',
    fineYuan: over.fineYuan ?? 200,
    points: over.points ?? 6,
    unit: over.unit ?? '城区一大队',
    officerName: '张路警',
    officerNo: '051234',
    recordedBy: over.recordedBy ?? 'onsite',
    ...(over.occurredUnit ? { occurredUnit: over.occurredUnit } : {}),
    ...(over.vinLast6 ? { vinLast6: over.vinLast6 } : {}),
  }
}

/** Registers tickets through the import API as an admin. */
export async function importTickets(admin: Client, rows: TicketInput[]) {
  const full = rows.map(ticketRow)
  const res = await admin.post('/api/tickets/import', { tickets: full })
  if (res.status !== 200) throw new Error(`import failed: ${res.status} ${JSON.stringify(res.body)}`)
  return full
}

export function appealForm(fields: Record<string, string>, files: File[] = []) {
  const fd = new FormData()
  for (const [k, v] of Object.entries(fields)) fd.append(k, v)
  for (const f of files) fd.append('evidence', f)
  return fd
}

export const STATEMENT = '抓拍照片中的车辆不是我的车，号牌尾号识别错误，请核实。'

/** Files an appeal on a fresh ticket for `plate`; returns the created appeal. */
export async function fileOn(citizen: Client, ticket: { decisionNo: string; plate: string }, extra: Record<string, string> = {}, files: File[] = []) {
  const res = await citizen.post(
    '/api/appeals',
    appealForm(
      { decisionNo: ticket.decisionNo, plate: ticket.plate, grounds: 'camera_misread', statement: STATEMENT, contactPhone: '13800138000', ...extra },
      files,
    ),
  )
  if (res.status !== 201) throw new Error(`filing failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

/** Adds a staff member (password demo12345) to a unit found by name. */
export async function addStaff(t: TestApp, username: string, role: 'legal_officer' | 'unit_head' | 'admin' | 'dispatcher', unitName: string, name = username) {
  const db = t.deps.database.db
  const [unit] = await db.select().from(units).where(eq(units.name, unitName))
  if (!unit) throw new Error(`no unit ${unitName}`)
  await db.insert(staff).values({ username, name, role, unitId: unit.id, passwordHash: await hashPassword('demo12345') })
}

/**
 * The app with the demo jurisdiction and the appeals demo data only (not the other features'
 * seeds): these tests depend on nothing but identity and appeals, and start faster.
 */
export async function appealsApp(opts: Omit<Parameters<typeof createTestApp>[0], 'seed'> = {}): Promise<TestApp> {
  const t = await createTestApp({ ...opts, seed: false })
  await t.deps.database.db.transaction(async (tx) => {
    const ctx = systemCtx(t.deps, tx)
    const refs = await seedIdentity(ctx)
    await appealsModule.seed?.(ctx, refs)
  })
  return t
}

/** China wall-clock time → instant. */
export const cst = (s: string) => new Date(`${s}+08:00`)

/**
 * The appeals app on a movable clock: signed in at the real time as admin, legal, head and 张三 with
 * sessions that outlive the jumps through 2026; with the legal officer's and the unit head's ids.
 */
export async function movableClockApp() {
  const t = await appealsApp({ now: new Date(), env: { STAFF_IDLE_MINUTES: String(300 * 24 * 60), CITIZEN_SESSION_DAYS: '300' } })
  const admin = await staffUser(t, 'admin')
  const legal = await staffUser(t, 'legal')
  const head = await staffUser(t, 'head')
  const zhang = await citizen(t, '13800138000')
  const rows = await t.deps.database.db.select({ id: staff.id, username: staff.username }).from(staff)
  const idOf = (username: string) => rows.find((r) => r.username === username)?.id as string
  return { t, admin, legal, head, zhang, legalId: idOf('legal'), headId: idOf('head') }
}
