import { z } from 'zod'
import { TimelineEvent } from '../cases'
import { CalendarDate } from '../dates'
import { MobilePhone } from '../phone'
import { PlateNumber, VinLast6 } from '../plate'
import { OPTION_LISTS, STATEMENT_LIMITS } from './config'
import { AppealAction, AppealState } from './machine'

/** Free text: trimmed, length-checked, and without NUL characters (PostgreSQL text cannot hold them). */
const text = (min: number, max: number, message?: string) =>
  z
    .string()
    .trim()
    .min(min, message)
    .max(max)
    .refine((s) => !s.includes('\u0000'), { message: 'Invalid character' })

export const RecordedBy = z.enum(['camera', 'onsite'])

/**
 * A well-formed key of a configured list (appeal type, ground, refusal reason, legal basis,
 * template). Whether it is an active configured entry is the service's check (a 400 naming the field).
 */
export const ConfigKey = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'Lower-case letters, digits and _ (2–40), starting with a letter')

export const AppealTypeKey = ConfigKey.meta({ example: 'statement' })

/** An appeal type's clock policy as an admin may set it (days in the clock's unit). */
export const AppealClockSchema = z
  .strictObject({
    days: z.number().int().min(1).max(365),
    unit: z.enum(['calendar', 'working']),
    rollToWorkingDay: z.boolean().optional(),
    pausable: z.boolean(),
    maxPausedDays: z.number().int().min(0).max(365),
    maxExtensionDays: z.number().int().min(0).max(365),
    startsOn: z.enum(['filing', 'acceptance']).optional(),
  })
  .refine((c) => c.unit === 'calendar' || !c.rollToWorkingDay, { message: 'Only calendar-day clocks roll to a working day', path: ['rollToWorkingDay'] })

const LocalizedText = z.strictObject({ 'zh-CN': text(2, 500), en: text(2, 500) })
const LocalizedLabel = z.strictObject({ 'zh-CN': text(1, 200), en: text(1, 200) })

/** An admin edits an existing type: clock policy and citation, optionally its label, or retires / restores it. */
export const AppealTypeSettingsBody = z.strictObject({
  clock: AppealClockSchema,
  citation: LocalizedText,
  label: LocalizedLabel.optional(),
  retired: z.boolean().optional(),
})
export type AppealTypeSettingsBody = z.infer<typeof AppealTypeSettingsBody>

/** An admin adds an appeal type (its key is permanent). */
export const AppealTypeCreateBody = z
  .strictObject({
    key: AppealTypeKey,
    label: LocalizedLabel,
    appliesTo: z
      .array(RecordedBy)
      .min(1)
      .max(2)
      .refine((a) => new Set(a).size === a.length, { message: 'Each kind once' }),
    clock: AppealClockSchema,
    citation: LocalizedText,
    forwardSameDay: z.boolean(),
  })
  .refine((b) => !b.forwardSameDay || b.clock.startsOn === 'filing', {
    message: 'A type forwarded on the day of filing starts its clock on filing',
    path: ['clock', 'startsOn'],
  })
export type AppealTypeCreateBody = z.infer<typeof AppealTypeCreateBody>

export const AppealTypeView = z.object({
  key: AppealTypeKey,
  label: z.object({ 'zh-CN': z.string(), en: z.string() }),
  appliesTo: z.array(RecordedBy),
  clock: AppealClockSchema,
  citation: z.object({ 'zh-CN': z.string(), en: z.string() }),
  forwardSameDay: z.boolean(),
  /** Changed by an admin (else the built-in default). */
  customised: z.boolean(),
  /** One of the built-in types (else added by an admin). */
  builtIn: z.boolean(),
  retired: z.boolean(),
  updatedAt: z.string().nullable(),
})
export type AppealTypeView = z.infer<typeof AppealTypeView>
// Examples from the built-in lists: the API document shows a real key for each field.
export const GroundsKey = ConfigKey.meta({ example: 'camera_misread' })
export const RefuseReasonKey = ConfigKey.meta({ example: 'out_of_time' })
export const LegalBasisKey = ConfigKey.meta({ example: 'apl_40' })
export const AppealOutcome = z.enum(['upheld', 'corrected', 'revoked'])

