import { z } from 'zod'
import { TimelineEvent } from '../cases'
import { CalendarDate } from '../dates'
import { KeysetQuery } from '../pagination'
import { MobilePhone } from '../phone'
import { RATING_LIMITS, RatingTag } from './config'
import { RatingLevel } from './levels'
import { FollowUpAction, FollowUpState } from './machine'

const Id = z.string().uuid()
const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Use YYYY-MM')

const Comment = z.string().trim().max(RATING_LIMITS.commentMax)
const Tags = z.array(z.string().max(32)).max(RATING_LIMITS.maxTags)
const Note = (min = 1) => z.string().trim().min(min).max(RATING_LIMITS.noteMax)
const Version = z.number().int().min(0)

export const RatingChannel = z.enum(['app', 'evaluator'])
export type RatingChannel = z.infer<typeof RatingChannel>

export const TagOption = RatingTag.pick({ code: true, zh: true, en: true, polarity: true })
export type TagOption = z.infer<typeof TagOption>

// ---------------------------------------------------------------------------------------------
// Rating

/** A signed-in citizen rates the service they received. */
export const RatingCreate = z.strictObject({
  level: RatingLevel,
  tags: Tags.default([]),
  comment: Comment.optional(),
})
export type RatingCreate = z.infer<typeof RatingCreate>

/** Anyone at the window rates the ticket the evaluator shows; a bad rating may leave a number for the call-back. */
export const EvaluatorRatingCreate = z.strictObject({
  ticketId: Id,
  level: RatingLevel,
  tags: Tags.default([]),
  comment: Comment.optional(),
  contactPhone: MobilePhone.optional(),
})
export type EvaluatorRatingCreate = z.infer<typeof EvaluatorRatingCreate>

export const RatingView = z.object({
  id: z.string(),
  level: RatingLevel,
  tags: z.array(z.string()),
  comment: z.string().nullable(),
  channel: RatingChannel,
  ratedAt: z.string(),
  bad: z.boolean(),
})
export type RatingView = z.infer<typeof RatingView>

export const ServedTicket = z.object({
  id: z.string(),
  number: z.string(),
  serviceName: z.string(),
  officeName: z.string(),
  windowNumber: z.number().int().nullable(),
  staffName: z.string().nullable(),
  completedAt: z.string(),
  bookingId: z.string().nullable(),
})
export type ServedTicket = z.infer<typeof ServedTicket>

/** The follow-up of a bad rating as the citizen sees it: state, deadline, public steps, outcome. */
export const PublicFollowUp = z.object({
  number: z.string(),
  state: FollowUpState,
  stateType: z.enum(['open', 'closed', 'fixed']),
  openedAt: z.string(),
  dueAt: z.string(),
  closedAt: z.string().nullable(),
  outcome: z.string().nullable(),
  timeline: z.array(TimelineEvent),
})
export type PublicFollowUp = z.infer<typeof PublicFollowUp>

/** The citizen's rate page: what was served, whether it can still be rated, the rating and its follow-up. */
export const CitizenRatingPage = z.object({
  ticket: ServedTicket,
  canRate: z.boolean(),
  /** Why not: already rated (here or at the window), or too late. */
  reason: z.enum(['rated', 'expired']).nullable(),
  rateBy: z.string(),
  rating: RatingView.nullable(),
  followUp: PublicFollowUp.nullable(),
  tags: z.array(TagOption),
})
export type CitizenRatingPage = z.infer<typeof CitizenRatingPage>

export const PendingRating = z.object({ ticket: ServedTicket, rateBy: z.string() })
export type PendingRating = z.infer<typeof PendingRating>

// ---------------------------------------------------------------------------------------------
// Evaluator (服务评价器): a tablet at a window, bound by a device token

export const EvaluatorState = z.object({
  window: z.object({ id: z.string(), number: z.number().int(), label: z.string(), officeName: z.string() }),
  /** Who is signed in at the window now (name only). */
  staff: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** The service just completed here that can still be rated (null: idle). */
  ticket: z
    .object({
      id: z.string(),
      number: z.string(),
      serviceName: z.string(),
      staffName: z.string().nullable(),
      completedAt: z.string(),
    })
    .nullable(),
  tags: z.array(TagOption),
  idleSeconds: z.number().int(),
  serverTime: z.string(),
})
export type EvaluatorState = z.infer<typeof EvaluatorState>

