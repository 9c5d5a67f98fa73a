import { sql } from 'drizzle-orm'
import { bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'

/** Append-only: rows are inserted, never updated or deleted (a trigger in the migration enforces it). */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    actorRole: text('actor_role').notNull(),
    unitId: uuid('unit_id'),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    action: text('action').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    requestId: text('request_id'),
    ip: text('ip'),
  },
  (t) => [
    index('audit_log_entity_idx').on(t.entityType, t.entityId, t.at),
    index('audit_log_at_idx').on(t.at),
    index('audit_log_actor_idx').on(t.actorType, t.actorId, t.at),
    // Audit search by actor filters on actor_id alone, newest first.
    index('audit_log_actor_id_idx').on(t.actorId, t.id),
    // Unit heads search their subtree newest first.
    index('audit_log_unit_idx').on(t.unitId, t.id),
  ],
)

/** A replayable response per (actor, Idempotency-Key), written in the same transaction as the resource. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status').notNull(),
    body: text('body').notNull(),
    contentType: text('content_type').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_created_idx').on(t.createdAt)],
)

/** In-app inbox, fed by every feature; recipient is a citizen or a staff member. */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recipientType: text('recipient_type', { enum: ['citizen', 'staff'] }).notNull(),
    recipientId: uuid('recipient_id').notNull(),
    /** i18n message key (e.g. 'appeal.accepted'); the client renders it in the reader's language. */
    messageKey: text('message_key').notNull(),
    params: jsonb('params').$type<Record<string, string | number>>().notNull().default({}),
    link: text('link'),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('notifications_recipient_idx').on(t.recipientType, t.recipientId, t.createdAt)],
)

/** Stored uploads; the owning feature decides who may read one. */
export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    storageKey: text('storage_key').notNull().unique(),
    thumbKey: text('thumb_key'),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    name: text('name').notNull(),
    ownerType: text('owner_type').notNull(),
    ownerId: text('owner_id'),
    /** What it is attached to, e.g. ('report', id); null until the entity exists. */
    entityType: text('entity_type'),
    entityId: text('entity_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('files_entity_idx').on(t.entityType, t.entityId)],
)

/** Fixed-window counters shared by every server process (rate limits on sign-in, submissions…). */
export const rateLimits = pgTable(
  'rate_limits',
  {
    bucket: text('bucket').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.windowStart] }), index('rate_limits_window_idx').on(t.windowStart)],
)

/** Holiday overrides shared by every clock (appeals, follow-ups) and office calendars. */
export const calendarOverrides = pgTable('calendar_overrides', {
  date: text('date').primaryKey(),
  working: boolean('working').notNull(),
  name: text('name'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().default(sql`now()`),
})
