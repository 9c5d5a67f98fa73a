import type { ClockPolicy } from '../calendar'

/**
 * Appeals configuration defaults: appeal types with their clock policies and citations, grounds,
 * refusal reasons, legal bases and reply templates. An admin edits, adds, reorders and retires
 * entries in the console (stored over these defaults); everything reads the configured lists.
 * An appeal keeps a snapshot of its clock policy and citation, so later edits never move an
 * existing deadline or change the rule it was filed under.
 */

export interface Localized {
  'zh-CN': string
  en: string
}

export type RecordedBy = 'camera' | 'onsite'

export interface AppealClock extends ClockPolicy {
  /** Whether waiting for the citizen's additional material (补正) stops the clock. */
  pausable: boolean
  /** Cap on paused days over the whole case, in the clock's unit. */
  maxPausedDays: number
  /** Cap on extension days a unit head may grant, in the clock's unit. */
  maxExtensionDays: number
  /**
   * When the clock starts: 'acceptance' (受理; until then a provisional clock runs from filing)
   * or 'filing' (the case is forwarded the day it is filed and the review period runs from that
   * day; acceptance does not restart it). Missing in older snapshots: 'acceptance'.
   */
  startsOn?: 'filing' | 'acceptance'
}

export interface AppealTypeConfig {
  key: string
  label: Localized
  /** Which tickets the type can be filed against (how the violation was recorded). */
  appliesTo: readonly RecordedBy[]
  clock: AppealClock
  /** The rule the clock comes from, shown to the citizen. */
  citation: Localized
  /**
   * Forwarded to the unit where the violation happened on the day it is filed: the case belongs
   * to that unit (not the issuing one), and its clock starts on filing (clock.startsOn).
   */
  forwardSameDay: boolean
  /** Retired by an admin: not offered for new appeals, still labels old ones. */
  retired?: boolean
}

/** What a case stores at filing: the clock and the rule it came from (older rows lack the citation). */
export interface AppealPolicySnapshot extends AppealClock {
  citation?: Localized
}

export const APPEAL_TYPES: readonly AppealTypeConfig[] = [
  {
    key: 'camera_objection',
    label: { 'zh-CN': '对交通技术监控设备记录的违法行为有异议', en: 'Objection to a camera-recorded violation' },
    appliesTo: ['camera'],
    clock: { days: 5, unit: 'working', pausable: true, maxPausedDays: 5, maxExtensionDays: 5, startsOn: 'filing' },
    citation: {
      'zh-CN':
        '《道路交通安全违法行为处理程序规定》（2020）第五条第三款：当日移送违法行为发生地，五日内完成审核（移送发生地单位，自提出异议当日起算，期限按工作日计算）',
      en: 'Road Traffic Safety Violation Handling Procedures (2020), art. 5 para. 3: forwarded the same day to the unit where the violation happened and reviewed within 5 (working) days, counted from the day of the objection',
    },
    forwardSameDay: true,
  },
  {
    key: 'statement',
    label: { 'zh-CN': '陈述申辩 / 申诉', en: 'Statement and defence / appeal' },
    appliesTo: ['camera', 'onsite'],
    clock: { days: 15, unit: 'calendar', rollToWorkingDay: true, pausable: true, maxPausedDays: 15, maxExtensionDays: 15 },
    citation: {
      'zh-CN': '本地执法实践：法制室自受理之日起约 15 日内答复（期满日为节假日的顺延至下一工作日）',
      en: 'Local practice: the legal office replies within about 15 days of acceptance (a deadline on a holiday moves to the next working day)',
    },
    forwardSameDay: false,
  },
]

export function appealType(key: string): AppealTypeConfig | undefined {
  return APPEAL_TYPES.find((t) => t.key === key)
}

/** Types a citizen may choose for a ticket (retired ones never), most specific first. */
export function typesFor<T extends Pick<AppealTypeConfig, 'appliesTo' | 'retired'> = AppealTypeConfig>(
  recordedBy: RecordedBy,
  types: readonly T[] = APPEAL_TYPES as unknown as readonly T[],
): T[] {
  return types.filter((t) => !t.retired && t.appliesTo.includes(recordedBy)).sort((a, b) => a.appliesTo.length - b.appliesTo.length)
}

export interface Option {
  key: string
  label: Localized
}

