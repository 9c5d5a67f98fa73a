import { units } from '@tp/server/modules/identity/identity.tables'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { type Client, staffUser } from '../support/client'
import { on, secondProcess, within } from '../support/second-process'

/**
 * Each process caches unit subtrees (a staff member's scope, units.ts). A unit added, moved or
 * deleted on one server must reach the scope of staff served by another at once, through the event
 * bus, not after the cache's 30 s TTL.
 */
let t: TestApp
let other: TestApp
let admin: Client
let headOnB: Client
let unitIds: Record<string, string>
beforeAll(async () => {
  t = await createTestApp({ seed: true })
  other = await secondProcess(t)
  admin = await staffUser(t, 'admin')
  // The head of 城区一大队, served by server B: its scope is that brigade's subtree.
  headOnB = on(other, await staffUser(t, 'head1'))
  const rows = await t.deps.database.db.select().from(units)
  unitIds = Object.fromEntries(rows.map((u) => [u.name, u.id]))
}, 300_000)
afterAll(async () => {
  await other?.close()
  await t?.close()
})

/** The unit ids head1 sees on server B, polled until `done` holds (or 2 s pass). */
const scopeOnB = (done: (ids: string[]) => boolean) =>
  within(async () => ((await headOnB.get('/api/console/admin/units')).body.items as { id: string }[]).map((u) => u.id), done)

describe('unit scope cache across processes', () => {
  it('widens and narrows on server B the scope of a unit edited on server A', async () => {
    const brigade1 = unitIds.城区一大队 as string
    const before = await scopeOnB(() => true)
    expect(before).toContain(brigade1)

    const added = await admin.post('/api/console/admin/units', { name: '一大队二中队', kind: 'squadron', parentId: brigade1 })
    expect(added.status).toBe(201)
    expect(await scopeOnB((ids) => ids.includes(added.body.id))).toContain(added.body.id)

    expect((await admin.patch(`/api/console/admin/units/${added.body.id}`, { parentId: unitIds.城区二大队 })).status).toBe(200)
    expect(await scopeOnB((ids) => !ids.includes(added.body.id))).not.toContain(added.body.id)

    const moved = await admin.patch(`/api/console/admin/units/${added.body.id}`, { parentId: brigade1 })
    expect(moved.status).toBe(200)
    expect(await scopeOnB((ids) => ids.includes(added.body.id))).toContain(added.body.id)
    expect((await admin.delete(`/api/console/admin/units/${added.body.id}`)).status).toBe(200)
    expect(await scopeOnB((ids) => !ids.includes(added.body.id))).toEqual(before)
  })
})
