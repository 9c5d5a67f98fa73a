import type { AppealClock, AppealOutcome, AppealPolicySnapshot, Localized } from '@tp/shared/appeals/config'
import { sql } from 'drizzle-orm'
import { bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { citizens, staff, units } from '../identity/identity.tables'

/** The appeal machine's open states as SQL literals (a unit test holds them to the machine). */
export const OPEN_STATES_SQL = "'submitted', 'accepted', 'in_review', 'awaiting_material', 'pending_approval'"
/** The partial indexes' predicate. */
const OPEN = sql.raw(`state in (${OPEN_STATES_SQL})`)

/** The ticket registry (违法记录 / 处罚决定): imported from the police system, never edited by hand. */
export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** 处罚决定书编号: the import's idempotency key. */
    decisionNo: text('decision_no').notNull().unique(),
    plate: text('plate').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    place: text('place').notNull(),
    violationCode: text('violation_code').notNull(),
    violationDesc: text('violation_desc').notNull(),
    fineYuan: integer('fine_yuan').notNull(),
    points: integer('points').notNull(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id),
    /** The unit where the violation happened (camera objections go there); null: the issuing unit. */
    occurredUnitId: uuid('occurred_unit_id').references(() => units.id),
    /** Last six characters of the vehicle's VIN, when the police system sends it (checked against the citizen's binding). */
    vinLast6: text('vin_last6'),
    officerName: text('officer_name').notNull(),
    officerNo: text('officer_no').notNull(),
    recordedBy: text('recorded_by', { enum: ['camera', 'onsite'] }).notNull(),
    evidenceRef: text('evidence_ref'),
    status: text('status', { enum: ['effective', 'corrected', 'revoked'] })
      .notNull()
      .default('effective'),
    correctedFineYuan: integer('corrected_fine_yuan'),
    correctedPoints: integer('corrected_points'),
    source: text('source', { enum: ['seed', 'csv', 'xlsx', 'api'] }).notNull(),
    importId: uuid('import_id'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('tickets_plate_idx').on(t.plate, t.occurredAt), index('tickets_unit_idx').on(t.unitId, t.occurredAt)],
)

/**
 * An admin's settings for an appeal type (clock policy and the citation shown to citizens),
 * over the defaults in shared/src/appeals/config.ts, or a type an admin added (then label,
 * appliesTo and forwardSameDay are set; for a built-in type null means its default).
 * New appeals snapshot the policy and citation at filing.
 */
export const appealTypeSettings = pgTable('appeal_type_settings', {
  key: text('key').primaryKey(),
  clock: jsonb('clock').$type<AppealClock>().notNull(),
  citation: jsonb('citation').$type<Localized>().notNull(),
  label: jsonb('label').$type<Localized>(),
  appliesTo: text('applies_to', { enum: ['camera', 'onsite'] }).array(),
  forwardSameDay: boolean('forward_same_day'),
  retiredAt: timestamp('retired_at', { withTimezone: true }),
  updatedBy: uuid('updated_by').references(() => staff.id),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
})

/**
 * An admin's entry of a configured list (grounds, refusal reasons, legal bases, reply
 * templates): a built-in entry as edited (same key) or a new one. Never deleted: retiring
 * hides it from new filings and decisions while it still labels old cases.
 */
export const appealOptions = pgTable(
  'appeal_options',
  {
    list: text('list', { enum: ['grounds', 'refuseReasons', 'legalBases', 'templates'] }).notNull(),
    key: text('key').notNull(),
    label: jsonb('label').$type<Localized>().notNull(),
    /** Templates only. */
    outcome: text('outcome').$type<AppealOutcome>(),
    text: text('text'),
    position: integer('position').notNull(),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
    updatedBy: uuid('updated_by').references(() => staff.id),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.list, t.key] })],
)

