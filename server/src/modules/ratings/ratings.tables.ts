import type { RatingConfig } from '@tp/shared/ratings/config'
import { sql } from 'drizzle-orm'
import { bigserial, boolean, check, index, integer, jsonb, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { offices, queueTickets, services, serviceWindows } from '../bookings/bookings.tables'
import { citizens, staff, units } from '../identity/identity.tables'

const ts = (name: string) => timestamp(name, { withTimezone: true })

const LEVELS_SQL = sql.raw(`('very_satisfied', 'satisfied', 'basic', 'dissatisfied', 'very_dissatisfied')`)
const OPEN_STATES_SQL = sql.raw(`('opened', 'verified', 'contested', 'called_back', 'rectified')`)

/** Local configuration of the rating scheme (tags, follow-up deadline, minimum sample …); one row ('default'). */
export const ratingConfig = pgTable('rating_config', {
  id: text('id').primaryKey(),
  config: jsonb('config').$type<RatingConfig>().notNull(),
  updatedBy: uuid('updated_by'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
})

/**
 * Evaluator tablets (服务评价器): each is bound to one window by a random token that staff issue
 * for that window; only the token's hash is stored. The public evaluator endpoints accept a rating
 * only with a live token, and only for the ticket the window completed last.
 */
export const ratingDevices = pgTable(
  'rating_devices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    windowId: uuid('window_id')
      .notNull()
      .references(() => serviceWindows.id, { onDelete: 'cascade' }),
    label: text('label').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    createdBy: uuid('created_by').references(() => staff.id),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastSeenAt: ts('last_seen_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('rating_devices_window_idx').on(t.windowId, t.createdAt)],
)

/** Sent when a citizen's service is completed: "please rate" (in-app), until rated or expired. */
export const ratingInvitations = pgTable(
  'rating_invitations',
  {
    ticketId: uuid('ticket_id')
      .primaryKey()
      .references(() => queueTickets.id, { onDelete: 'cascade' }),
    citizenId: uuid('citizen_id')
      .notNull()
      .references(() => citizens.id),
    expiresAt: ts('expires_at').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('rating_invitations_citizen_idx').on(t.citizenId, t.expiresAt)],
)

/**
 * One rating per completed queue ticket (unique), in the app by the served citizen or at the
 * window's evaluator. Office, unit, window, staff and month are copied from the ticket so the
 * dashboards group without joins. `excluded`: a contest found the rating malicious; it stays on
 * record but leaves the statistics.
 */
export const ratings = pgTable(
  'ratings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => queueTickets.id),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id),
    windowId: uuid('window_id').references(() => serviceWindows.id),
    staffId: uuid('staff_id').references(() => staff.id),
    serviceId: uuid('service_id')
      .notNull()
      .references(() => services.id),
    /** The served citizen (booked tickets); null for walk-ins. */
    citizenId: uuid('citizen_id').references(() => citizens.id),
    channel: text('channel', { enum: ['app', 'evaluator'] }).notNull(),
    deviceId: uuid('device_id').references(() => ratingDevices.id),
    level: text('level', { enum: ['very_satisfied', 'satisfied', 'basic', 'dissatisfied', 'very_dissatisfied'] }).notNull(),
    score: smallint('score').notNull(),
    bad: boolean('bad').notNull(),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    comment: text('comment'),
    /** Left at the evaluator with a bad rating, for the call-back. */
    contactPhone: text('contact_phone'),
    excluded: boolean('excluded').notNull().default(false),
    completedAt: ts('completed_at').notNull(),
    ratedAt: ts('rated_at').notNull(),
    /** China month of the rating, 'YYYY-MM'. */
    month: text('month').notNull(),
  },
  (t) => [
    uniqueIndex('ratings_ticket_uq').on(t.ticketId),
    index('ratings_unit_month_idx').on(t.unitId, t.month),
    index('ratings_office_month_idx').on(t.officeId, t.month),
    index('ratings_window_month_idx').on(t.windowId, t.month),
    index('ratings_staff_month_idx').on(t.staffId, t.month),
    index('ratings_month_idx').on(t.month, t.unitId),
    index('ratings_rated_idx').on(t.ratedAt, t.id),
    index('ratings_citizen_idx').on(t.citizenId, t.ratedAt),
    check('ratings_level_ck', sql`${t.level} in ${LEVELS_SQL}`),
    check(
      'ratings_score_ck',
      sql`${t.score} = case ${t.level} when 'very_satisfied' then 5 when 'satisfied' then 4 when 'basic' then 3 when 'dissatisfied' then 2 else 1 end`,
    ),
    check('ratings_bad_ck', sql`${t.bad} = (${t.level} in ('dissatisfied', 'very_dissatisfied'))`),
    check('ratings_month_ck', sql`${t.month} ~ '^[0-9]{4}-[0-9]{2}$'`),
    check('ratings_comment_ck', sql`char_length(${t.comment}) <= 200`),
    check('ratings_tags_ck', sql`coalesce(array_length(${t.tags}, 1), 0) <= 5`),
    check('ratings_device_ck', sql`(${t.channel} = 'evaluator') = (${t.deviceId} is not null)`),
  ],
)

/** The follow-up case of a bad rating (one per rating), to a deadline on the working-day calendar. */
export const ratingFollowUps = pgTable(
  'rating_followups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    /** China date the case opened, 'YYYYMMDD'. */
    openedOn: text('opened_on').notNull(),
    /** 回访整改 case number, e.g. HF20260315000012. */
    number: text('number').notNull().generatedAlwaysAs(sql`'HF' || opened_on || lpad(seq::text, greatest(6, length(seq::text)), '0')`),
    ratingId: uuid('rating_id')
      .notNull()
      .references(() => ratings.id),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => queueTickets.id),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id),
    officeId: uuid('office_id')
      .notNull()
      .references(() => offices.id),
    windowId: uuid('window_id').references(() => serviceWindows.id),
    staffId: uuid('staff_id').references(() => staff.id),
    citizenId: uuid('citizen_id').references(() => citizens.id),
    state: text('state', { enum: ['opened', 'verified', 'contested', 'called_back', 'rectified', 'closed', 'voided'] }).notNull(),
    /** Deadline policy snapshot: a later configuration change never moves this case's deadline. */
    policy: jsonb('policy').$type<RatingConfig['followUp']>().notNull(),
    openedAt: ts('opened_at').notNull(),
    dueDate: text('due_date').notNull(),
    dueAt: ts('due_at').notNull(),
    /** From when the case is due soon (two thirds of the period used): counted in SQL. */
    soonAt: ts('soon_at'),
    verifiedAt: ts('verified_at'),
    verification: text('verification'),
    calledBackAt: ts('called_back_at'),
    rectifiedAt: ts('rectified_at'),
    rectification: text('rectification'),
    closedAt: ts('closed_at'),
    /** What the citizen is told. */
    outcome: text('outcome'),
    contestReason: text('contest_reason'),
    contestedBy: uuid('contested_by').references(() => staff.id),
    contestedAt: ts('contested_at'),
    contestDecision: text('contest_decision', { enum: ['upheld', 'rejected'] }),
    contestDecidedBy: uuid('contest_decided_by').references(() => staff.id),
    contestDecidedAt: ts('contest_decided_at'),
    contestNote: text('contest_note'),
    remindedAt: ts('reminded_at'),
    overdueNotifiedAt: ts('overdue_notified_at'),
    version: integer('version').notNull().default(0),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('rating_followups_number_uq').on(t.number),
    uniqueIndex('rating_followups_rating_uq').on(t.ratingId),
    index('rating_followups_unit_state_due_idx').on(t.unitId, t.state, t.dueAt),
    index('rating_followups_open_due_idx').on(t.dueAt, t.id).where(sql`${t.state} in ${OPEN_STATES_SQL}`),
    index('rating_followups_citizen_idx').on(t.citizenId, t.openedAt),
    index('rating_followups_staff_idx').on(t.staffId, t.openedAt),
    index('rating_followups_ticket_idx').on(t.ticketId),
    check('rating_followups_closed_ck', sql`(${t.state} in ('closed', 'voided')) = (${t.closedAt} is not null)`),
    check('rating_followups_outcome_ck', sql`${t.state} <> 'closed' or ${t.outcome} is not null`),
    check('rating_followups_callback_ck', sql`${t.state} not in ('called_back', 'rectified', 'closed') or ${t.calledBackAt} is not null`),
  ],
)

