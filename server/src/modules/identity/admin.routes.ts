import { z } from '@hono/zod-openapi'
import { DutyUpdate, StaffCreate, StaffMember, StaffQuery, StaffUpdate, StaffWithPassword, tableOf, Unit, UnitAdmin, UnitCreate, UnitUpdate } from '@tp/shared'
import { inArray } from 'drizzle-orm'
import { ANY_STAFF, staffRoles } from '../../platform/access'
import { createRouter, jsonBody, jsonContent, route } from '../../platform/openapi'
import { units } from './identity.tables'
import { createStaff, getStaff, listStaff, resetStaffPassword, setOwnDuty, updateStaff } from './staff.admin.service'
import { createUnitAdmin, deleteUnitAdmin, listUnitsAdmin, updateUnitAdmin } from './units'

const tags = ['Staff administration']
const Ok = z.object({ ok: z.literal(true) })
const IdParam = z.object({ id: z.uuid() })
const ADMIN = staffRoles('admin')
const ADMIN_OR_HEAD = staffRoles('admin', 'unit_head')

export const adminRoutes = createRouter()
  .openapi(
    route({
      method: 'get',
      path: '/api/console/units',
      tags,
      access: ANY_STAFF,
      summary: 'Units in my scope (my unit and every unit below it)',
      responses: { 200: jsonContent(z.object({ items: z.array(Unit) })) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const scope = ctx.actor.kind === 'staff' ? [...ctx.actor.unitScope] : []
      const rows = scope.length ? await ctx.db.select().from(units).where(inArray(units.id, scope)).orderBy(units.path) : []
      return c.json({ items: rows.map(({ id, parentId, name, kind }) => ({ id, parentId, name, kind })) }, 200)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/admin/units',
      tags,
      access: ADMIN_OR_HEAD,
      summary: 'The unit tree in my scope, with paths, staff and sub-unit counts',
      responses: { 200: jsonContent(z.object({ items: z.array(UnitAdmin) })) },
    }),
    async (c) => c.json({ items: await listUnitsAdmin(c.get('ctx')) }, 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/admin/units',
      tags,
      access: ADMIN,
      idempotent: true,
      summary: 'Create a unit (支队 → 大队 → 中队 / 警务站 / 车管所)',
      request: { body: jsonBody(UnitCreate) },
      responses: { 201: jsonContent(Unit) },
    }),
    async (c) => c.json(await createUnitAdmin(c.get('ctx'), c.req.valid('json')), 201),
  )
  .openapi(
    route({
      method: 'patch',
      path: '/api/console/admin/units/{id}',
      tags,
      access: ADMIN,
      summary: 'Rename or move a unit (its subtree moves with it)',
      request: { params: IdParam, body: jsonBody(UnitUpdate) },
      responses: { 200: jsonContent(Unit) },
    }),
    async (c) => c.json(await updateUnitAdmin(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(
    route({
      method: 'delete',
      path: '/api/console/admin/units/{id}',
      tags,
      access: ADMIN,
      summary: 'Delete an empty unit',
      request: { params: IdParam },
      responses: { 200: jsonContent(Ok) },
    }),
    async (c) => {
      await deleteUnitAdmin(c.get('ctx'), c.req.valid('param').id)
      return c.json({ ok: true as const }, 200)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/staff',
      tags,
      access: ADMIN_OR_HEAD,
      summary: 'Staff of my unit subtree',
      request: { query: StaffQuery },
      responses: { 200: jsonContent(tableOf(StaffMember)) },
    }),
    async (c) => c.json(await listStaff(c.get('ctx'), c.req.valid('query')), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/staff',
      tags,
      access: ADMIN,
      idempotent: true,
      summary: 'Create a staff member; answers a one-time password to hand over (changed at first sign-in)',
      request: { body: jsonBody(StaffCreate) },
      responses: { 201: jsonContent(StaffWithPassword) },
    }),
    async (c) => c.json(await createStaff(c.get('ctx'), c.req.valid('json')), 201),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/staff/{id}',
      tags,
      access: ADMIN_OR_HEAD,
      summary: 'One staff member of my unit subtree',
      request: { params: IdParam },
      responses: { 200: jsonContent(StaffMember) },
    }),
    async (c) => c.json(await getStaff(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    route({
      method: 'patch',
      path: '/api/console/staff/{id}',
      tags,
      access: ADMIN_OR_HEAD,
      summary: 'Change name, role, unit, active (admin) or on-duty (admin, unit head)',
      request: { params: IdParam, body: jsonBody(StaffUpdate) },
      responses: { 200: jsonContent(StaffMember) },
    }),
    async (c) => c.json(await updateStaff(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/staff/{id}/reset-password',
      tags,
      access: ADMIN,
      summary: 'Reset a password: a one-time password, the lock cleared, sessions ended, change forced',
      request: { params: IdParam },
      responses: { 200: jsonContent(StaffWithPassword) },
    }),
    async (c) => c.json(await resetStaffPassword(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    route({
      method: 'put',
      path: '/api/console/me/duty',
      tags,
      access: ANY_STAFF,
      summary: 'Mark myself on or off duty',
      request: { body: jsonBody(DutyUpdate) },
      responses: { 200: jsonContent(StaffMember) },
    }),
    async (c) => c.json(await setOwnDuty(c.get('ctx'), c.req.valid('json').onDuty), 200),
  )
