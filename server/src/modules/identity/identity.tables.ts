import { sql } from 'drizzle-orm'
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

/** The organisation tree: 支队 → 大队 → 中队 / 警务站 / 车管所. `path` is the ids from the root, for subtree scoping. */
export const units = pgTable(
  'units',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    parentId: uuid('parent_id'),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['detachment', 'brigade', 'squadron', 'station', 'vehicle_office'] }).notNull(),
    path: text('path').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('units_parent_idx').on(t.parentId)],
)

export const staff = pgTable(
  'staff',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull().unique(),
    name: text('name').notNull(),
    role: text('role', { enum: ['dispatcher', 'legal_officer', 'window_staff', 'unit_head', 'admin'] }).notNull(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id),
    passwordHash: text('password_hash').notNull(),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    active: boolean('active').notNull().default(true),
    /** An on-duty officer can be dispatched road reports. */
    onDuty: boolean('on_duty').notNull().default(false),
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('staff_unit_idx').on(t.unitId, t.username)],
)

export const citizens = pgTable(
  'citizens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Null once the account is deleted (cases are kept, personal data removed). */
    phone: text('phone').unique(),
    name: text('name'),
    idNumber: text('id_number'),
    wechatOpenId: text('wechat_openid').unique(),
    preferences: jsonb('preferences').$type<{ notifyInApp: boolean; notifySms: boolean; locale: 'zh-CN' | 'en' }>(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // The audit search joins audit_log.actor_id (text) to citizens by id::text.
  (t) => [index('citizens_id_text_idx').on(sql`(${t.id}::text)`)],
)

export const vehicles = pgTable(
  'vehicles',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    citizenId: uuid('citizen_id')
      .notNull()
      .references(() => citizens.id, { onDelete: 'cascade' }),
    plate: text('plate').notNull(),
    vinLast6: text('vin_last6').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('vehicles_citizen_plate_uq').on(t.citizenId, t.plate), index('vehicles_plate_idx').on(t.plate)],
)

/** Server-side sessions; the cookie carries only a random token whose hash is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull().unique(),
    csrfToken: text('csrf_token').notNull(),
    subjectType: text('subject_type', { enum: ['citizen', 'staff'] }).notNull(),
    subjectId: uuid('subject_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('sessions_subject_idx').on(t.subjectType, t.subjectId)],
)

/** One live code per phone number; the hash only, never the code. */
export const otpCodes = pgTable('otp_codes', {
  phone: text('phone').primaryKey(),
  codeHash: text('code_hash').notNull(),
  attempts: integer('attempts').notNull().default(0),
  sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
})

/**
 * A WeChat openid waiting to be bound: after the OAuth callback finds no account for it, the
 * browser holds a random token (cookie) and the next phone sign-in binds the openid.
 */
export const wechatPending = pgTable('wechat_pending', {
  tokenHash: text('token_hash').primaryKey(),
  openId: text('open_id').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
})
