import { z } from '@hono/zod-openapi'
import { keysetOf } from '@tp/shared'
import { RATING_LIMITS, RatingConfig } from '@tp/shared/ratings/config'
import {
  CallBackBody,
  CloseBody,
  ContestFields,
  DecideContestBody,
  EvaluatorDevice,
  EvaluatorDeviceCreate,
  EvaluatorDeviceIssued,
  ExportQuery,
  FollowUpCounts,
  FollowUpDetail,
  FollowUpListItem,
  FollowUpListQuery,
  MyRatingStats,
  QueueStatsQuery,
  QueueStatsReport,
  Ranking,
  RankingQuery,
  RatingListItem,
  RatingListQuery,
  RectifyBody,
  SatisfactionQuery,
  SatisfactionReport,
  VerifyBody,
} from '@tp/shared/ratings/schemas'
import { ANY_STAFF, staffRoles } from '../../platform/access'
import { reportsCtx } from '../../platform/context'
import { badRequest } from '../../platform/errors'
import { binary, createRouter, FileField, FileQuery, inlineFile, jsonBody, jsonContent, route } from '../../platform/openapi'
import { inspectFile } from '../../platform/uploads'
import { getRatingConfig, saveRatingConfig } from './config.service'
import { myStats, queueStatistics, ranking, satisfaction } from './dashboard.service'
import { issueDevice, listDevices, revokeDevice } from './device.service'
import { exportXlsx } from './export.service'
import {
  closeFollowUp,
  contestFollowUp,
  decideContest,
  followUpContact,
  followUpCounts,
  getFollowUp,
  listFollowUps,
  readEvidence,
  recordCallBack,
  rectifyFollowUp,
  verifyFollowUp,
} from './followup.service'
import { listRatings } from './list.service'

const tags = ['Ratings: console']
const HEADS = staffRoles('unit_head', 'admin')
const CASES = staffRoles('unit_head', 'admin', 'window_staff')
const HALL = staffRoles('window_staff', 'unit_head', 'admin')
const IdParam = z.object({ id: z.string().uuid() })
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const asList = (v: unknown): unknown[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v])
const EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

const step = <B extends z.ZodType>(path: string, summary: string, body: B) =>
  route({
    method: 'post',
    path: `/api/console/ratings/followups/{id}/${path}`,
    tags,
    access: HEADS,
    summary,
    description: '`version`: the version the actor saw; changed meanwhile → 409 `version_conflict`. A step the case does not allow → 409 `invalid_transition`.',
    request: { params: IdParam, body: jsonBody(body) },
    responses: { 200: jsonContent(FollowUpDetail) },
  })

