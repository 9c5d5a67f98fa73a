import { createRequire } from 'node:module'
import { staff, units } from '@tp/server/modules/identity/identity.tables'
import { audit } from '@tp/server/platform/audit'
import { systemCtx } from '@tp/server/platform/context'
import { auditLog } from '@tp/server/platform/platform.tables'
import { and, desc, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { type Client, citizen, newClient, staffUser } from '../support/client'

// exceljs is the server's dependency; load it from there to read the workbook back.
interface Workbook {
  xlsx: { load(data: ArrayBuffer): Promise<unknown> }
  getWorksheet(name: string): { rowCount: number; getRow(n: number): { getCell(n: number): { value: unknown } } } | undefined
}
const ExcelJS = createRequire(import.meta.resolve('@tp/server/app'))('exceljs') as { Workbook: new () => Workbook }

let t: TestApp
let admin: Client
let head: Client
let head1: Client
let unitIds: Record<string, string>
beforeAll(async () => {
  t = await createTestApp({ seed: true })
  admin = await staffUser(t, 'admin')
  head = await staffUser(t, 'head')
  head1 = await staffUser(t, 'head1')
  const rows = await t.deps.database.db.select().from(units)
  unitIds = Object.fromEntries(rows.map((u) => [u.name, u.id]))
}, 300_000)
afterAll(() => t?.close())

const db = () => t.deps.database.db
async function lastAudit(action: string, entityId?: string) {
  const [row] = await db()
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), entityId ? eq(auditLog.entityId, entityId) : undefined))
    .orderBy(desc(auditLog.id))
    .limit(1)
  return row
}

describe('units', () => {
  it('lists the tree in scope: the whole tree for the detachment, a subtree for a brigade head', async () => {
    const all = await admin.get('/api/console/admin/units')
    expect(all.status).toBe(200)
    expect(all.body.items.length).toBe(10)
    expect(all.body.items[0]).toMatchObject({ kind: 'detachment', parentId: null, childCount: 6 })
    const sub = await head1.get('/api/console/admin/units')
    expect(sub.body.items.map((u: { name: string }) => u.name).sort()).toEqual(['一中队', '城区一大队', '滨江警务站'].sort())
  })

  it('creates, renames, moves (with the subtree) and deletes units, auditing each', async () => {
    const det = unitIds.市公安局交通警察支队 as string
    const b = await admin.post('/api/console/admin/units', { name: '城区三大队', kind: 'brigade', parentId: det })
    expect(b.status).toBe(201)
    const sq = await admin.post('/api/console/admin/units', { name: '三大队一中队', kind: 'squadron', parentId: b.body.id })
    expect(sq.status).toBe(201)
    expect(await lastAudit('unit.created', b.body.id)).toBeDefined()

    expect((await admin.patch(`/api/console/admin/units/${b.body.id}`, { name: '城区第三大队' })).body.name).toBe('城区第三大队')
    // Move the brigade's squadron under brigade 1: its path changes; a brigade head sees it now.
    const moved = await admin.patch(`/api/console/admin/units/${sq.body.id}`, { parentId: unitIds.城区一大队 })
    expect(moved.status).toBe(200)
    const [row] = await db().select().from(units).where(eq(units.id, sq.body.id))
    expect(row?.path).toEqual([det, unitIds.城区一大队, sq.body.id])
    const fresh = await staffUser(t, 'head1')
    expect((await fresh.get('/api/console/units')).body.items.some((u: { id: string }) => u.id === sq.body.id)).toBe(true)
    expect(await lastAudit('unit.updated', sq.body.id)).toMatchObject({ before: expect.objectContaining({ parentId: b.body.id }) })

    expect((await admin.delete(`/api/console/admin/units/${sq.body.id}`)).status).toBe(200)
    expect((await admin.delete(`/api/console/admin/units/${b.body.id}`)).status).toBe(200)
    expect(await lastAudit('unit.deleted', b.body.id)).toBeDefined()
  })

  it('enforces the tree rules: kinds, cycles, non-empty units, the root', async () => {
    const det = unitIds.市公安局交通警察支队 as string
    const b1 = unitIds.城区一大队 as string
    const station = unitIds.滨江警务站 as string
    const underStation = await admin.post('/api/console/admin/units', { name: '错误中队', kind: 'squadron', parentId: station })
    expect([underStation.status, underStation.body.error.code]).toEqual([422, 'unit_kind_not_allowed'])
    expect((await admin.post('/api/console/admin/units', { name: '第二支队', kind: 'detachment', parentId: det })).status).toBe(422)
    const cycle = await admin.patch(`/api/console/admin/units/${b1}`, { parentId: unitIds.一中队 })
    expect(cycle.status).toBe(409)
    expect((await admin.delete(`/api/console/admin/units/${b1}`)).body.error.code).toBe('unit_has_children')
    expect((await admin.delete(`/api/console/admin/units/${unitIds.车辆管理所}`)).body.error.code).toBe('unit_has_staff')
    expect((await admin.delete(`/api/console/admin/units/${det}`)).status).toBe(409)
    expect((await admin.post('/api/console/admin/units', { name: '一', kind: 'brigade', parentId: det })).status).toBe(400)
  })

  it('is for admins; unit heads read only; others are refused', async () => {
    const det = unitIds.市公安局交通警察支队 as string
    expect((await head.post('/api/console/admin/units', { name: '某大队', kind: 'brigade', parentId: det })).status).toBe(403)
    expect((await (await staffUser(t, 'dispatcher')).get('/api/console/admin/units')).status).toBe(403)
    expect((await newClient(t).get('/api/console/admin/units')).status).toBe(401)
  })
})