export const OptionListName = z.enum(OPTION_LISTS)

/** One entry of a configured list as the API shows it (templates: with outcome and text). */
export const ConfiguredOptionView = z.object({
  key: z.string(),
  label: z.object({ 'zh-CN': z.string(), en: z.string() }),
  outcome: AppealOutcome.optional(),
  text: z.string().optional(),
  retired: z.boolean(),
  position: z.number().int(),
})
export type ConfiguredOptionView = z.infer<typeof ConfiguredOptionView>

export const OptionListsView = z.object({
  grounds: z.array(ConfiguredOptionView),
  refuseReasons: z.array(ConfiguredOptionView),
  legalBases: z.array(ConfiguredOptionView),
  templates: z.array(ConfiguredOptionView),
})
export type OptionListsView = z.infer<typeof OptionListsView>

/** An admin edits an entry: label, retired, and for a template its outcome and text. */
export const OptionUpdateBody = z.strictObject({
  label: LocalizedLabel,
  retired: z.boolean().optional(),
  outcome: AppealOutcome.optional(),
  text: text(10, 4000).optional(),
})
export type OptionUpdateBody = z.infer<typeof OptionUpdateBody>

/** An admin adds an entry (its key is permanent). */
export const OptionCreateBody = OptionUpdateBody.omit({ retired: true }).extend({ key: ConfigKey })
export type OptionCreateBody = z.infer<typeof OptionCreateBody>

/** The list's keys in the new order (every key of the list once, retired ones included). */
export const OptionOrderBody = z.strictObject({
  keys: z
    .array(ConfigKey)
    .min(1)
    .max(200)
    .refine((k) => new Set(k).size === k.length, { message: 'Each key once' }),
})
export const TicketStatus = z.enum(['effective', 'corrected', 'revoked'])
export const DueStatus = z.enum(['none', 'ok', 'soon', 'overdue', 'paused'])
export type DueStatus = z.infer<typeof DueStatus>

/** 处罚决定书编号: digits and capital letters, as the police system issues them. */
export const DecisionNo = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .refine((s) => /^[0-9A-Z]{10,32}$/.test(s), { message: 'Enter the decision number (10–32 digits or letters)' })

export const Phone = MobilePhone

export const FileRef = z.object({
  id: z.string(),
  name: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  url: z.string(),
  thumbUrl: z.string().nullable(),
})
export type FileRef = z.infer<typeof FileRef>

export const TicketView = z.object({
  id: z.string(),
  decisionNo: z.string(),
  plate: z.string(),
  occurredAt: z.string(),
  place: z.string(),
  violationCode: z.string(),
  violationDesc: z.string(),
  fineYuan: z.number().int(),
  points: z.number().int(),
  unitId: z.string(),
  unitName: z.string(),
  /** The unit where the violation happened (the issuing unit unless the record says otherwise). */
  occurredUnitId: z.string(),
  recordedBy: RecordedBy,
  status: TicketStatus,
  correctedFineYuan: z.number().int().nullable(),
  correctedPoints: z.number().int().nullable(),
  /** The open appeal on it, if any. */
  openAppeal: z.object({ id: z.string(), number: z.string(), state: AppealState }).nullable(),
  /** Appeal types a citizen may file against it. */
  appealTypes: z.array(AppealTypeKey),
})
export type TicketView = z.infer<typeof TicketView>

export const StaffTicketView = TicketView.extend({
  vinLast6: z.string().nullable(),
  officerName: z.string(),
  officerNo: z.string(),
  evidenceRef: z.string().nullable(),
  evidence: z.array(FileRef),
  source: z.string(),
  importedAt: z.string(),
})
export type StaffTicketView = z.infer<typeof StaffTicketView>