/** One applied import (a file from the console or a batch from the police system). */
export const ticketImports = pgTable(
  'ticket_imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    source: text('source', { enum: ['csv', 'xlsx', 'api'] }).notNull(),
    fileName: text('file_name'),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    apiKeyId: uuid('api_key_id'),
    total: integer('total').notNull(),
    created: integer('created').notNull(),
    unchanged: integer('unchanged').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('ticket_imports_created_idx').on(t.createdAt)],
)

/** Keys for the police system's import API; only a hash is stored. */
export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  prefix: text('prefix').notNull(),
  keyHash: text('key_hash').notNull().unique(),
  createdBy: uuid('created_by').references(() => staff.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
})

export const appeals = pgTable(
  'appeals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    /** China date of filing, 'YYYYMMDD', the middle of the case number. */
    filedOn: text('filed_on').notNull(),
    /** 申诉 case number, e.g. SS20260315000123. */
    number: text('number').notNull().generatedAlwaysAs(sql`'SS' || filed_on || lpad(seq::text, greatest(6, length(seq::text)), '0')`),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id),
    citizenId: uuid('citizen_id')
      .notNull()
      .references(() => citizens.id),
    /** The unit the case belongs to (unit scope): the ticket's issuing unit, or where it happened for same-day-forwarded types. */
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id),
    plate: text('plate').notNull(),
    decisionNo: text('decision_no').notNull(),
    type: text('type').notNull(),
    grounds: text('grounds').notNull(),
    statement: text('statement').notNull(),
    contactPhone: text('contact_phone').notNull(),
    state: text('state', {
      enum: ['submitted', 'accepted', 'in_review', 'awaiting_material', 'pending_approval', 'decided', 'refused', 'withdrawn'],
    }).notNull(),
    assigneeId: uuid('assignee_id').references(() => staff.id),
    assignedAt: timestamp('assigned_at', { withTimezone: true }),
    findings: text('findings'),
    outcome: text('outcome', { enum: ['upheld', 'corrected', 'revoked'] }),
    legalBasis: text('legal_basis').array(),
    replyText: text('reply_text'),
    correctedFineYuan: integer('corrected_fine_yuan'),
    correctedPoints: integer('corrected_points'),
    proposedBy: uuid('proposed_by').references(() => staff.id),
    proposedAt: timestamp('proposed_at', { withTimezone: true }),
    approvedBy: uuid('approved_by').references(() => staff.id),
    refuseReason: text('refuse_reason'),
    refuseNote: text('refuse_note'),
    /** Clock policy and citation snapshot taken at filing: later configuration changes never move this deadline. */
    policy: jsonb('policy').$type<AppealPolicySnapshot>().notNull(),
    clockStart: timestamp('clock_start', { withTimezone: true }).notNull(),
    extensionDays: integer('extension_days').notNull().default(0),
    /** Kept current on every change (and daily while paused), for sorting and counting. */
    dueDate: text('due_date'),
    dueAt: timestamp('due_at', { withTimezone: true }),
    pausedSince: timestamp('paused_since', { withTimezone: true }),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** When 2/3 and 90% of the period are reached (stored with the due date, for the reminder job's filter). */
    remind1At: timestamp('remind1_at', { withTimezone: true }),
    remind2At: timestamp('remind2_at', { withTimezone: true }),
    /**
     * When each reminder (2/3, 90%, overdue) was last sent. A mark earlier than its threshold
     * (remind1At, remind2At, dueAt) means the clock moved since (restart at acceptance,
     * extension, calendar change): the reminder is due again for the new threshold.
     */
    reminded1At: timestamp('reminded1_at', { withTimezone: true }),
    reminded2At: timestamp('reminded2_at', { withTimezone: true }),
    overdueNotifiedAt: timestamp('overdue_notified_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('appeals_number_uq').on(t.number),
    // One open appeal per ticket.
    uniqueIndex('appeals_one_open_per_ticket_uq').on(t.ticketId).where(OPEN),
    index('appeals_citizen_idx').on(t.citizenId, t.submittedAt, t.id),
    // The unit as well: the queue's capped count by due date is then an index-only scan (no row visits).
    index('appeals_open_due_idx').on(t.dueAt, t.id, t.unitId).where(OPEN),
    index('appeals_unit_state_due_idx').on(t.unitId, t.state, t.dueAt),
    index('appeals_assignee_idx').on(t.assigneeId, t.state),
    // Round-robin: when was each officer last given a case.
    index('appeals_assignee_assigned_idx').on(t.assigneeId, t.assignedAt),
    index('appeals_plate_idx').on(t.plate, t.submittedAt),
    index('appeals_decision_no_idx').on(t.decisionNo),
    index('appeals_submitted_idx').on(t.submittedAt),
    index('appeals_closed_idx').on(t.closedAt),
    index('appeals_ticket_idx').on(t.ticketId),
  ],
)