describe('staff administration', () => {
  it('creates a staff member with a one-time password that must be changed at first sign-in', async () => {
    const res = await admin.post('/api/console/staff', { username: 'Zhou.Min', name: '周敏', role: 'legal_officer', unitId: unitIds.法制科 })
    expect(res.status).toBe(201)
    expect(res.body.staff).toMatchObject({ username: 'zhou.min', role: 'legal_officer', mustChangePassword: true, active: true })
    const pw = res.body.temporaryPassword as string
    expect(pw).toMatch(/^(?=.*[A-Za-z])(?=.*\d).{12}$/)
    expect(JSON.stringify(await lastAudit('staff.created', res.body.staff.id))).not.toContain(pw)

    const s = await newClient(t).signInStaff('zhou.min', pw)
    expect((await s.get('/api/me')).body.mustChangePassword).toBe(true)
    const blocked = await s.get('/api/console/units')
    expect([blocked.status, blocked.body.error.code]).toEqual([403, 'password_change_required'])
    expect((await s.post('/api/auth/staff/password', { currentPassword: pw, newPassword: 'Legal-office-2026' })).status).toBe(200)
    expect((await s.get('/api/console/units')).status).toBe(200)

    const dup = await admin.post('/api/console/staff', { username: 'zhou.min', name: '周敏二', role: 'legal_officer', unitId: unitIds.法制科 })
    expect([dup.status, dup.body.error.code]).toEqual([409, 'username_taken'])
  })

  it('resets a password: unlocks, ends sessions, forces a change; audited', async () => {
    const created = (await admin.post('/api/console/staff', { username: 'reset.me', name: '钱多', role: 'window_staff', unitId: unitIds.车辆管理所 })).body
    const s = await newClient(t).signInStaff('reset.me', created.temporaryPassword)
    await s.post('/api/auth/staff/password', { currentPassword: created.temporaryPassword, newPassword: 'Window-2026-ok' })
    for (let i = 0; i < 5; i++) await newClient(t).post('/api/auth/staff/login', { username: 'reset.me', password: 'wrong-one-1' })
    expect((await newClient(t).post('/api/auth/staff/login', { username: 'reset.me', password: 'Window-2026-ok' })).status).toBe(429)

    const reset = await admin.post(`/api/console/staff/${created.staff.id}/reset-password`)
    expect(reset.status).toBe(200)
    expect(reset.body.staff).toMatchObject({ mustChangePassword: true, lockedUntil: null })
    expect((await s.get('/api/me')).status).toBe(401)
    const again = await newClient(t).signInStaff('reset.me', reset.body.temporaryPassword)
    expect((await again.get('/api/me')).body.mustChangePassword).toBe(true)
    expect(await lastAudit('staff.password_reset', created.staff.id)).toBeDefined()
  })

  it('changes role, unit, on-duty and active state; nobody demotes or deactivates themselves', async () => {
    const created = (await admin.post('/api/console/staff', { username: 'duty.one', name: '孙值班', role: 'dispatcher', unitId: unitIds.城区二大队 })).body
    const id = created.staff.id
    const upd = await admin.patch(`/api/console/staff/${id}`, { role: 'unit_head', unitId: unitIds.城区一大队, onDuty: true })
    expect(upd.body).toMatchObject({ role: 'unit_head', onDuty: true, unit: { id: unitIds.城区一大队 } })
    expect((await lastAudit('staff.updated', id))?.before).toMatchObject({ role: 'dispatcher' })
    expect((await admin.patch(`/api/console/staff/${id}`, { active: false })).body.active).toBe(false)
    expect(await lastAudit('staff.deactivated', id)).toBeDefined()
    expect((await newClient(t).post('/api/auth/staff/login', { username: 'duty.one', password: created.temporaryPassword })).status).toBe(401)
    expect((await admin.patch(`/api/console/staff/${id}`, { active: true })).body.active).toBe(true)

    const me = (await admin.get('/api/me')).body.id
    expect((await admin.patch(`/api/console/staff/${me}`, { role: 'dispatcher' })).status).toBe(409)
    expect((await admin.patch(`/api/console/staff/${me}`, { active: false })).status).toBe(409)
    expect((await admin.patch(`/api/console/staff/${id}`, { unitId: '00000000-0000-4000-8000-000000000000' })).status).toBe(404)
  })

  it('answers an empty change with the member as they are, auditing nothing', async () => {
    const id = (await admin.post('/api/console/staff', { username: 'duty.two', name: '周不变', role: 'dispatcher', unitId: unitIds.城区二大队 })).body.staff.id
    const audited = await lastAudit('staff.updated', id)
    const res = await admin.patch(`/api/console/staff/${id}`, {})
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id, name: '周不变', role: 'dispatcher', unit: { id: unitIds.城区二大队 } })
    expect(await lastAudit('staff.updated', id)).toEqual(audited)
    expect(await lastAudit('staff.duty_changed', id)).toBeUndefined()
  })

  it('lets unit heads see the staff of their subtree and set on-duty only', async () => {
    const mine = await head1.get('/api/console/staff?pageSize=100')
    expect(mine.status).toBe(200)
    const names = mine.body.items.map((s: { username: string }) => s.username)
    expect(names).toContain('officer')
    expect(names).toContain('head1')
    expect(names).not.toContain('officer2')
    expect(names).not.toContain('admin')
    const officer2 = (await admin.get('/api/console/staff?q=officer2')).body.items[0]
    expect((await head1.get(`/api/console/staff/${officer2.id}`)).status).toBe(404)
    expect((await head1.patch(`/api/console/staff/${officer2.id}`, { onDuty: false })).status).toBe(404)
    const officer = mine.body.items.find((s: { username: string }) => s.username === 'officer')
    expect((await head1.patch(`/api/console/staff/${officer.id}`, { onDuty: false })).body.onDuty).toBe(false)
    expect((await head1.patch(`/api/console/staff/${officer.id}`, { role: 'admin' })).status).toBe(403)
    expect((await head1.post('/api/console/staff', { username: 'not.allowed', name: '某人', role: 'dispatcher', unitId: unitIds.城区一大队 })).status).toBe(403)
    expect((await head1.post(`/api/console/staff/${officer.id}/reset-password`)).status).toBe(403)
  })

  it('filters and pages the staff list', async () => {
    const page1 = await admin.get('/api/console/staff?pageSize=3&page=1')
    const page2 = await admin.get('/api/console/staff?pageSize=3&page=2')
    expect(page1.body.items).toHaveLength(3)
    expect(page1.body.total).toBeGreaterThanOrEqual(10)
    expect(page2.body.items[0].id).not.toBe(page1.body.items[0].id)
    const legal = await admin.get('/api/console/staff?role=legal_officer')
    expect(legal.body.items.every((s: { role: string }) => s.role === 'legal_officer')).toBe(true)
    const byUnit = await admin.get(`/api/console/staff?unitId=${unitIds.车辆管理所}`)
    expect(byUnit.body.items.every((s: { unit: { id: string } }) => s.unit.id === unitIds.车辆管理所)).toBe(true)
    expect((await admin.get('/api/console/staff?q=%25')).body.items).toEqual([])
  })

  it('lets any staff member mark themselves on or off duty', async () => {
    const d = await staffUser(t, 'dispatcher')
    const res = await d.put('/api/console/me/duty', { onDuty: true })
    expect(res.body.onDuty).toBe(true)
    expect((await d.get('/api/me')).body.onDuty).toBe(true)
    expect(await lastAudit('staff.duty_changed', res.body.id)).toBeDefined()
  })
})