export const GROUNDS: readonly Option[] = [
  { key: 'camera_misread', label: { 'zh-CN': '抓拍识别错误（号牌识别有误）', en: 'Camera misread the plate' } },
  { key: 'cloned_plate', label: { 'zh-CN': '被套牌', en: 'Cloned plate (套牌)' } },
  { key: 'emergency_avoidance', label: { 'zh-CN': '紧急避险', en: 'Emergency avoidance (紧急避险)' } },
  { key: 'unclear_sign', label: { 'zh-CN': '标志标线不清或设置不合理', en: 'Unclear sign or road marking' } },
  { key: 'vehicle_sold_or_stolen', label: { 'zh-CN': '车辆此前已转让或被盗抢', en: 'Vehicle sold or stolen before' } },
  { key: 'other', label: { 'zh-CN': '其他理由', en: 'Other' } },
]

export const REFUSE_REASONS: readonly Option[] = [
  { key: 'out_of_time', label: { 'zh-CN': '超过申诉期限', en: 'Out of time' } },
  { key: 'not_party', label: { 'zh-CN': '申请人不是当事人', en: 'Not the party concerned' } },
  { key: 'no_ticket', label: { 'zh-CN': '无对应处罚决定', en: 'No such ticket' } },
]

export const LEGAL_BASES: readonly Option[] = [
  {
    key: 'apl_40',
    label: { 'zh-CN': '《中华人民共和国行政处罚法》第四十条（违法事实不清、证据不足的，不得给予行政处罚）', en: 'Administrative Penalty Law, art. 40' },
  },
  {
    key: 'apl_45',
    label: {
      'zh-CN': '《中华人民共和国行政处罚法》第四十五条（当事人有权陈述、申辩；不得因陈述、申辩而给予更重的处罚）',
      en: 'Administrative Penalty Law, art. 45 (right to state a defence; no heavier penalty for it)',
    },
  },
  {
    key: 'apl_33',
    label: {
      'zh-CN': '《中华人民共和国行政处罚法》第三十三条（违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚）',
      en: 'Administrative Penalty Law, art. 33',
    },
  },
  { key: 'rtsl_90', label: { 'zh-CN': '《中华人民共和国道路交通安全法》第九十条', en: 'Road Traffic Safety Law, art. 90' } },
  {
    key: 'rtsl_114',
    label: {
      'zh-CN': '《中华人民共和国道路交通安全法》第一百一十四条（依据交通技术监控记录资料予以处罚）',
      en: 'Road Traffic Safety Law, art. 114 (penalties on camera records)',
    },
  },
  {
    key: 'proc_5',
    label: {
      'zh-CN': '《道路交通安全违法行为处理程序规定》第五条（对技术监控记录有异议的审核）',
      en: 'Violation Handling Procedures, art. 5 (review of camera objections)',
    },
  },
  {
    key: 'proc_19_20',
    label: {
      'zh-CN': '《道路交通安全违法行为处理程序规定》第十九条、第二十条（技术监控记录资料的审核）',
      en: 'Violation Handling Procedures, arts. 19–20 (review of camera records)',
    },
  },
]

export type AppealOutcome = 'upheld' | 'corrected' | 'revoked'

export interface ReplyTemplate {
  key: string
  outcome: AppealOutcome
  label: Localized
  /** Placeholders: {plate} {occurredAt} {place} {violation} {decisionNo} {findings}. */
  text: string
}

export const REPLY_TEMPLATES: readonly ReplyTemplate[] = [
  {
    key: 'upheld_standard',
    outcome: 'upheld',
    label: { 'zh-CN': '维持：事实清楚、证据确凿', en: 'Upheld: facts clear, evidence conclusive' },
    text: '经复核，{plate} 号车辆于 {occurredAt} 在 {place} 的“{violation}”违法行为事实清楚、证据确凿，适用法律正确，程序合法。您提出的申诉理由不能成立，维持原处罚决定（编号 {decisionNo}）。',
  },
  {
    key: 'corrected_standard',
    outcome: 'corrected',
    label: { 'zh-CN': '变更：处罚内容调整', en: 'Corrected: penalty adjusted' },
    text: '经复核，{plate} 号车辆于 {occurredAt} 在 {place} 的违法行为属实，但{findings}。依法对原处罚决定（编号 {decisionNo}）予以变更。',
  },
  {
    key: 'revoked_standard',
    outcome: 'revoked',
    label: { 'zh-CN': '撤销：申诉理由成立', en: 'Revoked: grounds hold' },
    text: '经复核，您提出的申诉理由成立：{findings}。原处罚决定（编号 {decisionNo}）予以撤销，相关违法记录依法消除。',
  },
  {
    key: 'revoked_camera',
    outcome: 'revoked',
    label: { 'zh-CN': '撤销：技术监控记录有误', en: 'Revoked: camera record wrong' },
    text: '经审核，{occurredAt} 在 {place} 记录的 {plate} 号车辆违法信息有误（{findings}），该交通技术监控记录予以消除，原处罚决定（编号 {decisionNo}）撤销。',
  },
]