/**
 * "The appeal is open", written with literal states rather than parameters: a prepared statement's
 * generic plan can then prove the partial indexes' predicate and use them (with parameters it
 * cannot, and falls back to a parallel scan of every matching row).
 */
export const appealIsOpen = sql`${appeals.state} in (${sql.raw(OPEN_STATES_SQL)})`

/** The case timeline: every step, who (role, and the staff id for staff eyes), when, what, why. */
export const appealEvents = pgTable(
  'appeal_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Insertion order: breaks ties between steps recorded at the same instant. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    appealId: uuid('appeal_id')
      .notNull()
      .references(() => appeals.id),
    at: timestamp('at', { withTimezone: true }).notNull(),
    action: text('action').notNull(),
    actorType: text('actor_type').notNull(),
    actorRole: text('actor_role').notNull(),
    actorId: text('actor_id'),
    fromState: text('from_state'),
    toState: text('to_state'),
    note: text('note'),
    fileIds: uuid('file_ids').array().notNull().default(sql`'{}'::uuid[]`),
    /** Internal steps (findings drafts, proposals before approval) are hidden from the citizen. */
    citizenVisible: boolean('citizen_visible').notNull().default(true),
  },
  (t) => [index('appeal_events_appeal_idx').on(t.appealId, t.at)],
)

/** Requests for additional material (补正): the clock is paused from request to answer. */
export const appealMaterialRequests = pgTable(
  'appeal_material_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    appealId: uuid('appeal_id')
      .notNull()
      .references(() => appeals.id),
    items: text('items').notNull(),
    requestedBy: uuid('requested_by').references(() => staff.id),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    answerNote: text('answer_note'),
    /** 'citizen' when the material came in, 'staff' when the officer ended the wait, 'withdrawn' when the appeal was. */
    answeredBy: text('answered_by', { enum: ['citizen', 'staff', 'withdrawn'] }),
  },
  (t) => [
    index('appeal_material_requests_appeal_idx').on(t.appealId, t.requestedAt),
    uniqueIndex('appeal_material_one_open_uq').on(t.appealId).where(sql`answered_at is null`),
  ],
)

/** Extension requests; a unit head other than the requester decides. */
export const appealExtensions = pgTable(
  'appeal_extensions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    appealId: uuid('appeal_id')
      .notNull()
      .references(() => appeals.id),
    days: integer('days').notNull(),
    reason: text('reason').notNull(),
    state: text('state', { enum: ['pending', 'approved', 'rejected', 'cancelled'] })
      .notNull()
      .default('pending'),
    requestedBy: uuid('requested_by')
      .notNull()
      .references(() => staff.id),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
    decidedBy: uuid('decided_by').references(() => staff.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decisionNote: text('decision_note'),
  },
  (t) => [
    index('appeal_extensions_appeal_idx').on(t.appealId, t.requestedAt),
    uniqueIndex('appeal_extensions_one_pending_uq').on(t.appealId).where(sql`state = 'pending'`),
  ],
)
