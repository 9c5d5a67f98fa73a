import { z } from 'zod'
import { TimelineEvent } from '../cases'
import { CalendarDate } from '../dates'
import { PlateNumber } from '../plate'
import { GridGeometry, Latitude, Longitude } from './geo'
import { KindConfig } from './kinds'
import { DESCRIPTION_MAX, DESCRIPTION_MIN, MAX_PHOTOS } from './limits'
import { REPORT_ACTIONS, REPORT_STATES } from './machine'

export const ReportStateEnum = z.enum(REPORT_STATES)
export const ReportActionEnum = z.enum(REPORT_ACTIONS)
export const StateTypeSchema = z.enum(['open', 'closed', 'fixed'])
export const KindCode = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/)

export const LocationSource = z.enum(['gps', 'wechat', 'exif', 'place', 'address', 'map'])
export type LocationSource = z.infer<typeof LocationSource>

// Plain limits apart from the schemas (the citizen form reads them without loading zod).
export { DESCRIPTION_MAX, DESCRIPTION_MIN, MAX_PHOTOS, PHOTO_MAX_BYTES } from './limits'

export const Description = z
  .string()
  .trim()
  .min(DESCRIPTION_MIN, `Describe it in at least ${DESCRIPTION_MIN} characters`)
  .max(DESCRIPTION_MAX, `At most ${DESCRIPTION_MAX} characters`)

export const ReportCreate = z.strictObject({
  kind: KindCode,
  lat: Latitude,
  lng: Longitude,
  locationSource: LocationSource,
  address: z.string().trim().min(2).max(200),
  roadName: z.string().trim().max(60).optional(),
  description: Description,
  plate: PlateNumber.optional(),
  attributes: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/), z.string().max(200)).default({}),
  photoIds: z.array(z.uuid()).max(MAX_PHOTOS).default([]),
})
export type ReportCreate = z.infer<typeof ReportCreate>

export const Photo = z.object({ id: z.string(), url: z.string(), thumbUrl: z.string().nullable(), name: z.string() })
export type Photo = z.infer<typeof Photo>

export const PhotoUploaded = Photo.extend({
  width: z.number().int(),
  height: z.number().int(),
  /** Position from the photo's EXIF before it was stripped: offered as the report's location. */
  gps: z.object({ lat: z.number(), lng: z.number() }).nullable(),
})
export type PhotoUploaded = z.infer<typeof PhotoUploaded>

export const DueInfo = {
  dueAt: z.string().nullable(),
  dueReason: z.string().nullable(),
  overdue: z.boolean(),
}

export const ReportSummary = z.object({
  id: z.string(),
  number: z.string(),
  kind: z.string(),
  state: ReportStateEnum,
  stateType: StateTypeSchema,
  address: z.string(),
  roadName: z.string().nullable(),
  lat: z.number(),
  lng: z.number(),
  plate: z.string().nullable(),
  gridName: z.string().nullable(),
  unitName: z.string().nullable(),
  officerName: z.string().nullable(),
  meTooCount: z.number().int(),
  thumbUrl: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  ...DueInfo,
})
export type ReportSummary = z.infer<typeof ReportSummary>

export const ReportDetail = ReportSummary.extend({
  course: z.enum(['standard', 'zombie']),
  description: z.string(),
  attributes: z.record(z.string(), z.string()),
  locationSource: LocationSource,
  photos: z.array(Photo),
  timeline: z.array(TimelineEvent),
  /** Actions the viewer may take now (from the state machine and the rules beside it). */
  actions: z.array(ReportActionEnum),
  canDispute: z.boolean(),
  canRate: z.boolean(),
  rating: z.object({ score: z.number().int(), comment: z.string().nullable(), at: z.string() }).nullable(),
  mergedInto: z.object({ id: z.string(), number: z.string() }).nullable(),
  /** The reporter counts as a "me too" on the report this one was merged into. */
  meToo: z.boolean(),
  noticeDueAt: z.string().nullable(),
  publicNoticeEndsAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
})
export type ReportDetail = z.infer<typeof ReportDetail>

export const NearbyReport = z.object({
  id: z.string(),
  number: z.string(),
  kind: z.string(),
  state: ReportStateEnum,
  stateType: StateTypeSchema,
  /** Coarsened for zombie cars. */
  lat: z.number(),
  lng: z.number(),
  address: z.string(),
  distanceM: z.number().int(),
  meTooCount: z.number().int(),
  samePlate: z.boolean(),
  createdAt: z.string(),
})
export type NearbyReport = z.infer<typeof NearbyReport>

export const NearbyQuery = z.object({
  kind: KindCode,
  lat: z.coerce.number().min(-90).max(90),
  lng: z.coerce.number().min(-180).max(180),
  /** Zombie cars: open reports of this plate (normalised like filed plates); signed-in citizens only. */
  plate: PlateNumber.optional(),
})

export const Sighting = z.object({ at: z.string(), by: z.enum(['report', 'citizen', 'officer']), note: z.string().nullable() })

export const ConsoleReportDetail = ReportDetail.extend({
  version: z.number().int(),
  gridId: z.string().nullable(),
  unitId: z.string(),
  officerId: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  citizen: z.object({ name: z.string(), phone: z.string() }).nullable(),
  source: z.enum(['h5', 'open311', 'staff']),
  nearby: z.array(ReportSummary.extend({ distanceM: z.number().int() })),
  merged: z.array(ReportSummary),
  sightings: z.array(Sighting),
  notes: z.array(z.object({ id: z.string(), at: z.string(), author: z.string(), text: z.string() })),
})
export type ConsoleReportDetail = z.infer<typeof ConsoleReportDetail>