/** The admin-configurable option lists. */
export const OPTION_LISTS = ['grounds', 'refuseReasons', 'legalBases', 'templates'] as const
export type OptionList = (typeof OPTION_LISTS)[number]

/** One entry of a configured list: templates carry an outcome and a text. */
export interface ConfiguredOption extends Option {
  outcome?: AppealOutcome
  text?: string
  /** Retired by an admin: hidden from new filings and decisions, still labels old cases. */
  retired: boolean
  position: number
}

/** The built-in entries of each list, the defaults an admin's settings apply over. */
export const DEFAULT_OPTIONS: Record<OptionList, readonly (Option | ReplyTemplate)[]> = {
  grounds: GROUNDS,
  refuseReasons: REFUSE_REASONS,
  legalBases: LEGAL_BASES,
  templates: REPLY_TEMPLATES,
}

/**
 * A list as configured: the defaults in their built-in order, each replaced by an admin's
 * stored entry with the same key, plus the admin's own entries; sorted by position (ties by key).
 */
export function configuredList(defaults: readonly (Option | ReplyTemplate)[], stored: readonly ConfiguredOption[]): ConfiguredOption[] {
  const byKey = new Map<string, ConfiguredOption>(defaults.map((d, position) => [d.key, { ...d, retired: false, position }]))
  for (const s of stored) byKey.set(s.key, s)
  return [...byKey.values()].sort((a, b) => a.position - b.position || a.key.localeCompare(b.key))
}

/** Keys from `keys` that are not active entries of the list (unknown or retired). */
export function inactiveKeys(list: readonly ConfiguredOption[], keys: readonly string[]): string[] {
  return keys.filter((k) => !list.some((o) => o.key === k && !o.retired))
}

export function renderTemplate(text: string, params: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => params[k] ?? m)
}

/** The citizen's further remedies, printed on every reply letter. */
export const REMEDIES = {
  reconsiderationDays: 60,
  litigationMonths: 6,
  reconsiderationBody: { 'zh-CN': '本级人民政府', en: 'the people’s government at the same level' } as Localized,
  court: { 'zh-CN': '有管辖权的人民法院', en: 'the competent people’s court' } as Localized,
  citation: {
    'zh-CN': '《中华人民共和国行政复议法》（2023）、《中华人民共和国行政诉讼法》第四十六条',
    en: 'Administrative Reconsideration Law (2023); Administrative Litigation Law, art. 46',
  } as Localized,
}

export const EVIDENCE_LIMITS = {
  maxFiles: 9,
  maxTotalBytes: 20 * 1024 * 1024,
  kinds: ['image', 'pdf'] as const,
}

export const STATEMENT_LIMITS = { min: 10, max: 2000 }

/** Lists flag a case "due soon" from this many days left. */
export const DUE_SOON_DAYS = 3

/** Share of the period used at which the assignee is reminded. */
export const REMINDER_FRACTIONS = [2 / 3, 0.9] as const

/** Open-case age buckets of the backlog report, in days since filing. */
export const AGE_BUCKETS = [
  { key: '0-5', max: 5 },
  { key: '6-10', max: 10 },
  { key: '11-15', max: 15 },
  { key: '16-30', max: 30 },
  { key: '>30', max: Number.POSITIVE_INFINITY },
] as const

export function ageBucket(ageDays: number): (typeof AGE_BUCKETS)[number]['key'] {
  return (AGE_BUCKETS.find((b) => ageDays <= b.max) ?? AGE_BUCKETS[AGE_BUCKETS.length - 1])!.key
}