/** One ticket as the police system or an import file sends it (rows are checked one by one). */
export const TicketImportRow = z.strictObject({
  decisionNo: DecisionNo,
  plate: PlateNumber,
  /** ISO 8601 with offset, or 'YYYY-MM-DD HH:mm[:ss]' in China time. */
  occurredAt: text(10, 40),
  place: text(2, 200),
  violationCode: z
    .string()
    .trim()
    .regex(/^\d{4,5}$/, 'A violation code has 4 or 5 digits'),
  violationDesc: text(2, 200),
  fineYuan: z.coerce.number().int().min(0).max(20_000),
  points: z.coerce.number().int().min(0).max(12),
  /** The issuing unit, by id or exact name. */
  unit: text(1, 100),
  /** The unit where the violation happened, by id or exact name (camera objections go there); default: the issuing unit. */
  occurredUnit: text(1, 100).nullish(),
  /** Last six characters of the vehicle's VIN: a citizen sees the ticket only for a vehicle bound with the same. */
  vinLast6: VinLast6.nullish(),
  officerName: text(1, 50),
  officerNo: z
    .string()
    .trim()
    .regex(/^[0-9A-Z]{4,12}$/i, 'A badge number has 4–12 digits or letters'),
  recordedBy: z.preprocess((v) => (v === '电子监控' || v === '非现场' ? 'camera' : v === '现场' || v === '现场执法' ? 'onsite' : v), RecordedBy),
  evidenceRef: text(0, 200).nullish(),
})
export type TicketImportRow = z.infer<typeof TicketImportRow>

export const TicketImportBody = z.strictObject({
  tickets: z.array(z.record(z.string(), z.unknown())).min(1).max(5000),
})

export const ImportRowError = z.object({ row: z.number().int(), field: z.string(), message: z.string() })
export type ImportRowError = z.infer<typeof ImportRowError>

export const ImportResult = z.object({
  importId: z.string().nullable(),
  dryRun: z.boolean(),
  total: z.number().int(),
  created: z.number().int(),
  unchanged: z.number().int(),
})
export type ImportResult = z.infer<typeof ImportResult>

export const TicketLookupQuery = z.object({
  decisionNo: DecisionNo,
  plate: PlateNumber.optional(),
})

/** Fields of the appeal form (multipart, with `evidence` files). */
export const AppealCreateFields = z.strictObject({
  decisionNo: DecisionNo,
  plate: PlateNumber.optional(),
  type: AppealTypeKey.optional(),
  grounds: GroundsKey,
  statement: text(STATEMENT_LIMITS.min, STATEMENT_LIMITS.max, `At least ${STATEMENT_LIMITS.min} characters`),
  contactPhone: Phone,
})
export type AppealCreateFields = z.infer<typeof AppealCreateFields>

export const AppealDue = z.object({
  /** When the clock started (acceptance; the filing time while not yet accepted). */
  startedAt: z.string(),
  dueDate: z.string(),
  dueAt: z.string(),
  daysLeft: z.number().int(),
  status: DueStatus,
  paused: z.boolean(),
  pausedDays: z.number().int(),
  extensionDays: z.number().int(),
  /** True before acceptance: the date assumes acceptance on the filing day. */
  provisional: z.boolean(),
})
export type AppealDue = z.infer<typeof AppealDue>

export const AppealPolicyView = z.object({
  type: AppealTypeKey,
  days: z.number().int(),
  unit: z.enum(['calendar', 'working']),
  rollToWorkingDay: z.boolean(),
  pausable: z.boolean(),
  maxPausedDays: z.number().int(),
  maxExtensionDays: z.number().int(),
  /** When the clock started: on filing (forwarded the same day) or on acceptance. */
  startsOn: z.enum(['filing', 'acceptance']),
  citation: z.object({ 'zh-CN': z.string(), en: z.string() }),
})
export type AppealPolicyView = z.infer<typeof AppealPolicyView>

