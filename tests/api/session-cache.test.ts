import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { Client, citizen, newClient, staffUser } from '../support/client'
import { on, secondProcess, within } from '../support/second-process'

/**
 * Each process caches sessions (session-cache.ts). Every way a session ends or its account changes
 * must reach the cache at once: on this process, and through the event bus on the others.
 */
let t: TestApp
let other: TestApp
let admin: Client
let unitId: string
beforeAll(async () => {
  t = await createTestApp({ seed: true })
  other = await secondProcess(t)
  admin = await staffUser(t, 'admin')
  unitId = (await admin.get('/api/me')).body.unit.id
}, 300_000)
afterAll(async () => {
  await other?.close()
  await t?.close()
})

/** Polls until `path` answers `status`. */
const statusWithin = (c: Client, path: string, status: number) =>
  within(
    async () => (await c.get(path)).status,
    (got) => got === status,
  )

async function newStaff(username: string, role: string) {
  const created = await admin.post('/api/console/staff', { username, name: '缓存测试', role, unitId })
  expect(created.status).toBe(201)
  const s = await newClient(t).signInStaff(username, created.body.temporaryPassword)
  expect((await s.post('/api/auth/staff/password', { currentPassword: created.body.temporaryPassword, newPassword: 'Cache-test-2026' })).status).toBe(200)
  return { id: created.body.staff.id as string, client: s }
}

describe('session cache invalidation on one process', () => {
  it('refuses the old cookie right after sign-out, though it was just used', async () => {
    const c = await citizen(t, '13311120001')
    const replay = new Client(t, c.ip)
    replay.cookie = c.cookie
    expect((await replay.get('/api/me/cases')).status).toBe(200)
    expect((await c.post('/api/auth/logout')).status).toBe(200)
    expect((await replay.get('/api/me/cases')).status).toBe(401)
  })

  it('ends a staff member’s cached sessions when an admin deactivates them or resets their password', async () => {
    const w = await newStaff('cache.deact', 'window_staff')
    expect((await w.client.get('/api/me')).status).toBe(200)
    expect((await admin.patch(`/api/console/staff/${w.id}`, { active: false })).status).toBe(200)
    expect((await w.client.get('/api/me')).status).toBe(401)

    const r = await newStaff('cache.reset', 'window_staff')
    expect((await r.client.get('/api/me')).status).toBe(200)
    expect((await admin.post(`/api/console/staff/${r.id}/reset-password`)).status).toBe(200)
    expect((await r.client.get('/api/me')).status).toBe(401)
  })

  it('applies a role change to the next request of a signed-in staff member', async () => {
    const d = await newStaff('cache.role', 'dispatcher')
    expect((await d.client.get('/api/console/staff')).status).toBe(403)
    expect((await admin.patch(`/api/console/staff/${d.id}`, { role: 'admin' })).status).toBe(200)
    expect((await d.client.get('/api/console/staff')).status).toBe(200)
    expect((await admin.patch(`/api/console/staff/${d.id}`, { role: 'dispatcher' })).status).toBe(200)
    expect((await d.client.get('/api/console/staff')).status).toBe(403)
  })

  it('lets a staff member with a temporary password work as soon as they change it', async () => {
    const created = await admin.post('/api/console/staff', { username: 'cache.temp', name: '缓存测试', role: 'admin', unitId })
    const s = await newClient(t).signInStaff('cache.temp', created.body.temporaryPassword)
    const blocked = await s.get('/api/console/staff')
    expect([blocked.status, blocked.body.error.code]).toEqual([403, 'password_change_required'])
    expect((await s.post('/api/auth/staff/password', { currentPassword: created.body.temporaryPassword, newPassword: 'Cache-temp-2026' })).status).toBe(200)
    expect((await s.get('/api/console/staff')).status).toBe(200)
  })

  it('refuses a deleted citizen’s cookie at once', async () => {
    const c = await citizen(t, '13311120002')
    const replay = new Client(t, c.ip)
    replay.cookie = c.cookie
    expect((await replay.get('/api/me/cases')).status).toBe(200)
    expect((await c.request('DELETE', '/api/me', { confirm: 'DELETE' })).status).toBe(200)
    expect((await replay.get('/api/me/cases')).status).toBe(401)
  })
})

describe('session cache invalidation across processes', () => {
  it('refuses on server B a cookie signed out on server A', async () => {
    const c = await citizen(t, '13311120003')
    const onB = on(other, c)
    expect((await onB.get('/api/me/cases')).status).toBe(200)
    expect((await onB.get('/api/me/cases')).status).toBe(200)
    expect((await c.post('/api/auth/logout')).status).toBe(200)
    expect(await statusWithin(onB, '/api/me/cases', 401)).toBe(401)
  })

  it('ends on server B the session of a staff member deactivated on server A', async () => {
    const w = await newStaff('cache.remote', 'window_staff')
    const onB = on(other, w.client)
    expect((await onB.get('/api/me')).status).toBe(200)
    expect((await admin.patch(`/api/console/staff/${w.id}`, { active: false })).status).toBe(200)
    expect(await statusWithin(onB, '/api/me', 401)).toBe(401)
  })

  it('applies on server B a role change made on server A', async () => {
    const d = await newStaff('cache.remote.role', 'dispatcher')
    const onB = on(other, d.client)
    expect((await onB.get('/api/console/staff')).status).toBe(403)
    expect((await admin.patch(`/api/console/staff/${d.id}`, { role: 'admin' })).status).toBe(200)
    expect(await statusWithin(onB, '/api/console/staff', 200)).toBe(200)
  })
})
