import { z } from '@hono/zod-openapi'
import { pageOf } from '@tp/shared'
import {
  DisputeBody,
  KindPublic,
  NearbyQuery,
  NearbyReport,
  PhotoUploaded,
  Place,
  RateBody,
  ReportCreate,
  ReportDetail,
  ReportSummary,
  WithdrawBody,
} from '@tp/shared/reports/index'
import { CITIZEN, PUBLIC, SIGNED_IN } from '../../platform/access'
import { binary, createRouter, FileField, jsonBody, jsonContent, route } from '../../platform/openapi'
import { RATE_LIMITS } from '../../platform/rate-limit'
import { searchPlaces } from './grids.service'
import { listKinds } from './kinds.service'
import { readPhoto, uploadPhoto } from './photos.service'
import { citizenAct, citizenDetail, createReport, listMine, meToo, nearby } from './reports.service'

const tags = ['Reports']
const IdParam = z.object({ id: z.uuid() })

export const citizenRoutes = createRouter()
  .openapi(
    route({
      method: 'get',
      path: '/api/reports/kinds',
      tags,
      access: PUBLIC,
      summary: 'Report kinds and their fields (configuration)',
      responses: { 200: jsonContent(z.object({ items: z.array(KindPublic) })) },
    }),
    async (c) => c.json({ items: await listKinds(c.get('ctx'), { activeOnly: true }) }, 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/reports/places',
      tags,
      access: PUBLIC,
      summary: "Roads and landmarks of the jurisdiction's grids, for the location picker",
      request: { query: z.object({ q: z.string().trim().max(40).optional() }) },
      responses: { 200: jsonContent(z.object({ items: z.array(Place) })) },
    }),
    async (c) => c.json({ items: await searchPlaces(c.get('ctx'), c.req.valid('query').q) }, 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/reports/nearby',
      tags,
      access: PUBLIC,
      summary: 'Open reports of the same kind nearby (public view: no reporter, zombie cars coarsened)',
      request: { query: NearbyQuery },
      responses: { 200: jsonContent(z.object({ items: z.array(NearbyReport) })) },
    }),
    async (c) => c.json({ items: await nearby(c.get('ctx'), c.req.valid('query')) }, 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/reports/photos',
      tags,
      access: SIGNED_IN,
      rateLimit: RATE_LIMITS.photoUpload,
      summary: 'Upload one photo (JPEG/PNG/WebP/HEIC, ≤ 10 MB); EXIF is stripped, its GPS returned',
      request: {
        body: {
          required: true,
          content: { 'multipart/form-data': { schema: z.object({ photo: FileField }) } },
        },
      },
      responses: { 201: jsonContent(PhotoUploaded) },
    }),
    async (c) => {
      const form = await c.req.parseBody()
      return c.json(await uploadPhoto(c.get('ctx'), form.photo), 201)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/reports/files/{id}',
      tags,
      access: SIGNED_IN,
      summary: 'A report photo (the uploader, the reporter, or staff in scope)',
      request: { params: IdParam },
      responses: { 200: binary('image/jpeg', 'The image') },
    }),
    async (c) => {
      const f = await readPhoto(c.get('ctx'), c.req.valid('param').id, 'full')
      return c.body(f.bytes as Uint8Array<ArrayBuffer>, 200, { 'content-type': f.contentType, 'cache-control': 'private, max-age=86400' })
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/reports/files/{id}/thumb',
      tags,
      access: SIGNED_IN,
      summary: 'A report photo thumbnail',
      request: { params: IdParam },
      responses: { 200: binary('image/jpeg', 'The image') },
    }),
    async (c) => {
      const f = await readPhoto(c.get('ctx'), c.req.valid('param').id, 'thumb')
      return c.body(f.bytes as Uint8Array<ArrayBuffer>, 200, { 'content-type': f.contentType, 'cache-control': 'private, max-age=86400' })
    },
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/reports',
      tags,
      access: CITIZEN,
      idempotent: true,
      rateLimit: RATE_LIMITS.reportSubmit,
      summary: 'File a road report (a zombie car already reported nearby is merged into it)',
      request: { body: jsonBody(ReportCreate) },
      responses: { 201: jsonContent(ReportDetail) },
    }),
    async (c) => c.json(await createReport(c.get('ctx'), c.req.valid('json')), 201),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/reports',
      tags,
      access: CITIZEN,
      summary: 'My reports, newest first',
      request: {
        query: z.object({
          limit: z.coerce.number().int().min(1).max(100).default(20),
          cursor: z.string().max(200).optional(),
          stateType: z.enum(['open', 'closed', 'fixed']).optional(),
        }),
      },
      responses: { 200: jsonContent(pageOf(ReportSummary)) },
    }),
    async (c) => c.json(await listMine(c.get('ctx'), c.req.valid('query')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/reports/{id}',
      tags,
      access: CITIZEN,
      summary: 'One of my reports with its timeline',
      request: { params: IdParam },
      responses: { 200: jsonContent(ReportDetail) },
    }),
    async (c) => c.json(await citizenDetail(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/reports/{id}/withdraw',
      tags,
      access: CITIZEN,
      summary: 'Withdraw my report (before it is accepted)',
      request: { params: IdParam, body: jsonBody(WithdrawBody) },
      responses: { 200: jsonContent(ReportDetail) },
    }),
    async (c) => c.json(await citizenAct(c.get('ctx'), c.req.valid('param').id, { action: 'withdraw', note: c.req.valid('json').reason }), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/reports/{id}/dispute',
      tags,
      access: CITIZEN,
      summary: 'Dispute a closure within 7 days (reopens the report)',
      request: { params: IdParam, body: jsonBody(DisputeBody) },
      responses: { 200: jsonContent(ReportDetail) },
    }),
    async (c) => c.json(await citizenAct(c.get('ctx'), c.req.valid('param').id, { action: 'dispute', note: c.req.valid('json').reason }), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/reports/{id}/rate',
      tags,
      access: CITIZEN,
      summary: 'Rate the handling (1–5 and a comment) once it is done',
      request: { params: IdParam, body: jsonBody(RateBody) },
      responses: { 200: jsonContent(ReportDetail) },
    }),
    async (c) => {
      const { score, comment } = c.req.valid('json')
      return c.json(await citizenAct(c.get('ctx'), c.req.valid('param').id, { action: 'rate', rating: { score, comment } }), 200)
    },
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/reports/{id}/me-too',
      tags,
      access: CITIZEN,
      summary: '我也遇到: add myself to an open report instead of filing a duplicate',
      request: { params: IdParam },
      responses: { 200: jsonContent(z.object({ meTooCount: z.number().int(), meToo: z.boolean() })) },
    }),
    async (c) => c.json(await meToo(c.get('ctx'), c.req.valid('param').id), 200),
  )