export const MaterialAnsweredBy = z.enum(['citizen', 'staff', 'withdrawn'])
export type MaterialAnsweredBy = z.infer<typeof MaterialAnsweredBy>

export const MaterialRequestView = z.object({
  id: z.string(),
  items: z.string(),
  requestedAt: z.string(),
  answeredAt: z.string().nullable(),
  answerNote: z.string().nullable(),
  /** How the wait ended: the citizen's material, the officer resumed, or the appeal was withdrawn. */
  answeredBy: MaterialAnsweredBy.nullable(),
  files: z.array(FileRef),
})

export const ExtensionView = z.object({
  id: z.string(),
  days: z.number().int(),
  reason: z.string(),
  /** 'cancelled': still pending when the case was closed (decided, refused or withdrawn). */
  state: z.enum(['pending', 'approved', 'rejected', 'cancelled']),
  requestedAt: z.string(),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
  requestedBy: z.string().nullable(),
  decidedBy: z.string().nullable(),
})

export const DecisionView = z.object({
  /** Null for staff while only draft findings exist. */
  outcome: AppealOutcome.nullable(),
  /** False while a correction or revocation waits for a unit head. */
  effective: z.boolean(),
  findings: z.string(),
  legalBasis: z.array(LegalBasisKey),
  replyText: z.string(),
  correctedFineYuan: z.number().int().nullable(),
  correctedPoints: z.number().int().nullable(),
  decidedAt: z.string().nullable(),
})

export const AppealView = z.object({
  id: z.string(),
  number: z.string(),
  version: z.number().int(),
  state: AppealState,
  stateType: z.enum(['open', 'closed', 'fixed']),
  type: AppealTypeKey,
  grounds: GroundsKey,
  statement: z.string(),
  contactPhoneMasked: z.string(),
  submittedAt: z.string(),
  acceptedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  ticket: TicketView,
  policy: AppealPolicyView,
  due: AppealDue.nullable(),
  evidence: z.array(FileRef),
  timeline: z.array(TimelineEvent),
  materialRequests: z.array(MaterialRequestView),
  extensions: z.array(ExtensionView),
  /** Shown once it takes effect (the citizen never sees a pending proposal). */
  decision: DecisionView.nullable(),
  refusal: z.object({ reason: RefuseReasonKey, note: z.string().nullable() }).nullable(),
  letterAvailable: z.boolean(),
  actions: z.array(AppealAction),
})
export type AppealView = z.infer<typeof AppealView>

export const StaffRef = z.object({ id: z.string(), name: z.string() })

export const StaffTimelineEvent = TimelineEvent.extend({ actorName: z.string().nullable() })

export const StaffAppealView = AppealView.extend({
  ticket: StaffTicketView,
  timeline: z.array(StaffTimelineEvent),
  unit: z.object({ id: z.string(), name: z.string() }),
  citizen: z.object({ nameMasked: z.string(), phoneMasked: z.string() }),
  assignee: StaffRef.nullable(),
  proposedBy: StaffRef.nullable(),
  approvedBy: StaffRef.nullable(),
  /** Draft findings or a pending proposal, visible to staff. */
  decision: DecisionView.nullable(),
  earlierAppeals: z.array(
    z.object({
      id: z.string(),
      number: z.string(),
      state: AppealState,
      outcome: AppealOutcome.nullable(),
      submittedAt: z.string(),
      decisionNo: z.string(),
      grounds: GroundsKey,
    }),
  ),
})
export type StaffAppealView = z.infer<typeof StaffAppealView>

