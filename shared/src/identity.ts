import { z } from 'zod'
import { IdCardNumber } from './idcard'
import { MobilePhone } from './phone'
import { PlateNumber, VinLast6 } from './plate'
import { StaffRole, UnitKind } from './roles'

// ---------------------------------------------------------------- sign-in

export const OtpRequest = z.strictObject({ phone: MobilePhone })
export const OtpRequested = z.object({
  sent: z.literal(true),
  retryAfterSeconds: z.number().int(),
  expiresInSeconds: z.number().int(),
  devCode: z.string().optional().describe('Only in development mode'),
})
export const OtpVerify = z.strictObject({
  phone: MobilePhone,
  code: z.string().regex(/^\d{6}$/, 'Enter the 6-digit code'),
})
export const StaffLogin = z.strictObject({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(200),
})
/** Staff passwords: at least 8 characters with a letter and a digit. */
export const StaffPassword = z
  .string()
  .min(8, 'At least 8 characters')
  .max(200)
  .refine((v) => /[A-Za-z]/.test(v) && /\d/.test(v), { message: 'Use letters and digits' })
export const PasswordChange = z.strictObject({
  currentPassword: z.string().min(1).max(200),
  newPassword: StaffPassword,
})

/** Which optional sign-in methods this deployment offers. */
export const AuthProviders = z.object({ wechat: z.boolean() })
export type AuthProviders = z.infer<typeof AuthProviders>

/** The page a WeChat JS-SDK config is signed for: its full URL; a #fragment is ignored. */
export const WechatJsConfigQuery = z.object({ url: z.url({ protocol: /^https?$/ }).max(1000) })
/** What `wx.config` needs besides the API list (the signature is valid for that page URL only). */
export const WechatJsConfig = z.object({
  appId: z.string(),
  timestamp: z.number().int(),
  nonceStr: z.string(),
  signature: z.string().regex(/^[0-9a-f]{40}$/),
})
export type WechatJsConfig = z.infer<typeof WechatJsConfig>

// ---------------------------------------------------------------- units

/** Which kinds may sit under which: 支队 → 大队 → 中队 / 警务站 / 车管所. */
export const UNIT_CHILD_KINDS: Record<UnitKind, readonly UnitKind[]> = {
  detachment: ['brigade', 'squadron', 'station', 'vehicle_office'],
  brigade: ['squadron', 'station', 'vehicle_office'],
  squadron: [],
  station: [],
  vehicle_office: [],
}

/** Whether a unit of `kind` may be placed under `parentKind` (null: the root, only a 支队). */
export function canPlaceUnit(kind: UnitKind, parentKind: UnitKind | null): boolean {
  if (parentKind === null) return kind === 'detachment'
  return UNIT_CHILD_KINDS[parentKind].includes(kind)
}

export const Unit = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  name: z.string(),
  kind: UnitKind,
})
export type Unit = z.infer<typeof Unit>

export const UnitAdmin = Unit.extend({
  /** Ids from the root down to this unit. */
  path: z.array(z.string()),
  staffCount: z.number().int(),
  childCount: z.number().int(),
})
export type UnitAdmin = z.infer<typeof UnitAdmin>

const UnitName = z.string().trim().min(2, 'At least 2 characters').max(60)
export const UnitCreate = z.strictObject({ name: UnitName, kind: UnitKind, parentId: z.uuid() })
export type UnitCreate = z.infer<typeof UnitCreate>
export const UnitUpdate = z.strictObject({ name: UnitName.optional(), parentId: z.uuid().optional() })
export type UnitUpdate = z.infer<typeof UnitUpdate>

// ---------------------------------------------------------------- the signed-in user

export const Me = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('citizen'),
    id: z.string(),
    phoneMasked: z.string(),
    name: z.string().nullable(),
    csrfToken: z.string(),
  }),
  z.object({
    kind: z.literal('staff'),
    id: z.string(),
    username: z.string(),
    name: z.string(),
    role: StaffRole,
    unit: Unit,
    onDuty: z.boolean(),
    /** Set after an admin reset: every other request is refused until the password is changed. */
    mustChangePassword: z.boolean(),
    csrfToken: z.string(),
  }),
])
export type Me = z.infer<typeof Me>

// ---------------------------------------------------------------- citizen profile

export const Preferences = z.strictObject({
  notifyInApp: z.boolean(),
  notifySms: z.boolean(),
  locale: z.enum(['zh-CN', 'en']),
})
export type Preferences = z.infer<typeof Preferences>
export const DEFAULT_PREFERENCES: Preferences = { notifyInApp: true, notifySms: true, locale: 'zh-CN' }

export const PersonName = z
  .string()
  .trim()
  .min(1, 'Enter your name')
  .max(40)
  .refine((v) => !/[<>{}\d]/.test(v), { message: 'Enter a real name' })