describe('citizens in the console', () => {
  it('finds a citizen by phone or plate with personal data masked', async () => {
    const d = await staffUser(t, 'dispatcher')
    const byPhone = await d.get('/api/console/citizens?q=13800138000')
    expect(byPhone.status).toBe(200)
    expect(byPhone.body.items).toEqual([
      expect.objectContaining({ phoneMasked: '138****8000', nameMasked: '张*', idNumberMasked: '1101**********002X', vehicleCount: 1 }),
    ])
    const byPlate = await d.get(`/api/console/citizens?q=${encodeURIComponent('川A12345')}`)
    expect(byPlate.body.items[0].id).toBe(byPhone.body.items[0].id)
    expect(JSON.stringify(byPhone.body)).not.toContain('13800138000')
    expect((await d.get('/api/console/citizens?q=zhang')).status).toBe(400)
  })

  it('shows the full record only on the detail view, and audits every view', async () => {
    const d = await staffUser(t, 'legal')
    const id = (await d.get('/api/console/citizens?q=13800138000')).body.items[0].id
    const before = await db()
      .select({ n: sql<number>`count(*)::int` })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'citizen.view_personal_data'), eq(auditLog.entityId, id)))
    const res = await d.get(`/api/console/citizens/${id}`)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ phone: '13800138000', name: '张三', idNumber: '11010519491231002X' })
    await d.get(`/api/console/citizens/${id}`)
    const after = await db()
      .select({ n: sql<number>`count(*)::int` })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'citizen.view_personal_data'), eq(auditLog.entityId, id)))
    expect((after[0]?.n ?? 0) - (before[0]?.n ?? 0)).toBe(2)
    const row = await lastAudit('citizen.view_personal_data', id)
    expect(row).toMatchObject({ actorType: 'staff', actorRole: 'legal_officer' })
  })

  it('hides citizens without a case in the scope of a lower unit (404), and refuses citizens (403)', async () => {
    await citizen(t, '13600000401')
    const id = (await admin.get('/api/console/citizens?q=13600000401')).body.items[0].id
    expect((await (await staffUser(t, 'officer2')).get(`/api/console/citizens/${id}`)).status).toBe(404)
    expect((await head1.get(`/api/console/citizens/${id}`)).status).toBe(404)
    expect((await (await staffUser(t, 'dispatcher')).get(`/api/console/citizens/${id}`)).status).toBe(200)
    const c = await citizen(t, '13700137000')
    expect((await c.get(`/api/console/citizens/${id}`)).status).toBe(403)
    expect((await c.get('/api/console/citizens?q=13800138000')).status).toBe(403)
  })
})

