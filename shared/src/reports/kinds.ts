import { z } from 'zod'

/**
 * Report kinds are configuration: the defaults below seed the `report_kinds` table and an admin can
 * change names, fields, photo rules, response targets and zombie-car periods without a code change.
 */

/** Which state machine a kind follows. */
export const ReportCourse = z.enum(['standard', 'zombie'])
export type ReportCourse = z.infer<typeof ReportCourse>

/** A milestone a response target measures, reached when the report first gets there. */
export const Milestone = z.enum(['accepted', 'dispatched', 'on_scene', 'verified', 'resolved'])
export type Milestone = z.infer<typeof Milestone>

export const ResponseTarget = z.object({
  milestone: Milestone,
  /** Minutes from submission. */
  minutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 365),
})
export type ResponseTarget = z.infer<typeof ResponseTarget>

/** An extra field of a kind (also published as an Open311 service attribute). */
export const KindField = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/),
  label: z.object({ 'zh-CN': z.string().min(1).max(40), en: z.string().min(1).max(60) }),
  type: z.enum(['string', 'number', 'singlevaluelist', 'plate']),
  required: z.boolean(),
  options: z
    .array(z.object({ key: z.string().min(1).max(40), 'zh-CN': z.string().min(1).max(40), en: z.string().min(1).max(60) }))
    .max(20)
    .optional(),
  order: z.number().int().min(1).max(100),
})
export type KindField = z.infer<typeof KindField>

export const ZombiePeriods = z.object({
  /** A second sighting at least this long after the first proves long-term parking. */
  secondSightingHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30),
  /** 限期驶离: the notice gives the owner this many days. */
  noticeDays: z.number().int().min(1).max(90),
  /** Public notice to the owner before disposal, in months. */
  publicNoticeMonths: z.number().int().min(1).max(24),
  /** A zombie report within this distance of an open one for the same plate is merged into it. */
  mergeRadiusM: z.number().int().min(10).max(5000),
})
export type ZombiePeriods = z.infer<typeof ZombiePeriods>

export const KindConfig = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/),
  name: z.object({ 'zh-CN': z.string().min(1).max(20), en: z.string().min(1).max(40) }),
  description: z.object({ 'zh-CN': z.string().max(200), en: z.string().max(300) }),
  course: ReportCourse,
  /** Open311 `group`. */
  group: z.string().max(40),
  keywords: z.array(z.string().max(20)).max(10),
  minPhotos: z.number().int().min(0).max(9),
  maxPhotos: z.number().int().min(1).max(9),
  requiresPlate: z.boolean(),
  fields: z.array(KindField).max(10),
  targets: z.array(ResponseTarget).max(5),
  /** Open duplicates of the same kind within this distance are offered as "me too". */
  nearbyRadiusM: z.number().int().min(10).max(5000),
  /** Fixed (resolved) reports close on their own after this many hours. */
  autoCloseHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  zombie: ZombiePeriods.optional(),
  active: z.boolean(),
  order: z.number().int().min(1).max(100),
})
export type KindConfig = z.infer<typeof KindConfig>

/** A kind's name in the viewer's language, from the configuration; its code while that is not loaded. */
export const DEFAULT_ZOMBIE_PERIODS: ZombiePeriods = { secondSightingHours: 24, noticeDays: 7, publicNoticeMonths: 3, mergeRadiusM: 300 }

/** How long a zombie car has been standing there, as the citizen estimates it. */
export const PARKED_FOR_OPTIONS = [
  { key: 'lt3d', 'zh-CN': '3 天以内', en: 'Under 3 days' },
  { key: '3to7d', 'zh-CN': '3–7 天', en: '3–7 days' },
  { key: '7to30d', 'zh-CN': '7–30 天', en: '7–30 days' },
  { key: 'gt30d', 'zh-CN': '30 天以上', en: 'Over 30 days' },
] as const

