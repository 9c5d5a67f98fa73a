import type { GridGeometry, KindConfig, ReportState } from '@tp/shared/reports/index'
import { sql } from 'drizzle-orm'
import {
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'

const ts = (name: string) => timestamp(name, { withTimezone: true })

/** Kinds are configuration (names, fields, photo rules, response targets, zombie-car periods). */
export const reportKinds = pgTable('report_kinds', {
  code: text('code').primaryKey(),
  config: jsonb('config').$type<KindConfig>().notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
})

/** Grids (网格): a GeoJSON polygon with its roads, unit and officer; bbox columns prefilter routing. */
export const grids = pgTable(
  'report_grids',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    unitId: uuid('unit_id').notNull(),
    officerId: uuid('officer_id'),
    assistants: jsonb('assistants').$type<string[]>().notNull().default([]),
    roads: jsonb('roads').$type<{ name: string; lat: number; lng: number; kind: 'road' | 'landmark' }[]>().notNull().default([]),
    geometry: jsonb('geometry').$type<GridGeometry>().notNull(),
    minLat: doublePrecision('min_lat').notNull(),
    maxLat: doublePrecision('max_lat').notNull(),
    minLng: doublePrecision('min_lng').notNull(),
    maxLng: doublePrecision('max_lng').notNull(),
    areaM2: doublePrecision('area_m2').notNull(),
    active: boolean('active').notNull().default(true),
    version: integer('version').notNull().default(0),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('report_grids_bbox_idx').on(t.active, t.minLat, t.maxLat), index('report_grids_unit_idx').on(t.unitId)],
)

/** Key/value settings of the feature, e.g. the default queue unit for reports outside every grid. */
export const reportSettings = pgTable('report_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
})

export const reportNumberSeq = pgSequence('report_number_seq', { startWith: 1 })

export const reports = pgTable(
  'reports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    number: text('number').notNull().unique(),
    kind: text('kind').notNull(),
    course: text('course', { enum: ['standard', 'zombie'] }).notNull(),
    state: text('state').$type<ReportState>().notNull(),
    stateType: text('state_type', { enum: ['open', 'closed', 'fixed'] }).notNull(),
    /** The fixed state it reached (resolved, moved, returned, disposed), kept after closing. */
    outcome: text('outcome').$type<ReportState>(),
    version: integer('version').notNull().default(0),
    source: text('source', { enum: ['h5', 'open311', 'staff'] }).notNull(),
    citizenId: uuid('citizen_id'),
    open311KeyId: uuid('open311_key_id'),
    open311Token: text('open311_token'),
    lat: doublePrecision('lat').notNull(),
    lng: doublePrecision('lng').notNull(),
    locationSource: text('location_source').notNull(),
    address: text('address').notNull(),
    roadName: text('road_name'),
    gridId: uuid('grid_id'),
    unitId: uuid('unit_id').notNull(),
    description: text('description').notNull(),
    plate: text('plate'),
    attributes: jsonb('attributes').$type<Record<string, string>>().notNull().default({}),
    officerId: uuid('officer_id'),
    acknowledgedAt: ts('acknowledged_at'),
    clockStartAt: ts('clock_start_at').notNull(),
    acceptedAt: ts('accepted_at'),
    dispatchedAt: ts('dispatched_at'),
    onSceneAt: ts('on_scene_at'),
    verifiedAt: ts('verified_at'),
    noticeDueAt: ts('notice_due_at'),
    publicNoticeEndsAt: ts('public_notice_ends_at'),
    resolvedAt: ts('resolved_at'),
    /** When it last left the open states (resolved, rejected, closed…): starts the dispute window. */
    finishedAt: ts('finished_at'),
    closedAt: ts('closed_at'),
    dueAt: ts('due_at'),
    dueReason: text('due_reason'),
    /** The due time already announced as overdue (so the scan notifies once per deadline). */
    overdueNotifiedFor: ts('overdue_notified_for'),
    mergedIntoId: uuid('merged_into_id'),
    meTooCount: integer('me_too_count').notNull().default(0),
    photoCount: integer('photo_count').notNull().default(0),
    thumbFileId: uuid('thumb_file_id'),
    rating: integer('rating'),
    ratingComment: text('rating_comment'),
    ratedAt: ts('rated_at'),
    disputeCount: integer('dispute_count').notNull().default(0),
    statusNote: text('status_note'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('reports_unit_created_idx').on(t.unitId, t.createdAt, t.id),
    index('reports_created_idx').on(t.createdAt, t.id),
    index('reports_citizen_idx').on(t.citizenId, t.createdAt, t.id),
    index('reports_officer_idx').on(t.officerId, t.stateType),
    index('reports_due_idx').on(t.dueAt).where(sql`${t.stateType} = 'open'`),
    index('reports_nearby_idx').on(t.kind, t.lat, t.lng).where(sql`${t.stateType} = 'open'`),
    index('reports_plate_idx').on(t.plate).where(sql`${t.plate} is not null`),
    index('reports_merged_into_idx').on(t.mergedIntoId),
    index('reports_grid_idx').on(t.gridId, t.stateType),
    index('reports_state_idx').on(t.state),
    uniqueIndex('reports_open311_token_uq').on(t.open311Token),
  ],
)

/** The timeline: every state change, note, sighting and rating, with who did it. */
export const reportEvents = pgTable(
  'report_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Insertion order: steps taken within the same instant keep their order on the timeline. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    reportId: uuid('report_id')
      .notNull()
      .references(() => reports.id, { onDelete: 'cascade' }),
    at: ts('at').notNull(),
    action: text('action').notNull(),
    actorType: text('actor_type').notNull(),
    actorId: uuid('actor_id'),
    actorRole: text('actor_role').notNull(),
    actorName: text('actor_name'),
    fromState: text('from_state'),
    toState: text('to_state'),
    note: text('note'),
    /** Internal notes are for staff only; everything else is on the citizen's timeline. */
    internal: boolean('internal').notNull().default(false),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('report_events_report_idx').on(t.reportId, t.at)],
)

/** "我也遇到": one row per citizen per report. */
export const reportSupporters = pgTable(
  'report_supporters',
  {
    reportId: uuid('report_id')
      .notNull()
      .references(() => reports.id, { onDelete: 'cascade' }),
    citizenId: uuid('citizen_id').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.citizenId] }), index('report_supporters_citizen_idx').on(t.citizenId)],
)

/** Sightings of a zombie car: the report itself, citizens' "me too", officers' visits. */
export const reportSightings = pgTable(
  'report_sightings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    reportId: uuid('report_id')
      .notNull()
      .references(() => reports.id, { onDelete: 'cascade' }),
    at: ts('at').notNull(),
    by: text('by', { enum: ['report', 'citizen', 'officer'] }).notNull(),
    actorId: uuid('actor_id'),
    note: text('note'),
  },
  (t) => [index('report_sightings_report_idx').on(t.reportId, t.at)],
)

/** Keys for Open311 clients, issued by an admin; only a hash is kept. */
export const open311Keys = pgTable('open311_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  prefix: text('prefix').notNull(),
  keyHash: text('key_hash').notNull().unique(),
  /** The issuing admin's unit: admins see and revoke the keys of their own scope only. */
  unitId: uuid('unit_id'),
  createdBy: uuid('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
  lastUsedAt: ts('last_used_at'),
  revokedAt: ts('revoked_at'),
  requests: integer('requests').notNull().default(0),
})
