import { citizens, sessions, vehicles } from '@tp/server/modules/identity/identity.tables'
import { createSession } from '@tp/server/modules/identity/sessions'
import { auditLog, notifications } from '@tp/server/platform/platform.tables'
import { and, desc, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { Client, citizen, newClient } from '../support/client'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ seed: true })
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

describe('citizen profile', () => {
  it('shows the profile with the phone and ID number masked', async () => {
    const c = await citizen(t, '13800138000')
    const res = await c.get('/api/me/profile')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ phoneMasked: '138****8000', name: '张三', idNumberMasked: '1101**********002X', wechatBound: false })
    expect(res.body.preferences).toEqual({ notifyInApp: true, notifySms: true, locale: 'zh-CN' })
    expect(res.body.vehicles).toEqual([expect.objectContaining({ plate: '川A12345', vinLast6: 'A12345' })])
    expect(JSON.stringify(res.body)).not.toContain('11010519491231002X')
  })

  it('updates name, ID number and preferences, auditing masked values only', async () => {
    const c = await citizen(t, '13600000101')
    const me = (await c.get('/api/me')).body
    const res = await c.patch('/api/me/profile', {
      name: '  陈小明 ',
      idNumber: '51010419850612003 2'.replace(' ', '').toLowerCase(),
      preferences: { notifyInApp: true, notifySms: false, locale: 'en' },
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ name: '陈小明', idNumberMasked: '5101**********0032', preferences: { notifySms: false, locale: 'en' } })
    const [row] = await db().select().from(citizens).where(eq(citizens.id, me.id))
    expect(row?.idNumber).toBe('510104198506120032')
    const a = await lastAudit('citizen.profile_updated', me.id)
    expect(a?.after).toMatchObject({ citizenName: '陈**', idNumber: '5101**********0032' })
    expect(JSON.stringify(a)).not.toContain('510104198506120032')
    expect(JSON.stringify(a)).not.toContain('陈小明')
    expect((await c.get('/api/me')).body.name).toBe('陈小明')
  })

  it('rejects an ID number with a wrong checksum and unknown fields', async () => {
    const c = await citizen(t, '13600000102')
    const bad = await c.patch('/api/me/profile', { idNumber: '510104198506120031' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.details[0].path).toBe('body.idNumber')
    expect(JSON.stringify(bad.body)).not.toContain('510104198506120031')
    expect((await c.patch('/api/me/profile', { phone: '13900000000' })).status).toBe(400)
    expect((await c.patch('/api/me/profile', { name: '<script>' })).status).toBe(400)
  })

  it('is for citizens only', async () => {
    expect((await newClient(t).get('/api/me/profile')).status).toBe(401)
    const staff = await newClient(t).signInStaff('window')
    expect((await staff.get('/api/me/profile')).status).toBe(403)
  })
})