export const DEFAULT_KINDS: readonly KindConfig[] = [
  {
    code: 'congestion',
    name: { 'zh-CN': '拥堵', en: 'Congestion' },
    description: { 'zh-CN': '道路拥堵、车辆排队缓行', en: 'Traffic jam or slow-moving queue' },
    course: 'standard',
    group: 'traffic',
    keywords: ['拥堵', 'jam', 'congestion'],
    minPhotos: 0,
    maxPhotos: 9,
    requiresPlate: false,
    fields: [
      {
        code: 'severity',
        label: { 'zh-CN': '拥堵程度', en: 'Severity' },
        type: 'singlevaluelist',
        required: false,
        options: [
          { key: 'slow', 'zh-CN': '缓行', en: 'Slow' },
          { key: 'jammed', 'zh-CN': '拥堵', en: 'Jammed' },
          { key: 'standstill', 'zh-CN': '严重拥堵', en: 'Standstill' },
        ],
        order: 1,
      },
    ],
    targets: [
      { milestone: 'accepted', minutes: 5 },
      { milestone: 'on_scene', minutes: 30 },
    ],
    nearbyRadiusM: 200,
    autoCloseHours: 72,
    active: true,
    order: 1,
  },
  {
    code: 'zombie_car',
    name: { 'zh-CN': '僵尸车', en: 'Zombie car' },
    description: { 'zh-CN': '长期停放、占用道路或车位的废弃车辆', en: 'Vehicle abandoned or parked long-term on the road or a parking space' },
    course: 'zombie',
    group: 'parking',
    keywords: ['僵尸车', 'abandoned vehicle'],
    minPhotos: 1,
    maxPhotos: 9,
    requiresPlate: true,
    fields: [
      { code: 'plate', label: { 'zh-CN': '号牌号码', en: 'Plate number' }, type: 'plate', required: true, order: 1 },
      {
        code: 'parked_for',
        label: { 'zh-CN': '已停放时长', en: 'Parked for' },
        type: 'singlevaluelist',
        required: true,
        options: PARKED_FOR_OPTIONS.map((o) => ({ ...o })),
        order: 2,
      },
    ],
    targets: [{ milestone: 'verified', minutes: 3 * 24 * 60 }],
    nearbyRadiusM: 200,
    autoCloseHours: 72,
    zombie: DEFAULT_ZOMBIE_PERIODS,
    active: true,
    order: 2,
  },
  {
    code: 'hazard',
    name: { 'zh-CN': '道路隐患', en: 'Road hazard' },
    description: { 'zh-CN': '信号灯故障、遗撒物、路面坑洼等', en: 'Broken signal, debris, potholes and other hazards' },
    course: 'standard',
    group: 'road',
    keywords: ['隐患', 'hazard', 'signal'],
    minPhotos: 0,
    maxPhotos: 9,
    requiresPlate: false,
    fields: [
      {
        code: 'hazard_type',
        label: { 'zh-CN': '隐患类型', en: 'Hazard type' },
        type: 'singlevaluelist',
        required: false,
        options: [
          { key: 'signal', 'zh-CN': '信号灯故障', en: 'Signal fault' },
          { key: 'debris', 'zh-CN': '路面遗撒', en: 'Debris' },
          { key: 'pothole', 'zh-CN': '路面坑洼', en: 'Pothole' },
          { key: 'other', 'zh-CN': '其他', en: 'Other' },
        ],
        order: 1,
      },
    ],
    targets: [
      { milestone: 'accepted', minutes: 10 },
      { milestone: 'on_scene', minutes: 60 },
    ],
    nearbyRadiusM: 200,
    autoCloseHours: 72,
    active: true,
    order: 3,
  },
]

/** Validates the kind's extra fields; returns messages keyed by field code. */
export function validateAttributes(kind: KindConfig, attrs: Record<string, string>): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const f of kind.fields) {
    if (f.type === 'plate') continue // the plate has its own column and rule
    const v = attrs[f.code]
    if (v === undefined || v === '') {
      if (f.required) errors[f.code] = 'required'
      continue
    }
    if (f.type === 'number' && !Number.isFinite(Number(v))) errors[f.code] = 'not_a_number'
    if (f.type === 'singlevaluelist' && !f.options?.some((o) => o.key === v)) errors[f.code] = 'not_an_option'
    if (v.length > 200) errors[f.code] = 'too_long'
  }
  for (const key of Object.keys(attrs)) if (!kind.fields.some((f) => f.code === key)) errors[key] = 'unknown_field'
  return errors
}