describe('audit log search', () => {
  it('finds rows by actor, action, entity and date range, newest first, paged', async () => {
    const res = await admin.get('/api/console/audit?actor=admin&action=staff.created')
    expect(res.status).toBe(200)
    expect(res.body.items.length).toBeGreaterThanOrEqual(3)
    expect(res.body.items.every((r: { action: string; actorLabel: string }) => r.action === 'staff.created' && r.actorLabel === 'admin')).toBe(true)
    const ids = res.body.items.map((r: { id: string }) => Number(r.id))
    expect([...ids].sort((a, b) => b - a)).toEqual(ids)

    const p1 = await admin.get('/api/console/audit?limit=2')
    const p2 = await admin.get(`/api/console/audit?limit=2&cursor=${p1.body.nextCursor}`)
    expect(p1.body.items).toHaveLength(2)
    expect(Number(p2.body.items[0].id)).toBeLessThan(Number(p1.body.items[1].id))

    const wildcard = await admin.get('/api/console/audit?action=auth.*&limit=200')
    expect(wildcard.body.items.length).toBeGreaterThan(0)
    expect(wildcard.body.items.every((r: { action: string }) => r.action.startsWith('auth.'))).toBe(true)

    const future = await admin.get(`/api/console/audit?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`)
    expect(future.body.items).toEqual([])
    const past = await admin.get(`/api/console/audit?to=${encodeURIComponent('2000-01-01T00:00:00Z')}`)
    expect(past.body.items).toEqual([])
    expect((await admin.get('/api/console/audit?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z')).status).toBe(400)
    expect((await admin.get('/api/console/audit?actor=nobody-here')).body.items).toEqual([])
  })

  it("scopes unit heads to their subtree's rows", async () => {
    const rows = (await head1.get('/api/console/audit?limit=200')).body.items as { unitId: string | null }[]
    const allowed = new Set([unitIds.城区一大队, unitIds.一中队, unitIds.滨江警务站])
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.every((r) => r.unitId && allowed.has(r.unitId))).toBe(true)
    // Admin sees citizen sign-ins too (no unit); a unit head does not.
    const adminRows = (await admin.get('/api/console/audit?action=auth.sign_in&limit=200')).body.items as { actorType: string }[]
    expect(adminRows.some((r) => r.actorType === 'citizen')).toBe(true)
    expect((await (await staffUser(t, 'dispatcher')).get('/api/console/audit')).status).toBe(403)
  })

  it('masks personal data in before/after even if a caller forgot to', async () => {
    await audit(systemCtx(t.deps), { entityType: 'test', action: 'test.unmasked', after: { phone: '13912345678', note: '身份证 510104198506120032' } })
    const res = await admin.get('/api/console/audit?action=test.unmasked')
    expect(res.body.items[0].after).toEqual({ phone: '139****5678', note: '身份证 5101**********0032' })
  })

  it('exports the search as XLSX and audits the export', async () => {
    const res = await t.app.request('/api/console/audit/export?action=staff.created', { headers: { cookie: admin.cookie, 'x-test-ip': admin.ip } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="audit-.*\.xlsx"/)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(await res.arrayBuffer())
    const ws = wb.getWorksheet('audit')
    expect(ws?.getRow(1).getCell(6).value).toBe('操作 Action')
    expect(ws?.rowCount).toBeGreaterThanOrEqual(4)
    expect(ws?.getRow(2).getCell(6).value).toBe('staff.created')
    const a = await lastAudit('audit.exported')
    expect(a).toMatchObject({ actorType: 'staff', after: expect.objectContaining({ filters: { action: 'staff.created' } }) })
  })

  it('is append-only: the database refuses to change or delete audit rows', async () => {
    await expect(db().update(auditLog).set({ action: 'tampered' })).rejects.toThrow()
    await expect(db().delete(auditLog)).rejects.toThrow()
    expect((await db().select({ n: sql<number>`count(*)::int` }).from(auditLog).where(eq(auditLog.action, 'tampered')))[0]?.n).toBe(0)
  })
})

describe('audit coverage of sign-in events', () => {
  it('records staff sign-in, sign-out and failures with actor, role and unit', async () => {
    const c = await staffUser(t, 'window')
    const [w] = await db().select().from(staff).where(eq(staff.username, 'window'))
    const signIn = await lastAudit('auth.sign_in', w?.id)
    expect(signIn).toMatchObject({ actorType: 'staff', actorId: w?.id, actorRole: 'window_staff', unitId: w?.unitId })
    expect(signIn?.ip).toBeTruthy()
    await c.post('/api/auth/logout')
    expect(await lastAudit('auth.sign_out', w?.id)).toMatchObject({ actorRole: 'window_staff' })
  })
})