/** Staff: follow-up cases of bad ratings, contests, dashboards, exports, evaluator devices, configuration. */
export const consoleRoutes = createRouter()
  .openapi(
    route({
      method: 'get',
      path: '/api/console/ratings',
      tags,
      access: CASES,
      summary: 'Ratings in my scope, newest first (window staff: their own), a page at a time by keyset; comments masked',
      request: { query: RatingListQuery },
      responses: { 200: jsonContent(keysetOf(RatingListItem)) },
    }),
    async (c) => c.json(await listRatings(c.get('ctx'), c.req.valid('query')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/ratings/followups',
      tags,
      access: CASES,
      summary: 'Follow-up cases of bad ratings (unit heads: their scope; window staff: cases about themselves), a page at a time by keyset',
      request: { query: FollowUpListQuery },
      responses: { 200: jsonContent(keysetOf(FollowUpListItem)) },
    }),
    async (c) => c.json(await listFollowUps(c.get('ctx'), c.req.valid('query')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/ratings/followups/counts',
      tags,
      access: CASES,
      summary: 'Open, overdue, due-soon and contested follow-ups; closed (on time) this month',
      responses: { 200: jsonContent(FollowUpCounts) },
    }),
    async (c) => c.json(await followUpCounts(c.get('ctx')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/ratings/followups/{id}',
      tags,
      access: CASES,
      summary: 'A follow-up case with its rating, call-backs, contest, timeline and the actions I may take',
      request: { params: IdParam },
      responses: { 200: jsonContent(FollowUpDetail) },
    }),
    async (c) => c.json(await getFollowUp(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/ratings/followups/{id}/contact',
      tags,
      access: HEADS,
      summary: 'The number to call back, unmasked (audited as a view of personal data)',
      request: { params: IdParam },
      responses: { 200: jsonContent(z.object({ phone: z.string().nullable(), source: z.enum(['evaluator', 'account']).nullable() })) },
    }),
    async (c) => c.json(await followUpContact(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(step('verify', 'Verify the rating (核实): what happened', VerifyBody), async (c) =>
    c.json(await verifyFollowUp(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(step('call-back', 'Record a call-back (回访): method, reached, the citizen’s feedback', CallBackBody), async (c) =>
    c.json(await recordCallBack(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(step('rectify', 'Record the fix (整改措施); shown to the citizen', RectifyBody), async (c) =>
    c.json(await rectifyFollowUp(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(step('close', 'Close with the outcome the citizen sees', CloseBody), async (c) =>
    c.json(await closeFollowUp(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(step('decide-contest', 'Decide a contest: uphold (rating voided, out of the statistics) or reject', DecideContestBody), async (c) =>
    c.json(await decideContest(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/ratings/followups/{id}/contest',
      tags,
      access: staffRoles('window_staff'),
      summary: 'The rated staff member contests a malicious rating with evidence (multipart: version, reason, 1–6 photos or PDF)',
      request: {
        params: IdParam,
        body: {
          required: true,
          content: { 'multipart/form-data': { schema: ContestFields.extend({ evidence: z.union([FileField, z.array(FileField)]).optional() }) } },
        },
      },
      responses: { 200: jsonContent(FollowUpDetail) },
    }),
    async (c) => {
      const { evidence, ...fields } = c.req.valid('form')
      const list = asList(evidence)
      if (list.length > RATING_LIMITS.maxEvidence)
        throw badRequest(`At most ${RATING_LIMITS.maxEvidence} files`, [{ path: 'body.evidence', message: 'Too many files' }])
      const files = []
      for (const [i, f] of list.entries()) files.push(await inspectFile(f, ['image', 'pdf'], EVIDENCE_MAX_BYTES, `body.evidence.${i}`))
      return c.json(await contestFollowUp(c.get('ctx'), c.req.valid('param').id, fields, files), 200)
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/ratings/files/{id}',
      tags,
      access: CASES,
      summary: 'Contest evidence (staff who may see the case)',
      request: { params: IdParam, query: FileQuery },
      responses: { 200: binary('application/octet-stream') },
    }),
    async (c) => inlineFile(c, await readEvidence(c.get('ctx'), c.req.valid('param').id, c.req.valid('query').thumb === '1')),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/ratings/dashboard/satisfaction',
      tags,
      access: HEADS,
      summary: 'Satisfaction rate (非常满意 + 满意 over all) per staff member, window, office or month',
      request: { query: SatisfactionQuery },
      responses: { 200: jsonContent(SatisfactionReport) },
    }),
    async (c) => c.json(await satisfaction(reportsCtx(c.get('ctx')), c.req.valid('query')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/ratings/dashboard/ranking',
      tags,
      access: HEADS,
      summary: 'Monthly model-window ranking (示范窗口), ranked only with the configured minimum number of ratings',
      request: { query: RankingQuery },
      responses: { 200: jsonContent(Ranking) },
    }),
    async (c) => c.json(await ranking(reportsCtx(c.get('ctx')), c.req.valid('query')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/ratings/dashboard/queue',
      tags,
      access: HEADS,
      summary: 'Queue statistics per office: average wait, service time, no-show rate, utilisation',
      request: { query: QueueStatsQuery },
      responses: { 200: jsonContent(QueueStatsReport) },
    }),
    async (c) => c.json(await queueStatistics(reportsCtx(c.get('ctx')), c.req.valid('query')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/ratings/me',
      tags,
      access: staffRoles('window_staff'),
      summary: 'My ratings this month and open follow-ups about me',
      responses: { 200: jsonContent(MyRatingStats) },
    }),
    async (c) => c.json(await myStats(c.get('ctx')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/ratings/export.xlsx',
      tags,
      access: HEADS,
      summary: 'Ratings, follow-ups, satisfaction, ranking or queue statistics as XLSX (masked, audited)',
      request: { query: ExportQuery },
      responses: { 200: binary(XLSX) },
    }),
    async (c) => {
      const { bytes, filename } = await exportXlsx(c.get('ctx'), c.req.valid('query'))
      return c.body(new Uint8Array(bytes), 200, { 'content-type': XLSX, 'content-disposition': `attachment; filename="${filename}"` })
    },
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/ratings/config',
      tags,
      access: ANY_STAFF,
      summary: 'The rating scheme: tag chips, follow-up deadline, minimum sample for the ranking, evaluator timings',
      responses: { 200: jsonContent(RatingConfig) },
    }),
    async (c) => c.json(await getRatingConfig(c.get('ctx')), 200),
  )
  .openapi(
    route({
      method: 'put',
      path: '/api/console/ratings/config',
      tags,
      access: staffRoles('admin'),
      summary: 'Change the rating scheme (a new deadline applies to cases opened afterwards)',
      request: { body: jsonBody(RatingConfig) },
      responses: { 200: jsonContent(RatingConfig) },
    }),
    async (c) => c.json(await saveRatingConfig(c.get('ctx'), c.req.valid('json')), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/console/ratings/devices',
      tags,
      access: HALL,
      summary: 'Evaluator tablets bound to windows in my scope',
      request: { query: z.object({ windowId: z.string().uuid().optional() }) },
      responses: { 200: jsonContent(z.object({ items: z.array(EvaluatorDevice) })) },
    }),
    async (c) => c.json({ items: await listDevices(c.get('ctx'), c.req.valid('query').windowId) }, 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/ratings/devices',
      tags,
      access: HALL,
      idempotent: true,
      summary: 'Bind an evaluator tablet to a window: returns its token once, with the setup link',
      request: { body: jsonBody(EvaluatorDeviceCreate) },
      responses: { 201: jsonContent(EvaluatorDeviceIssued, 'Issued') },
    }),
    async (c) => c.json(await issueDevice(c.get('ctx'), c.req.valid('json')), 201),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/console/ratings/devices/{id}/revoke',
      tags,
      access: HALL,
      summary: 'Unbind an evaluator tablet',
      request: { params: IdParam },
      responses: { 200: jsonContent(EvaluatorDevice) },
    }),
    async (c) => c.json(await revokeDevice(c.get('ctx'), c.req.valid('param').id), 200),
  )
