import { z } from '@hono/zod-openapi'
import { AccountDelete, CitizenProfile, ProfileUpdate, Vehicle, VehicleCreate } from '@tp/shared'
import { CITIZEN } from '../../platform/access'
import { createRouter, jsonBody, jsonContent, route } from '../../platform/openapi'
import { addVehicle, deleteAccount, exportData, getProfile, listVehicles, removeVehicle, updateProfile } from './profile.service'
import { clearSessionCookie } from './sessions'
import { unbindWechat } from './wechat.service'

const tags = ['Profile']
const Ok = z.object({ ok: z.literal(true) })
const IdParam = z.object({ id: z.uuid() })

export const profileRoutes = createRouter()
  .openapi(
    route({
      method: 'get',
      path: '/api/me/profile',
      tags,
      access: CITIZEN,
      summary: 'My profile (ID number masked)',
      responses: { 200: jsonContent(CitizenProfile) },
    }),
    async (c) => c.json(await getProfile(c.get('ctx')), 200),
  )
  .openapi(
    route({
      method: 'patch',
      path: '/api/me/profile',
      tags,
      access: CITIZEN,
      summary: 'Update my name, ID number (checksum validated) and notification preferences',
      request: { body: jsonBody(ProfileUpdate) },
      responses: { 200: jsonContent(CitizenProfile) },
    }),
    async (c) => c.json(await updateProfile(c.get('ctx'), c.req.valid('json')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/me/vehicles',
      tags,
      access: CITIZEN,
      summary: 'My vehicles',
      responses: { 200: jsonContent(z.object({ items: z.array(Vehicle) })) },
    }),
    async (c) => c.json({ items: await listVehicles(c.get('ctx')) }, 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/me/vehicles',
      tags,
      access: CITIZEN,
      idempotent: true,
      summary: 'Add a vehicle (plate number + last six characters of the VIN)',
      request: { body: jsonBody(VehicleCreate) },
      responses: { 201: jsonContent(Vehicle) },
    }),
    async (c) => c.json(await addVehicle(c.get('ctx'), c.req.valid('json')), 201),
  )
  .openapi(
    route({
      method: 'delete',
      path: '/api/me/vehicles/{id}',
      tags,
      access: CITIZEN,
      summary: 'Remove one of my vehicles',
      request: { params: IdParam },
      responses: { 200: jsonContent(Ok) },
    }),
    async (c) => {
      await removeVehicle(c.get('ctx'), c.req.valid('param').id)
      return c.json({ ok: true as const }, 200)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/me/export',
      tags,
      access: CITIZEN,
      summary: 'Download everything the portal holds about me (JSON); audited',
      responses: { 200: jsonContent(z.record(z.string(), z.unknown())) },
    }),
    async (c) => {
      const doc = await exportData(c.get('ctx'))
      c.header('Content-Disposition', `attachment; filename="my-data-${doc.exportedAt.slice(0, 10)}.json"`)
      c.header('Cache-Control', 'no-store')
      return c.json(doc as Record<string, unknown>, 200)
    },
  )
  .openapi(
    route({
      method: 'delete',
      path: '/api/me',
      tags,
      access: CITIZEN,
      summary: 'Delete my account: cases are kept, personal data is removed, every session ends; audited',
      request: { body: jsonBody(AccountDelete) },
      responses: { 200: jsonContent(Ok) },
    }),
    async (c) => {
      c.req.valid('json')
      await deleteAccount(c.get('ctx'))
      clearSessionCookie(c)
      return c.json({ ok: true as const }, 200)
    },
  )
  .openapi(
    route({ method: 'delete', path: '/api/me/wechat', tags, access: CITIZEN, summary: 'Unbind my WeChat account', responses: { 200: jsonContent(Ok) } }),
    async (c) => {
      await unbindWechat(c.get('ctx'))
      return c.json({ ok: true as const }, 200)
    },
  )
