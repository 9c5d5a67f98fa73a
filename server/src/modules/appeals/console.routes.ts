import { z } from '@hono/zod-openapi'
import { keysetOf } from '@tp/shared'
import {
  AcceptBody,
  AppealCounts,
  AppealListItem,
  AppealTypeCreateBody,
  AppealTypeKey,
  AppealTypeSettingsBody,
  AppealTypeView,
  ApprovalBody,
  AssignBody,
  BacklogReport,
  ConfigKey,
  ConfiguredOptionView,
  DecisionBody,
  ExtensionBody,
  ExtensionDecisionBody,
  FindingsBody,
  MaterialRequestBody,
  OptionCreateBody,
  OptionListName,
  OptionListsView,
  OptionOrderBody,
  OptionUpdateBody,
  QueueQuery,
  RefuseBody,
  ReplyLetter,
  ReportQuery,
  ResumeBody,
  StaffAppealView,
} from '@tp/shared/appeals/schemas'
import { staffRoles } from '../../platform/access'
import { type Ctx, reportsCtx } from '../../platform/context'
import { binary, createRouter, jsonBody, jsonContent, route } from '../../platform/openapi'
import type { AppealRow } from './appeals.core'
import { getStaffAppeal, replyLetter, revealContact, staffView } from './appeals.service'
import { addOption, optionLists, reorderOptions, updateOption } from './options.service'
import { exportQueue, listQueue, listReviewers, queueCounts } from './queue.service'
import { backlogReport, backlogReportXlsx } from './report.service'
import { addType, listTypeSettings, updateTypeSettings } from './types.service'
import {
  acceptAppeal,
  approveDecision,
  assignAppeal,
  decideAppeal,
  decideExtension,
  refuseAppeal,
  requestExtension,
  requestMaterial,
  resumeAppeal,
  saveFindings,
} from './workflow.service'

const tags = ['Appeals: legal office']
const READERS = staffRoles('legal_officer', 'unit_head', 'admin')
const ACTORS = staffRoles('legal_officer', 'unit_head')
const HEADS = staffRoles('unit_head')
const ADMINS = staffRoles('admin')
const ListParam = z.object({ list: OptionListName })
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const IdParam = z.object({ id: z.string().uuid() })
const attachment = (name: string) => `attachment; filename="${name}"`

/** A state-changing action: body with the version the actor saw; answers the fresh staff view. */
function action<B extends z.ZodType>(
  path: string,
  summary: string,
  body: B,
  run: (ctx: Ctx, id: string, body: z.infer<B>) => Promise<AppealRow>,
  access = ACTORS,
) {
  return [
    route({
      method: 'post',
      path: `/api/console/appeals/{id}/${path}`,
      tags,
      access,
      summary,
      description: '`version` is the version the actor saw; if the case changed meanwhile → 409 `version_conflict` with `current`.',
      request: { params: IdParam, body: jsonBody(body) },
      responses: { 200: jsonContent(StaffAppealView) },
    }),
    async (c: any) => {
      const ctx = c.get('ctx') as Ctx
      const row = await run(ctx, c.req.valid('param').id, c.req.valid('json'))
      return c.json(await staffView(ctx, row), 200)
    },
  ] as const
}