export const AppealListItem = z.object({
  id: z.string(),
  number: z.string(),
  state: AppealState,
  stateType: z.enum(['open', 'closed', 'fixed']),
  type: AppealTypeKey,
  grounds: GroundsKey,
  plate: z.string(),
  decisionNo: z.string(),
  unitId: z.string(),
  unitName: z.string(),
  assignee: StaffRef.nullable(),
  citizenNameMasked: z.string(),
  submittedAt: z.string(),
  dueDate: z.string().nullable(),
  dueAt: z.string().nullable(),
  daysLeft: z.number().int().nullable(),
  dueStatus: DueStatus,
  outcome: AppealOutcome.nullable(),
  version: z.number().int(),
})
export type AppealListItem = z.infer<typeof AppealListItem>

export const MyAppealItem = z.object({
  id: z.string(),
  number: z.string(),
  state: AppealState,
  stateType: z.enum(['open', 'closed', 'fixed']),
  plate: z.string(),
  decisionNo: z.string(),
  violationDesc: z.string(),
  submittedAt: z.string(),
  dueDate: z.string().nullable(),
  daysLeft: z.number().int().nullable(),
  dueStatus: DueStatus,
  outcome: AppealOutcome.nullable(),
})

const csv = <T extends z.ZodType>(item: T) => z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item).max(20)).optional()

export const QueueQuery = z.object({
  /** Keyset position from a previous answer's `nextCursor` / `prevCursor` (opaque); none: the first page. */
  cursor: z.string().max(300).optional(),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
  state: csv(AppealState),
  /** 'open' (default), 'all', or 'closed' when no explicit states are given. */
  scope: z.enum(['open', 'closed', 'all']).default('open'),
  grounds: csv(GroundsKey),
  type: csv(AppealTypeKey),
  /** 'me', 'none' (unassigned) or a staff id. */
  assignee: z.string().max(40).optional(),
  unitId: z.string().uuid().optional(),
  due: z.enum(['soon', 'overdue']).optional(),
  /** Only cases with an extension request waiting for a unit head. */
  extension: z.enum(['pending']).optional(),
  from: CalendarDate.optional(),
  to: CalendarDate.optional(),
  q: text(0, 40).optional(),
  sort: z.enum(['due', 'submitted', '-submitted']).default('due'),
})
export type QueueQuery = z.infer<typeof QueueQuery>

export const Versioned = { version: z.number().int().min(1) }

export const AcceptBody = z.strictObject({ ...Versioned, assign: z.union([z.literal('auto'), z.literal('none'), z.string().uuid()]).default('none') })
export const RefuseBody = z.strictObject({ ...Versioned, reason: RefuseReasonKey, note: text(0, 500).optional() })
export const AssignBody = z.strictObject({ ...Versioned, assignee: z.union([z.literal('auto'), z.string().uuid()]) })
export const MaterialRequestBody = z.strictObject({ ...Versioned, items: text(4, 1000) })
export const ResumeBody = z.strictObject({ ...Versioned, note: text(2, 500) })
export const FindingsBody = z.strictObject({ ...Versioned, findings: text(0, 4000) })
export const DecisionBody = z
  .strictObject({
    ...Versioned,
    outcome: AppealOutcome,
    findings: text(4, 4000),
    legalBasis: z.array(LegalBasisKey).min(1).max(10),
    replyText: text(10, 4000),
    correctedFineYuan: z.number().int().min(0).max(20_000).optional(),
    correctedPoints: z.number().int().min(0).max(12).optional(),
  })
  .refine((b) => b.outcome !== 'corrected' || b.correctedFineYuan !== undefined || b.correctedPoints !== undefined, {
    message: 'A correction states the new fine or points',
    path: ['correctedFineYuan'],
  })
export type DecisionBody = z.infer<typeof DecisionBody>
export const ApprovalBody = z.strictObject({ ...Versioned, approve: z.boolean(), note: text(0, 1000).optional() })
export const ExtensionBody = z.strictObject({ ...Versioned, days: z.number().int().min(1).max(60), reason: text(4, 1000) })
export const ExtensionDecisionBody = z.strictObject({ ...Versioned, approve: z.boolean(), note: text(0, 1000).optional() })
export const WithdrawBody = z.strictObject({ ...Versioned, note: text(0, 500).optional() })
export const MaterialSupplyFields = z.strictObject({ version: z.coerce.number().int().min(1), note: text(2, 2000) })