export const EvaluatorDeviceCreate = z.strictObject({ windowId: Id, label: z.string().trim().min(1).max(40) })
export const EvaluatorDevice = z.object({
  id: z.string(),
  windowId: z.string(),
  windowNumber: z.number().int(),
  officeName: z.string(),
  label: z.string(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
})
export type EvaluatorDevice = z.infer<typeof EvaluatorDevice>
/** Shown once: the token is stored only as a hash. */
export const EvaluatorDeviceIssued = EvaluatorDevice.extend({ token: z.string(), setupPath: z.string() })
export type EvaluatorDeviceIssued = z.infer<typeof EvaluatorDeviceIssued>

// ---------------------------------------------------------------------------------------------
// Follow-up cases (console)

export const CallBackMethod = z.enum(['phone', 'sms', 'visit', 'wechat'])
export type CallBackMethod = z.infer<typeof CallBackMethod>
export const CallBackFeedback = z.enum(['satisfied', 'basic', 'dissatisfied'])
export type CallBackFeedback = z.infer<typeof CallBackFeedback>

/** Follow-up cases, open ones first by due date unless sorted; a page at a time by keyset (the cursor is bound to the sort). */
export const FollowUpListQuery = KeysetQuery.extend({
  state: FollowUpState.optional(),
  /** open: every open state; overdue: open and past due. */
  view: z.enum(['open', 'overdue', 'all', 'mine']).optional(),
  officeId: Id.optional(),
  q: z.string().trim().max(40).optional(),
  sort: z.enum(['dueAt', 'openedAt', 'number']).optional(),
  order: z.enum(['asc', 'desc']).optional(),
})
export type FollowUpListQuery = z.infer<typeof FollowUpListQuery>

export const FollowUpListItem = z.object({
  id: z.string(),
  number: z.string(),
  state: FollowUpState,
  stateType: z.enum(['open', 'closed', 'fixed']),
  level: RatingLevel,
  tags: z.array(z.string()),
  comment: z.string().nullable(),
  channel: RatingChannel,
  officeName: z.string(),
  windowNumber: z.number().int().nullable(),
  staffName: z.string().nullable(),
  serviceName: z.string(),
  ticketNumber: z.string(),
  ratedAt: z.string(),
  openedAt: z.string(),
  dueAt: z.string(),
  closedAt: z.string().nullable(),
  overdue: z.boolean(),
  contactMasked: z.string().nullable(),
})
export type FollowUpListItem = z.infer<typeof FollowUpListItem>

export const CallBackRecord = z.object({
  id: z.string(),
  calledAt: z.string(),
  method: CallBackMethod,
  reached: z.boolean(),
  feedback: CallBackFeedback.nullable(),
  note: z.string(),
  recordedBy: z.string().nullable(),
})
export type CallBackRecord = z.infer<typeof CallBackRecord>

export const FileRef = z.object({ id: z.string(), name: z.string(), url: z.string(), thumbUrl: z.string().nullable(), contentType: z.string() })

export const FollowUpDetail = FollowUpListItem.extend({
  version: z.number().int(),
  ticketId: z.string(),
  ratedStaffId: z.string().nullable(),
  completedAt: z.string(),
  waitMinutes: z.number().nullable(),
  verification: z.string().nullable(),
  rectification: z.string().nullable(),
  outcome: z.string().nullable(),
  callBacks: z.array(CallBackRecord),
  contest: z
    .object({
      reason: z.string(),
      by: z.string().nullable(),
      byName: z.string().nullable(),
      at: z.string(),
      evidence: z.array(FileRef),
      decision: z.enum(['upheld', 'rejected']).nullable(),
      decidedAt: z.string().nullable(),
      decisionNote: z.string().nullable(),
    })
    .nullable(),
  /** Whether a contact number exists for the call-back (shown by the audited "show" action). */
  hasContact: z.boolean(),
  timeline: z.array(TimelineEvent),
  actions: z.array(FollowUpAction),
})
export type FollowUpDetail = z.infer<typeof FollowUpDetail>

export const VerifyBody = z.strictObject({ version: Version, note: Note() })
export const CallBackBody = z.strictObject({
  version: Version,
  method: CallBackMethod,
  reached: z.boolean(),
  feedback: CallBackFeedback.optional(),
  note: Note(),
  /** When the call was made (defaults to now); never in the future. */
  calledAt: z.string().datetime({ offset: true }).optional(),
})
export const RectifyBody = z.strictObject({ version: Version, measures: Note(4) })
export const CloseBody = z.strictObject({ version: Version, outcome: Note(4) })
export const ContestFields = z.object({
  version: z.coerce.number().int().min(0),
  reason: z.string().trim().min(10).max(RATING_LIMITS.contestReasonMax),
})
export const DecideContestBody = z.strictObject({
  version: Version,
  decision: z.enum(['uphold', 'reject']),
  note: Note(),
  /** Upheld: what the citizen is told. */
  publicNote: z.string().trim().min(4).max(RATING_LIMITS.noteMax).optional(),
})
export type VerifyBody = z.infer<typeof VerifyBody>
export type CallBackBody = z.infer<typeof CallBackBody>
export type RectifyBody = z.infer<typeof RectifyBody>
export type CloseBody = z.infer<typeof CloseBody>
export type DecideContestBody = z.infer<typeof DecideContestBody>

export const FollowUpCounts = z.object({
  open: z.number().int(),
  overdue: z.number().int(),
  dueSoon: z.number().int(),
  contested: z.number().int(),
  closedThisMonth: z.number().int(),
  closedOnTimeThisMonth: z.number().int(),
  byState: z.record(z.string(), z.number().int()),
})
export type FollowUpCounts = z.infer<typeof FollowUpCounts>

// ---------------------------------------------------------------------------------------------
// Dashboards

export const SatisfactionQuery = z.object({
  by: z.enum(['staff', 'window', 'office', 'month']).default('office'),
  from: Month.optional(),
  to: Month.optional(),
  officeId: Id.optional(),
})
export type SatisfactionQuery = z.infer<typeof SatisfactionQuery>

export const LevelCountsSchema = z.object({
  very_satisfied: z.number().int(),
  satisfied: z.number().int(),
  basic: z.number().int(),
  dissatisfied: z.number().int(),
  very_dissatisfied: z.number().int(),
})

export const SatisfactionRow = z.object({
  key: z.string(),
  label: z.string(),
  /** Office of a window or staff row (for grouping in the UI). */
  officeName: z.string().nullable(),
  counts: LevelCountsSchema,
  total: z.number().int(),
  good: z.number().int(),
  bad: z.number().int(),
  /** 0…1, null without ratings. */
  rate: z.number().nullable(),
})
export type SatisfactionRow = z.infer<typeof SatisfactionRow>

export const SatisfactionReport = z.object({
  by: z.enum(['staff', 'window', 'office', 'month']),
  from: z.string(),
  to: z.string(),
  rows: z.array(SatisfactionRow),
  total: SatisfactionRow,
})
export type SatisfactionReport = z.infer<typeof SatisfactionReport>

export const RankingQuery = z.object({ month: Month.optional(), officeId: Id.optional() })
export const RankingRow = z.object({
  windowId: z.string(),
  label: z.string(),
  officeName: z.string(),
  windowNumber: z.number().int(),
  counts: LevelCountsSchema,
  total: z.number().int(),
  good: z.number().int(),
  rate: z.number().nullable(),
  rank: z.number().int().nullable(),
  eligible: z.boolean(),
})
export type RankingRow = z.infer<typeof RankingRow>
export const Ranking = z.object({ month: z.string(), minSample: z.number().int(), rows: z.array(RankingRow) })
export type Ranking = z.infer<typeof Ranking>

export const QueueStatsQuery = z.object({ from: CalendarDate.optional(), to: CalendarDate.optional(), officeId: Id.optional() })
export const QueueStatsRow = z.object({
  officeId: z.string(),
  officeName: z.string(),
  issued: z.number().int(),
  served: z.number().int(),
  noShow: z.number().int(),
  /** Minutes from the number being issued to being called, over called numbers. */
  averageWaitMinutes: z.number().nullable(),
  averageServiceMinutes: z.number().nullable(),
  noShowRate: z.number().nullable(),
  /** Serving minutes over the opening minutes of the office's active windows on the days it served. */
  utilisation: z.number().nullable(),
  days: z.number().int(),
})
export type QueueStatsRow = z.infer<typeof QueueStatsRow>
export const QueueStatsReport = z.object({ from: z.string(), to: z.string(), rows: z.array(QueueStatsRow) })
export type QueueStatsReport = z.infer<typeof QueueStatsReport>

export const ExportQuery = z.object({
  kind: z.enum(['ratings', 'followups', 'satisfaction', 'ranking', 'queue']),
  by: z.enum(['staff', 'window', 'office', 'month']).optional(),
  from: Month.optional(),
  to: Month.optional(),
  month: Month.optional(),
  officeId: Id.optional(),
})
export type ExportQuery = z.infer<typeof ExportQuery>

/** Ratings, newest first, a page at a time by keyset. */
export const RatingListQuery = KeysetQuery.extend({
  from: Month.optional(),
  to: Month.optional(),
  officeId: Id.optional(),
  level: RatingLevel.optional(),
  bad: z.enum(['true', 'false']).optional(),
  channel: RatingChannel.optional(),
})
export type RatingListQuery = z.infer<typeof RatingListQuery>

export const RatingListItem = z.object({
  id: z.string(),
  ticketNumber: z.string(),
  level: RatingLevel,
  tags: z.array(z.string()),
  /** Phone and ID numbers inside the comment are masked. */
  comment: z.string().nullable(),
  channel: RatingChannel,
  officeName: z.string(),
  windowNumber: z.number().int().nullable(),
  staffName: z.string().nullable(),
  serviceName: z.string(),
  ratedAt: z.string(),
  excluded: z.boolean(),
  followUpId: z.string().nullable(),
  followUpState: FollowUpState.nullable(),
})
export type RatingListItem = z.infer<typeof RatingListItem>

export const MyRatingStats = z.object({
  month: z.string(),
  counts: LevelCountsSchema,
  total: z.number().int(),
  rate: z.number().nullable(),
  openFollowUps: z.number().int(),
})
export type MyRatingStats = z.infer<typeof MyRatingStats>

export { Month as MonthString }