/** A follow-up case's timeline; `public` steps (with `public_note`) are shown to the citizen. */
export const ratingFollowUpEvents = pgTable(
  'rating_followup_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    followUpId: uuid('followup_id')
      .notNull()
      .references(() => ratingFollowUps.id, { onDelete: 'cascade' }),
    at: ts('at').notNull(),
    action: text('action').notNull(),
    actorType: text('actor_type').notNull(),
    actorRole: text('actor_role').notNull(),
    actorId: text('actor_id'),
    fromState: text('from_state'),
    toState: text('to_state'),
    note: text('note'),
    public: boolean('public').notNull().default(false),
    publicNote: text('public_note'),
    fileIds: jsonb('file_ids').$type<string[]>().notNull().default([]),
  },
  (t) => [index('rating_followup_events_case_idx').on(t.followUpId, t.at)],
)

/** 回访 records: every attempt, reached or not. */
export const ratingCallBacks = pgTable(
  'rating_callbacks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    followUpId: uuid('followup_id')
      .notNull()
      .references(() => ratingFollowUps.id, { onDelete: 'cascade' }),
    calledAt: ts('called_at').notNull(),
    method: text('method', { enum: ['phone', 'sms', 'visit', 'wechat'] }).notNull(),
    reached: boolean('reached').notNull(),
    feedback: text('feedback', { enum: ['satisfied', 'basic', 'dissatisfied'] }),
    note: text('note').notNull(),
    recordedBy: uuid('recorded_by').references(() => staff.id),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('rating_callbacks_case_idx').on(t.followUpId, t.calledAt)],
)

