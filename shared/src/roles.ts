import { z } from 'zod'

export const StaffRole = z.enum(['dispatcher', 'legal_officer', 'window_staff', 'unit_head', 'admin'])
export type StaffRole = z.infer<typeof StaffRole>
export const STAFF_ROLES = StaffRole.options

/** Organisation tree levels: 支队 → 大队 → 中队 / 警务站 / 车管所. */
export const UnitKind = z.enum(['detachment', 'brigade', 'squadron', 'station', 'vehicle_office'])
export type UnitKind = z.infer<typeof UnitKind>

/** Who a transition or route is for; `citizen` is the member of the public. */
export const ActorRole = z.enum(['citizen', ...StaffRole.options, 'system'])
export type ActorRole = z.infer<typeof ActorRole>
