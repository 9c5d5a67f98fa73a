import { z } from '@hono/zod-openapi'
import { PageQuery, pageOf } from '@tp/shared'
import { EVIDENCE_LIMITS, REMEDIES, STATEMENT_LIMITS } from '@tp/shared/appeals/config'
import { AppealCreateFields, AppealView, ConfiguredOptionView, MaterialSupplyFields, MyAppealItem, ReplyLetter, WithdrawBody } from '@tp/shared/appeals/schemas'
import { CITIZEN, PUBLIC, SIGNED_IN } from '../../platform/access'
import { binary, createRouter, FileField, FileQuery, inlineFile, jsonBody, jsonContent, route } from '../../platform/openapi'
import { RATE_LIMITS } from '../../platform/rate-limit'
import { storeUpload } from '../../platform/uploads'
import { loadForCitizen } from './appeals.core'
import { citizenView, fileAppeal, getCitizenAppeal, inspectEvidence, myAppeals, readFile, replyLetter } from './appeals.service'
import { optionLists } from './options.service'
import { appealTypes } from './types.service'
import { supplyMaterial, withdrawAppeal } from './workflow.service'

const tags = ['Appeals']
const IdParam = z.object({ id: z.string().uuid() })
const Files = z.union([FileField, z.array(FileField)]).optional()
const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])
const Localized = z.object({ 'zh-CN': z.string(), en: z.string() })
const Locale = z.object({ locale: z.enum(['zh-CN', 'en']).default('zh-CN') })

const AppealConfig = z.object({
  types: z.array(
    z.object({
      key: z.string(),
      label: Localized,
      appliesTo: z.array(z.enum(['camera', 'onsite'])),
      clock: z.object({
        days: z.number(),
        unit: z.enum(['calendar', 'working']),
        rollToWorkingDay: z.boolean().optional(),
        pausable: z.boolean(),
        maxPausedDays: z.number(),
        maxExtensionDays: z.number(),
        startsOn: z.enum(['filing', 'acceptance']).optional(),
      }),
      citation: Localized,
      forwardSameDay: z.boolean(),
      /** Retired: not offered for new appeals, still labels old ones. */
      retired: z.boolean(),
    }),
  ),
  grounds: z.array(ConfiguredOptionView),
  refuseReasons: z.array(ConfiguredOptionView),
  legalBases: z.array(ConfiguredOptionView),
  templates: z.array(ConfiguredOptionView),
  remedies: z.object({ reconsiderationDays: z.number(), litigationMonths: z.number(), reconsiderationBody: Localized, court: Localized, citation: Localized }),
  limits: z.object({ maxFiles: z.number(), maxTotalBytes: z.number(), statementMin: z.number(), statementMax: z.number() }),
})

/** The citizen's side: config, filing, my appeals, the tracker, material, withdrawal, the letter, files. */
export const appealRoutes = createRouter()
  .openapi(
    route({
      method: 'get',
      path: '/api/appeals/config',
      tags,
      access: PUBLIC,
      summary: 'Appeal types with their clock rules and citations, grounds, reasons, legal bases, templates, as configured',
      description: 'Retired entries are included (flagged `retired`) so old cases keep their labels; forms offer only active ones.',
      responses: { 200: jsonContent(AppealConfig) },
    }),
    async (c) =>
      c.json(
        {
          types: (await appealTypes(c.get('ctx'))).map((t) => ({ ...t, appliesTo: [...t.appliesTo], clock: { ...t.clock }, retired: !!t.retired })),
          ...(await optionLists(c.get('ctx'))),
          remedies: REMEDIES,
          limits: {
            maxFiles: EVIDENCE_LIMITS.maxFiles,
            maxTotalBytes: EVIDENCE_LIMITS.maxTotalBytes,
            statementMin: STATEMENT_LIMITS.min,
            statementMax: STATEMENT_LIMITS.max,
          },
        },
        200,
      ),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/appeals/files/{id}',
      tags,
      access: SIGNED_IN,
      summary: 'An evidence file (own case, or a case in my unit scope)',
      request: { params: IdParam, query: FileQuery },
      responses: { 200: binary('application/octet-stream') },
    }),
    async (c) => inlineFile(c, await readFile(c.get('ctx'), c.req.valid('param').id, c.req.valid('query').thumb === '1')),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/appeals',
      tags,
      access: CITIZEN,
      idempotent: true,
      rateLimit: RATE_LIMITS.appealFile,
      summary: 'File an appeal (multipart: fields + up to 9 evidence files, photos or PDF, 20 MB in all)',
      description: 'One open appeal per ticket: a second gets 409 `appeal_exists` with `appeal.link` to the first.',
      request: { body: { required: true, content: { 'multipart/form-data': { schema: AppealCreateFields.extend({ evidence: Files }) } } } },
      responses: { 201: jsonContent(AppealView) },
    }),
    async (c) => {
      const { evidence, ...fields } = c.req.valid('form')
      const files = await inspectEvidence(asList(evidence))
      return c.json(await fileAppeal(c.get('ctx'), fields, files), 201)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/appeals',
      tags,
      access: CITIZEN,
      summary: 'My appeals, newest first',
      request: { query: PageQuery },
      responses: { 200: jsonContent(pageOf(MyAppealItem)) },
    }),
    async (c) => c.json(await myAppeals(c.get('ctx'), c.req.valid('query')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/appeals/{id}',
      tags,
      access: CITIZEN,
      summary: 'The tracker: stage, reply-due date and days left, timeline, requests, decision',
      request: { params: IdParam },
      responses: { 200: jsonContent(AppealView) },
    }),
    async (c) => c.json(await getCitizenAppeal(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/appeals/{id}/material',
      tags,
      access: CITIZEN,
      summary: 'Supply the requested material (the clock resumes)',
      request: {
        params: IdParam,
        body: { required: true, content: { 'multipart/form-data': { schema: MaterialSupplyFields.extend({ files: Files }) } } },
      },
      responses: { 200: jsonContent(AppealView) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const { id } = c.req.valid('param')
      const { files: raw, ...body } = c.req.valid('form')
      const files = await inspectEvidence(asList(raw))
      const me = ctx.actor.kind === 'citizen' ? ctx.actor.id : null
      const row = await supplyMaterial(ctx, id, body, async (t, requestId) => {
        const ids: string[] = []
        for (const f of files) ids.push((await storeUpload(t, f, { type: 'citizen', id: me }, { type: 'appeal_material', id: requestId })).id)
        return ids
      })
      return c.json(await citizenView(ctx, row), 200)
    },
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/appeals/{id}/withdraw',
      tags,
      access: CITIZEN,
      summary: 'Withdraw my appeal before it is decided',
      request: { params: IdParam, body: jsonBody(WithdrawBody) },
      responses: { 200: jsonContent(AppealView) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const row = await withdrawAppeal(ctx, c.req.valid('param').id, c.req.valid('json'))
      return c.json(await citizenView(ctx, row), 200)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/appeals/{id}/letter',
      tags,
      access: CITIZEN,
      summary: 'The reply letter (答复告知书) of my decided appeal',
      request: { params: IdParam, query: Locale },
      responses: { 200: jsonContent(ReplyLetter) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const { id } = c.req.valid('param')
      await loadForCitizen(ctx, id)
      return c.json(await replyLetter(ctx, id, c.req.valid('query').locale), 200)
    },
  )