/**
 * Ratings counted per month, office, window and staff member — what every dashboard reads, so a
 * satisfaction rate or a ranking sums a few hundred rows instead of scanning every rating.
 * Maintained by a trigger on `ratings` (insert; a change of level, grouping or `excluded`;
 * delete), so it can never drift from the ratings whoever writes them. Excluded (voided) ratings
 * are not counted.
 */
export const ratingRollups = pgTable(
  'rating_rollups',
  {
    month: text('month').notNull(),
    unitId: uuid('unit_id').notNull(),
    officeId: uuid('office_id').notNull(),
    windowId: uuid('window_id'),
    staffId: uuid('staff_id'),
    verySatisfied: integer('very_satisfied').notNull().default(0),
    satisfied: integer('satisfied').notNull().default(0),
    basic: integer('basic').notNull().default(0),
    dissatisfied: integer('dissatisfied').notNull().default(0),
    veryDissatisfied: integer('very_dissatisfied').notNull().default(0),
  },
  (t) => [
    uniqueIndex('rating_rollups_key_uq').on(
      t.month,
      t.officeId,
      sql`coalesce(${t.windowId}, '00000000-0000-0000-0000-000000000000'::uuid)`,
      sql`coalesce(${t.staffId}, '00000000-0000-0000-0000-000000000000'::uuid)`,
    ),
    index('rating_rollups_unit_month_idx').on(t.unitId, t.month),
    check(
      'rating_rollups_nonnegative_ck',
      sql`${t.verySatisfied} >= 0 and ${t.satisfied} >= 0 and ${t.basic} >= 0 and ${t.dissatisfied} >= 0 and ${t.veryDissatisfied} >= 0`,
    ),
  ],
)