describe('vehicles', () => {
  it('adds a vehicle with a normalised plate and VIN tail, lists and removes it, auditing each', async () => {
    const c = await citizen(t, '13600000201')
    const added = await c.post('/api/me/vehicles', { plate: ' 川a·d1234 5 ', vinLast6: 'ab12c3' })
    expect(added.status).toBe(201)
    expect(added.body).toMatchObject({ plate: '川AD12345', vinLast6: 'AB12C3' })
    expect((await c.get('/api/me/vehicles')).body.items).toHaveLength(1)
    expect((await lastAudit('vehicle.added', added.body.id))?.after).toEqual({ plate: '川AD12345' })
    expect((await c.delete(`/api/me/vehicles/${added.body.id}`)).status).toBe(200)
    expect((await c.get('/api/me/vehicles')).body.items).toHaveLength(0)
    expect(await lastAudit('vehicle.removed', added.body.id)).toBeDefined()
    expect((await c.delete(`/api/me/vehicles/${added.body.id}`)).status).toBe(404)
  })

  it('validates the plate and the last six of the VIN', async () => {
    const c = await citizen(t, '13600000202')
    for (const body of [
      { plate: '川I12345', vinLast6: 'A12345' },
      { plate: 'AB12345', vinLast6: 'A12345' },
      { plate: '川A12345', vinLast6: 'A1234' },
      { plate: '川A12345', vinLast6: 'A1234O' },
      { plate: '川A12345' },
    ]) {
      const res = await c.post('/api/me/vehicles', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
    }
  })

  it('refuses the same plate twice (409) and honours Idempotency-Key', async () => {
    const c = await citizen(t, '13600000203')
    const body = { plate: '渝AD12345', vinLast6: 'Z98765' }
    const first = await c.post('/api/me/vehicles', body, { 'idempotency-key': 'veh-1' })
    const replay = await c.post('/api/me/vehicles', body, { 'idempotency-key': 'veh-1' })
    expect([first.status, replay.status]).toEqual([201, 201])
    expect(replay.body.id).toBe(first.body.id)
    const dup = await c.post('/api/me/vehicles', body)
    expect(dup.status).toBe(409)
    expect(dup.body.error.code).toBe('vehicle_exists')
  })

  it("cannot see or remove another citizen's vehicle (404)", async () => {
    const a = await citizen(t, '13600000204')
    const b = await citizen(t, '13600000205')
    const v = (await a.post('/api/me/vehicles', { plate: '川H66666', vinLast6: '123456' })).body
    expect((await b.delete(`/api/me/vehicles/${v.id}`)).status).toBe(404)
    expect((await b.get('/api/me/vehicles')).body.items).toEqual([])
    expect((await a.get('/api/me/vehicles')).body.items).toHaveLength(1)
  })

  it('holds the per-account limit under concurrent adds', async () => {
    const c = await citizen(t, '13600000206')
    const results = await Promise.all(
      Array.from({ length: 14 }, (_, i) => c.post('/api/me/vehicles', { plate: `川A${String(10000 + i)}`, vinLast6: '111111' })),
    )
    expect(results.filter((r) => r.status === 201)).toHaveLength(10)
    expect(results.filter((r) => r.status === 422).length).toBe(4)
  })
})

describe('data export', () => {
  it('downloads everything about the citizen as JSON, and audits the export', async () => {
    const c = await citizen(t, '13700137000')
    const res = await c.get('/api/me/export')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="my-data-\d{4}-\d{2}-\d{2}\.json"$/)
    expect(res.headers.get('content-type')).toContain('application/json')
    expect(res.body.account).toMatchObject({ phone: '13700137000', name: '王五', idNumber: '110101199003074477' })
    expect(res.body.vehicles[0]).toMatchObject({ plate: '川H88888' })
    expect(res.body.sessions.length).toBeGreaterThanOrEqual(1)
    expect(Array.isArray(res.body.cases)).toBe(true)
    expect(res.body.auditTrail.some((r: { action: string }) => r.action === 'auth.sign_in')).toBe(true)
    const a = await lastAudit('citizen.data_exported', res.body.account.id)
    expect(a).toMatchObject({ actorType: 'citizen', actorId: res.body.account.id })
  })
})

describe('account deletion', () => {
  it('needs an explicit confirmation', async () => {
    const c = await citizen(t, '13600000301')
    expect((await c.request('DELETE', '/api/me', {})).status).toBe(400)
    expect((await c.request('DELETE', '/api/me', { confirm: 'yes' })).status).toBe(400)
    expect((await c.get('/api/me')).status).toBe(200)
  })

  it('removes personal data, keeps the account row for cases, ends every session, and audits it masked', async () => {
    const phone = '13600000302'
    const c = await citizen(t, phone)
    const id = (await c.get('/api/me')).body.id
    // A second device signed in to the same account.
    const s2 = await createSession(db(), { type: 'citizen', id }, 86_400_000, new Date())
    const other = new Client(t, '10.9.9.7')
    other.cookie = `tp_sid=${s2.token}`
    expect((await other.get('/api/me')).status).toBe(200)
    await c.patch('/api/me/profile', { name: '赵六', idNumber: '510102199203150025' })
    await c.post('/api/me/vehicles', { plate: '川A54321', vinLast6: '654321' })
    await db().update(citizens).set({ wechatOpenId: 'oTestOpenId123456' }).where(eq(citizens.id, id))
    await db().insert(notifications).values({ recipientType: 'citizen', recipientId: id, messageKey: 'reports.notify.accepted' })

    const res = await c.request('DELETE', '/api/me', { confirm: 'DELETE' })
    expect(res.status).toBe(200)
    expect(c.cookie).toBe('')

    const [row] = await db().select().from(citizens).where(eq(citizens.id, id))
    expect(row).toMatchObject({ phone: null, name: null, idNumber: null, wechatOpenId: null, preferences: null })
    expect(row?.deletedAt).toBeInstanceOf(Date)
    expect(await db().select().from(vehicles).where(eq(vehicles.citizenId, id))).toEqual([])
    expect(await db().select().from(notifications).where(eq(notifications.recipientId, id))).toEqual([])
    const live = await db().select().from(sessions).where(eq(sessions.subjectId, id))
    expect(live.every((s) => s.revokedAt !== null)).toBe(true)
    expect((await other.get('/api/me')).status).toBe(401)

    const a = await lastAudit('citizen.account_deleted', id)
    expect(a?.before).toMatchObject({ phone: '136****0302', citizenName: '赵*', idNumber: '5101**********0025', vehicles: 1, wechatBound: true })
    expect(JSON.stringify(a)).not.toContain(phone)

    // The number can sign up again, as a new account with nothing of the old one.
    const again = await new Client(t, '10.9.9.9').signInCitizen(phone)
    const me = (await again.get('/api/me/profile')).body
    expect(me.id).not.toBe(id)
    expect(me.vehicles).toEqual([])
  })
})