const routes = createRouter()
  .openapi(
    route({
      method: 'get',
      path: '/api/console/appeals',
      tags,
      access: READERS,
      summary: 'The queue, sorted by due date, with filters and search (case number, decision number, plate)',
      request: { query: QueueQuery },
      responses: {
        200: jsonContent(keysetOf(AppealListItem)),
      },
    }),
    async (c) => c.json(await listQueue(c.get('ctx'), c.req.valid('query')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/appeals/counts',
      tags,
      access: READERS,
      summary: 'Overdue, due-soon and waiting counts in my scope (dashboards, badges)',
      responses: { 200: jsonContent(AppealCounts) },
    }),
    async (c) => c.json(await queueCounts(c.get('ctx')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/appeals/export.xlsx',
      tags,
      access: READERS,
      summary: 'The filtered queue as XLSX (masked)',
      request: { query: QueueQuery },
      responses: { 200: binary(XLSX) },
    }),
    async (c) =>
      c.body(new Uint8Array(await exportQueue(c.get('ctx'), c.req.valid('query'))), 200, {
        'content-type': XLSX,
        'content-disposition': attachment('appeals.xlsx'),
      }),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/appeals/reviewers',
      tags,
      access: READERS,
      summary: 'Legal officers and unit heads who can take cases, with their open load',
      responses: {
        200: jsonContent(
          z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), role: z.string(), unitId: z.string(), open: z.number().int() })) }),
        ),
      },
    }),
    async (c) => c.json({ items: await listReviewers(c.get('ctx')) }, 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/appeals/types',
      tags,
      access: READERS,
      summary: 'Appeal types with their clock policies and citations, as configured',
      responses: { 200: jsonContent(z.object({ items: z.array(AppealTypeView) })) },
    }),
    async (c) => c.json({ items: await listTypeSettings(c.get('ctx')) }, 200),
  )
  .openapi(
    route({
      method: 'put',
      path: '/api/console/appeals/types/{key}',
      tags,
      access: ADMINS,
      summary: "Set an appeal type's clock policy, citation and label, or retire / restore it (later appeals only: a case keeps the policy it was filed under)",
      request: { params: z.object({ key: AppealTypeKey }), body: jsonBody(AppealTypeSettingsBody) },
      responses: { 200: jsonContent(AppealTypeView) },
    }),
    async (c) => c.json(await updateTypeSettings(c.get('ctx'), c.req.valid('param').key, c.req.valid('json')), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/appeals/types',
      tags,
      access: ADMINS,
      summary: 'Add an appeal type with its clock policy and citation (the key is permanent)',
      request: { body: jsonBody(AppealTypeCreateBody) },
      responses: { 201: jsonContent(AppealTypeView) },
    }),
    async (c) => c.json(await addType(c.get('ctx'), c.req.valid('json')), 201),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/appeals/options',
      tags,
      access: READERS,
      summary: 'The configured lists (grounds, refusal reasons, legal bases, reply templates), retired entries included',
      responses: { 200: jsonContent(OptionListsView) },
    }),
    async (c) => c.json(await optionLists(c.get('ctx')), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/appeals/options/{list}',
      tags,
      access: ADMINS,
      summary: 'Add an entry at the end of a list (a template needs an outcome and a text; the key is permanent)',
      request: { params: ListParam, body: jsonBody(OptionCreateBody) },
      responses: { 201: jsonContent(ConfiguredOptionView) },
    }),
    async (c) => c.json(await addOption(c.get('ctx'), c.req.valid('param').list, c.req.valid('json')), 201),
  )
  .openapi(
    route({
      method: 'put',
      path: '/api/console/appeals/options/{list}/{key}',
      tags,
      access: ADMINS,
      summary: "Edit an entry's label (a template's outcome and text), or retire / restore it (retired: not offered for new cases, still labels old ones)",
      request: { params: ListParam.extend({ key: ConfigKey }), body: jsonBody(OptionUpdateBody) },
      responses: { 200: jsonContent(ConfiguredOptionView) },
    }),
    async (c) => {
      const { list, key } = c.req.valid('param')
      return c.json(await updateOption(c.get('ctx'), list, key, c.req.valid('json')), 200)
    },
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/appeals/options/{list}/order',
      tags,
      access: ADMINS,
      summary: 'Reorder a list: every key of the list once, in the new order',
      request: { params: ListParam, body: jsonBody(OptionOrderBody) },
      responses: { 200: jsonContent(z.object({ items: z.array(ConfiguredOptionView) })) },
    }),
    async (c) => c.json({ items: await reorderOptions(c.get('ctx'), c.req.valid('param').list, c.req.valid('json').keys) }, 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/appeals/report',
      tags,
      access: READERS,
      summary: 'Monthly or quarterly backlog report (积案清理)',
      request: { query: ReportQuery },
      responses: { 200: jsonContent(BacklogReport) },
    }),
    async (c) => c.json(await backlogReport(reportsCtx(c.get('ctx')), c.req.valid('query')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/appeals/report.xlsx',
      tags,
      access: READERS,
      summary: 'The backlog report as XLSX',
      request: { query: ReportQuery },
      responses: { 200: binary(XLSX) },
    }),
    async (c) => {
      const { buffer, fileName } = await backlogReportXlsx(c.get('ctx'), c.req.valid('query'))
      return c.body(new Uint8Array(buffer), 200, { 'content-type': XLSX, 'content-disposition': attachment(fileName) })
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/appeals/{id}',
      tags,
      access: READERS,
      summary: 'The review page: ticket and evidence, statement, earlier appeals on the plate, timeline, allowed actions',
      request: { params: IdParam },
      responses: { 200: jsonContent(StaffAppealView) },
    }),
    async (c) => c.json(await getStaffAppeal(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/appeals/{id}/letter',
      tags,
      access: READERS,
      summary: 'The reply letter for printing (audited: it carries the citizen’s name)',
      request: { params: IdParam, query: z.object({ locale: z.enum(['zh-CN', 'en']).default('zh-CN') }) },
      responses: { 200: jsonContent(ReplyLetter) },
    }),
    async (c) => c.json(await replyLetter(c.get('ctx'), c.req.valid('param').id, c.req.valid('query').locale), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/appeals/{id}/contact',
      tags,
      access: ACTORS,
      summary: 'Show the citizen’s name and contact number (audited)',
      request: { params: IdParam },
      responses: { 200: jsonContent(z.object({ name: z.string().nullable(), contactPhone: z.string() })) },
    }),
    async (c) => c.json(await revealContact(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(...action('accept', 'Accept (受理): the clock starts; optionally assign (a person or auto round-robin)', AcceptBody, acceptAppeal))
  .openapi(...action('refuse', 'Refuse to accept (不予受理) with a reason', RefuseBody, refuseAppeal))
  .openapi(...action('assign', 'Assign to a reviewer (or auto round-robin within the unit)', AssignBody, assignAppeal))
  .openapi(...action('material-requests', 'Ask the citizen for more material (补正): the clock pauses', MaterialRequestBody, requestMaterial))
  .openapi(...action('resume', 'End the wait for material; the clock runs again', ResumeBody, resumeAppeal))
  .openapi(...action('findings', 'Save review findings (draft)', FindingsBody, saveFindings))
  .openapi(...action('decision', 'Decide: upheld takes effect; corrected / revoked go to a unit head', DecisionBody, decideAppeal))
  .openapi(...action('approval', 'Approve or return a correction / revocation (a unit head other than the reviewer)', ApprovalBody, approveDecision, HEADS))
  .openapi(...action('extensions', 'Request an extension (unit-head approval)', ExtensionBody, requestExtension))
  .openapi(...action('extension-decision', 'Approve or reject the pending extension', ExtensionDecisionBody, decideExtension, HEADS))

export const consoleRoutes = routes
