import { z } from 'zod'
import { MobilePhone } from './phone'
import { StaffRole, UnitKind } from './roles'

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
export const PasswordChange = z.strictObject({
  currentPassword: z.string().min(1).max(200),
  newPassword: z.string().min(8, 'At least 8 characters').max(200),
})

export const Unit = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  name: z.string(),
  kind: UnitKind,
})
export type Unit = z.infer<typeof Unit>

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
    csrfToken: z.string(),
  }),
])
export type Me = z.infer<typeof Me>
