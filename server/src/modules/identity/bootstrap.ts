import { StaffPassword, Username } from '@tp/shared'
import { and, eq, isNull } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import { type AppDeps, systemCtx } from '../../platform/context'
import { staff, units } from './identity.tables'
import { hashPassword } from './staff.service'
import { createUnit } from './units'

export interface FirstAdmin {
  username: string
  name: string
  /** The root unit (支队); created when the database has no units yet. */
  unitName: string
  password: string
}

export class BootstrapError extends Error {}

/**
 * Production bootstrap: creates the first administrator (and the root unit, on an empty
 * database). Refuses when an active administrator already exists — from then on admins are
 * managed in the console. Nothing else is seeded.
 */
export async function createFirstAdmin(deps: AppDeps, input: FirstAdmin) {
  const username = Username.safeParse(input.username)
  if (!username.success) throw new BootstrapError(`Invalid username: ${username.error.issues[0]?.message}`)
  const password = StaffPassword.safeParse(input.password)
  if (!password.success || input.password.length < 12) throw new BootstrapError('The password needs at least 12 characters with letters and digits')
  const unitName = input.unitName.trim()
  if (unitName.length < 2) throw new BootstrapError('Give the root unit its name, e.g. --unit "某市公安局交通警察支队"')
  const passwordHash = await hashPassword(input.password)

  return deps.database.db.transaction(async (tx) => {
    const ctx = systemCtx(deps, tx)
    const [existing] = await tx
      .select({ id: staff.id })
      .from(staff)
      .where(and(eq(staff.role, 'admin'), eq(staff.active, true)))
      .limit(1)
    if (existing) throw new BootstrapError('An administrator already exists; create further staff in the console (系统管理 → 人员)')
    let [unit] = await tx
      .select()
      .from(units)
      .where(and(eq(units.name, unitName), isNull(units.parentId)))
    if (!unit) {
      const [any] = await tx.select({ id: units.id }).from(units).where(isNull(units.parentId)).limit(1)
      if (any) throw new BootstrapError(`No root unit is named "${unitName}"`)
      unit = await createUnit(tx, { name: unitName, kind: 'detachment', parentId: null })
      await audit(ctx, { entityType: 'unit', entityId: unit.id, action: 'unit.created', after: { name: unit.name, kind: unit.kind }, unitId: unit.id })
    }
    const [row] = await tx
      .insert(staff)
      .values({ username: username.data, name: input.name.trim() || '系统管理员', role: 'admin', unitId: unit.id, passwordHash })
      .onConflictDoNothing({ target: staff.username })
      .returning()
    if (!row) throw new BootstrapError(`The username "${username.data}" is taken`)
    await audit(ctx, {
      entityType: 'staff',
      entityId: row.id,
      action: 'staff.created',
      after: { username: row.username, role: 'admin', via: 'admin:create' },
      unitId: unit.id,
    })
    return { id: row.id, username: row.username, unit: { id: unit.id, name: unit.name } }
  })
}