export const AppealCounts = z.object({
  open: z.number().int(),
  overdue: z.number().int(),
  dueSoon: z.number().int(),
  awaitingAcceptance: z.number().int(),
  pendingApproval: z.number().int(),
  pendingExtensions: z.number().int(),
  mine: z.number().int(),
})
export type AppealCounts = z.infer<typeof AppealCounts>

export const ReplyLetter = z.object({
  kind: z.enum(['decision', 'refusal']),
  /** 答复告知书 number, derived from the case number. */
  letterNo: z.string(),
  appealNumber: z.string(),
  issuedAt: z.string(),
  unitName: z.string(),
  citizenName: z.string(),
  ticket: z.object({
    decisionNo: z.string(),
    plate: z.string(),
    occurredAt: z.string(),
    place: z.string(),
    violationDesc: z.string(),
    fineYuan: z.number().int(),
    points: z.number().int(),
  }),
  submittedAt: z.string(),
  acceptedAt: z.string().nullable(),
  grounds: GroundsKey,
  findings: z.string().nullable(),
  outcome: AppealOutcome.nullable(),
  correctedFineYuan: z.number().int().nullable(),
  correctedPoints: z.number().int().nullable(),
  legalBasis: z.array(z.object({ key: z.string(), label: z.string() })),
  replyText: z.string(),
  refusalReason: RefuseReasonKey.nullable(),
  remedies: z.object({
    reconsiderationDays: z.number().int(),
    reconsiderationBody: z.string(),
    litigationMonths: z.number().int(),
    court: z.string(),
    citation: z.string(),
  }),
})
export type ReplyLetter = z.infer<typeof ReplyLetter>

export const ReportQuery = z.object({
  period: z.enum(['month', 'quarter']).default('month'),
  year: z.coerce.number().int().min(2000).max(2100),
  /** Month 1–12 or quarter 1–4. */
  index: z.coerce.number().int().min(1).max(12),
  unitId: z.string().uuid().optional(),
})

const Bucket = z.object({ key: z.string(), count: z.number().int() })
const Row = z.object({
  id: z.string(),
  name: z.string(),
  open: z.number().int(),
  decided: z.number().int(),
  onTime: z.number().int(),
  overdueOpen: z.number().int(),
})
export const BacklogReport = z.object({
  period: z.object({
    kind: z.enum(['month', 'quarter']),
    year: z.number().int(),
    index: z.number().int(),
    from: z.string(),
    to: z.string(),
    label: z.string(),
  }),
  filed: z.number().int(),
  openAtEnd: z.number().int(),
  openByAge: z.array(Bucket),
  decided: z.number().int(),
  decidedOnTime: z.number().int(),
  onTimeRate: z.number().nullable(),
  overdueOpen: z.number().int(),
  decidedLate: z.number().int(),
  refused: z.number().int(),
  withdrawn: z.number().int(),
  outcomes: z.array(Bucket),
  grounds: z.array(Bucket),
  perReviewer: z.array(Row),
  perUnit: z.array(Row),
})
export type BacklogReport = z.infer<typeof BacklogReport>

export const CalendarDay = z.object({
  date: z.string(),
  working: z.boolean(),
  /** Holiday or make-up day name (package or override). */
  name: z.string().nullable(),
  source: z.enum(['weekday', 'official', 'override']),
  /** The package's answer, when an override changes it. */
  officialWorking: z.boolean(),
})
export const CalendarOverrideBody = z.strictObject({ working: z.boolean(), name: text(1, 60) })
export const CalendarOverrideView = z.object({ date: z.string(), working: z.boolean(), name: z.string().nullable(), updatedAt: z.string() })

export const ApiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
})
export const ApiKeyCreate = z.strictObject({ name: text(2, 60) })