export const StaffActionBody = z.strictObject({
  action: ReportActionEnum,
  /** Optimistic lock: the version the staff member saw. */
  version: z.number().int().min(0),
  note: z.string().trim().min(1).max(500).optional(),
  officerId: z.uuid().optional(),
  photoIds: z.array(z.uuid()).max(MAX_PHOTOS).optional(),
})
export type StaffActionBody = z.infer<typeof StaffActionBody>

export const NoteBody = z.strictObject({ text: z.string().trim().min(1).max(500) })
export const MergeBody = z.strictObject({ intoId: z.uuid(), ids: z.array(z.uuid()).min(1).max(100), note: z.string().trim().max(500).optional() })
export const DisputeBody = z.strictObject({ reason: z.string().trim().min(5).max(500) })
export const RateBody = z.strictObject({ score: z.number().int().min(1).max(5), comment: z.string().trim().max(300).optional() })
export const WithdrawBody = z.strictObject({ reason: z.string().trim().max(200).optional() })

export const ConsoleListQuery = z.object({
  kind: KindCode.optional(),
  state: z.string().max(200).optional().describe('Comma-separated states'),
  stateType: StateTypeSchema.optional(),
  gridId: z.uuid().optional(),
  unitId: z.uuid().optional(),
  overdue: z.enum(['true', 'false']).optional(),
  mine: z.enum(['true', 'false']).optional().describe('Only reports dispatched to me (officer view)'),
  q: z.string().trim().max(40).optional().describe('Number, plate or address'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
})
export type ConsoleListQuery = z.infer<typeof ConsoleListQuery>

export const Officer = z.object({
  id: z.string(),
  name: z.string(),
  unitName: z.string(),
  gridOfficer: z.boolean(),
  openAssigned: z.number().int(),
})

export const Place = z.object({
  name: z.string(),
  kind: z.enum(['road', 'landmark']),
  lat: z.number(),
  lng: z.number(),
  gridName: z.string(),
})
export type Place = z.infer<typeof Place>

export const Road = z.object({ name: z.string().trim().min(1).max(60), lat: Latitude, lng: Longitude, kind: z.enum(['road', 'landmark']).default('road') })

export const Grid = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  unitId: z.string(),
  unitName: z.string(),
  officerId: z.string().nullable(),
  officerName: z.string().nullable(),
  assistants: z.array(z.string()),
  roads: z.array(Road),
  geometry: GridGeometry,
  active: z.boolean(),
  version: z.number().int(),
  openReports: z.number().int(),
})
export type Grid = z.infer<typeof Grid>

export const GridFeature = z.object({
  type: z.literal('Feature'),
  properties: z.object({
    code: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,40}$/),
    name: z.string().trim().min(1).max(60),
    unitId: z.uuid().optional(),
    unitName: z.string().max(60).optional(),
    officer: z.string().max(60).optional().describe('Username of the grid officer (路警)'),
    assistants: z.array(z.string().max(20)).max(20).default([]),
    roads: z.array(Road).max(200).default([]),
  }),
  geometry: GridGeometry,
})

export const GridImport = z.strictObject({
  type: z.literal('FeatureCollection'),
  features: z.array(GridFeature).min(1).max(500),
  /** Grids whose code is not in the file are deactivated. */
  replace: z.boolean().default(false),
})
export type GridImport = z.infer<typeof GridImport>

export const GridPatch = z.strictObject({
  version: z.number().int().min(0),
  name: z.string().trim().min(1).max(60).optional(),
  officerId: z.uuid().nullable().optional(),
  assistants: z.array(z.string().trim().min(1).max(20)).max(20).optional(),
  roads: z.array(Road).max(200).optional(),
  active: z.boolean().optional(),
})

export const KindPublic = KindConfig
export type KindPublic = z.infer<typeof KindPublic>

export const StatsQuery = z.object({
  from: CalendarDate,
  to: CalendarDate,
  kind: KindCode.optional(),
  unitId: z.uuid().optional(),
})

const Quantiles = z.object({ n: z.number().int(), medianMin: z.number().nullable(), p90Min: z.number().nullable() })

export const ReportStats = z.object({
  from: z.string(),
  to: z.string(),
  total: z.number().int(),
  open: z.number().int(),
  perDay: z.array(z.object({ date: z.string(), kind: z.string(), n: z.number().int() })),
  byState: z.array(z.object({ state: z.string(), n: z.number().int() })),
  timeToAccept: Quantiles,
  timeToResolve: Quantiles,
  overdue: z.number().int(),
  dueSoon: z.number().int(),
  hotspots: z.array(z.object({ lat: z.number(), lng: z.number(), count: z.number().int(), label: z.string() })),
  congestionByRoad: z.array(z.object({ road: z.string(), n: z.number().int() })),
  zombieClearedPerMonth: z.array(z.object({ month: z.string(), n: z.number().int() })),
  satisfaction: z.object({ n: z.number().int(), average: z.number().nullable() }),
})
export type ReportStats = z.infer<typeof ReportStats>

export const Open311Key = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  requests: z.number().int(),
})
export const Open311KeyCreate = z.strictObject({ name: z.string().trim().min(2).max(60) })
export const Open311KeyCreated = Open311Key.extend({ apiKey: z.string() })