export const Vehicle = z.object({
  id: z.string(),
  plate: z.string(),
  vinLast6: z.string(),
  createdAt: z.string(),
})
export type Vehicle = z.infer<typeof Vehicle>
export const VehicleCreate = z.strictObject({ plate: PlateNumber, vinLast6: VinLast6 })
export type VehicleCreate = z.infer<typeof VehicleCreate>
export const MAX_VEHICLES = 10

export const CitizenProfile = z.object({
  id: z.string(),
  phoneMasked: z.string(),
  name: z.string().nullable(),
  /** Masked even for the owner: the full number is never sent back once stored. */
  idNumberMasked: z.string().nullable(),
  preferences: Preferences,
  wechatBound: z.boolean(),
  vehicles: z.array(Vehicle),
  createdAt: z.string(),
})
export type CitizenProfile = z.infer<typeof CitizenProfile>

export const ProfileUpdate = z.strictObject({
  name: PersonName.nullable().optional(),
  idNumber: IdCardNumber.nullable().optional(),
  preferences: Preferences.optional(),
})
export type ProfileUpdate = z.infer<typeof ProfileUpdate>

export const AccountDelete = z.strictObject({
  /** The citizen types this word to confirm. */
  confirm: z.literal('DELETE'),
})

// ---------------------------------------------------------------- staff administration

export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z0-9_.-]{2,31}$/, '3–32 letters, digits, _ . -, starting with a letter')

export const StaffMember = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string(),
  role: StaffRole,
  unit: Unit,
  active: z.boolean(),
  onDuty: z.boolean(),
  mustChangePassword: z.boolean(),
  lockedUntil: z.string().nullable(),
  createdAt: z.string(),
})
export type StaffMember = z.infer<typeof StaffMember>

export const StaffCreate = z.strictObject({
  username: Username,
  name: PersonName,
  role: StaffRole,
  unitId: z.uuid(),
  onDuty: z.boolean().optional(),
})
export type StaffCreate = z.infer<typeof StaffCreate>

export const StaffUpdate = z.strictObject({
  name: PersonName.optional(),
  role: StaffRole.optional(),
  unitId: z.uuid().optional(),
  active: z.boolean().optional(),
  onDuty: z.boolean().optional(),
})
export type StaffUpdate = z.infer<typeof StaffUpdate>

/** A one-time password shown once to the admin; the staff member must change it at first sign-in. */
export const StaffWithPassword = z.object({ staff: StaffMember, temporaryPassword: z.string() })

export const StaffQuery = z.object({
  unitId: z.uuid().optional(),
  role: StaffRole.optional(),
  active: z.enum(['true', 'false']).optional(),
  q: z.string().trim().max(40).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
})

export const DutyUpdate = z.strictObject({ onDuty: z.boolean() })

// ---------------------------------------------------------------- citizens as staff see them

export const CitizenListItem = z.object({
  id: z.string(),
  phoneMasked: z.string(),
  nameMasked: z.string(),
  idNumberMasked: z.string(),
  vehicleCount: z.number().int(),
  deleted: z.boolean(),
  createdAt: z.string(),
})
export type CitizenListItem = z.infer<typeof CitizenListItem>

export const CitizenQuery = z.object({
  /** An exact mobile number or plate number; lists never browse everyone. */
  q: z.string().trim().min(1).max(32),
})

export const CitizenDetail = z.object({
  id: z.string(),
  phone: z.string().nullable(),
  name: z.string().nullable(),
  idNumber: z.string().nullable(),
  vehicles: z.array(Vehicle),
  deleted: z.boolean(),
  createdAt: z.string(),
})
export type CitizenDetail = z.infer<typeof CitizenDetail>

// ---------------------------------------------------------------- audit log

export const AuditRow = z.object({
  id: z.string(),
  at: z.string(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  /** Username (staff) or masked phone (citizen), when known. */
  actorLabel: z.string().nullable(),
  actorRole: z.string(),
  unitId: z.string().nullable(),
  unitName: z.string().nullable(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  action: z.string(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  ip: z.string().nullable(),
})
export type AuditRow = z.infer<typeof AuditRow>

export const AuditQuery = z
  .object({
    /** Staff username, or an actor id. */
    actor: z.string().trim().max(64).optional(),
    action: z.string().trim().max(64).optional(),
    entityType: z.string().trim().max(40).optional(),
    entityId: z.string().trim().max(64).optional(),
    unitId: z.uuid().optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z
      .string()
      .regex(/^\d{1,18}$/)
      .optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { message: '`from` must not be after `to`', path: ['to'] })
export type AuditQuery = z.infer<typeof AuditQuery>
