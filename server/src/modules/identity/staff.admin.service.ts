import type { StaffCreate, StaffMember, StaffRole, StaffUpdate } from '@tp/shared'
import { and, asc, count, eq, ilike, inArray, or, type SQL } from 'drizzle-orm'
import { inUnitScope } from '../../platform/access'
import { audit } from '../../platform/audit'
import { type Ctx, requireStaff, withDb } from '../../platform/context'
import { conflict, forbidden, notFound } from '../../platform/errors'
import { staff, units } from './identity.tables'
import { sessionsChanged } from './session-cache'
import { revokeAllSessions } from './sessions'
import { hashPassword, temporaryPassword } from './staff.service'

type StaffRow = typeof staff.$inferSelect
type UnitRow = typeof units.$inferSelect

export function toStaffMember(s: StaffRow, u: Pick<UnitRow, 'id' | 'parentId' | 'name' | 'kind'>, now: Date): StaffMember {
  return {
    id: s.id,
    username: s.username,
    name: s.name,
    role: s.role,
    unit: { id: u.id, parentId: u.parentId, name: u.name, kind: u.kind },
    active: s.active,
    onDuty: s.onDuty,
    mustChangePassword: s.mustChangePassword,
    lockedUntil: s.lockedUntil && s.lockedUntil > now ? s.lockedUntil.toISOString() : null,
    createdAt: s.createdAt.toISOString(),
  }
}

/** What the audit log keeps of a staff record (no password hash). */
const auditView = (s: StaffRow) => ({ username: s.username, name: s.name, role: s.role, unitId: s.unitId, active: s.active, onDuty: s.onDuty })

export interface StaffFilter {
  unitId?: string
  role?: StaffRole
  active?: 'true' | 'false'
  q?: string
  page: number
  pageSize: number
}

/** Staff in the caller's unit subtree (admins and unit heads), filtered and paged. */
export async function listStaff(ctx: Ctx, f: StaffFilter) {
  const actor = requireStaff(ctx.actor)
  if (f.unitId && !inUnitScope(actor, f.unitId)) return { items: [], total: 0 }
  const where: (SQL | undefined)[] = [
    f.unitId ? eq(staff.unitId, f.unitId) : inArray(staff.unitId, [...actor.unitScope]),
    f.role ? eq(staff.role, f.role) : undefined,
    f.active ? eq(staff.active, f.active === 'true') : undefined,
  ]
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`
    where.push(or(ilike(staff.username, like), ilike(staff.name, like)))
  }
  const cond = and(...where)
  const [rows, [total]] = await Promise.all([
    ctx.db
      .select({ s: staff, u: units })
      .from(staff)
      .innerJoin(units, eq(units.id, staff.unitId))
      .where(cond)
      .orderBy(asc(units.path), asc(staff.username))
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize),
    ctx.db.select({ n: count() }).from(staff).where(cond),
  ])
  const now = ctx.now()
  return { items: rows.map((r) => toStaffMember(r.s, r.u, now)), total: total?.n ?? 0 }
}

/** Load-or-404 within the caller's scope. */
async function loadStaff(ctx: Ctx, id: string) {
  const actor = requireStaff(ctx.actor)
  const [row] = await ctx.db.select({ s: staff, u: units }).from(staff).innerJoin(units, eq(units.id, staff.unitId)).where(eq(staff.id, id))
  if (!row || !inUnitScope(actor, row.s.unitId)) throw notFound('Staff member')
  return row
}

export async function getStaff(ctx: Ctx, id: string): Promise<StaffMember> {
  const row = await loadStaff(ctx, id)
  return toStaffMember(row.s, row.u, ctx.now())
}

async function loadUnitInScope(ctx: Ctx, unitId: string): Promise<UnitRow> {
  const actor = requireStaff(ctx.actor)
  const [unit] = await ctx.db.select().from(units).where(eq(units.id, unitId))
  if (!unit || !inUnitScope(actor, unit.id)) throw notFound('Unit')
  return unit
}

/** Creates a staff member with a one-time password they must change at first sign-in. */
export async function createStaff(ctx: Ctx, input: StaffCreate): Promise<{ staff: StaffMember; temporaryPassword: string }> {
  const unit = await loadUnitInScope(ctx, input.unitId)
  const password = temporaryPassword()
  const passwordHash = await hashPassword(password)
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(staff)
      .values({
        username: input.username,
        name: input.name,
        role: input.role,
        unitId: unit.id,
        onDuty: input.onDuty ?? false,
        passwordHash,
        mustChangePassword: true,
      })
      .onConflictDoNothing({ target: staff.username })
      .returning()
    if (!row) throw conflict('username_taken', 'This username is already taken')
    await audit(withDb(ctx, tx), { entityType: 'staff', entityId: row.id, action: 'staff.created', after: auditView(row), unitId: row.unitId })
    return { staff: toStaffMember(row, unit, ctx.now()), temporaryPassword: password }
  })
}

/**
 * Admins change name, role, unit, active and on-duty; unit heads may only set on-duty. Nobody
 * deactivates themselves or changes their own role (no locking the last admin out by accident).
 * Deactivation ends every session of the account at once.
 */
export async function updateStaff(ctx: Ctx, id: string, patch: StaffUpdate): Promise<StaffMember> {
  const actor = requireStaff(ctx.actor)
  const current = await loadStaff(ctx, id)
  const adminOnly = patch.name !== undefined || patch.role !== undefined || patch.unitId !== undefined || patch.active !== undefined
  if (adminOnly && actor.role !== 'admin') throw forbidden('Only an administrator can change this')
  if (id === actor.id && ((patch.role && patch.role !== current.s.role) || patch.active === false || (patch.unitId && patch.unitId !== current.s.unitId))) {
    throw conflict('cannot_change_self', 'You cannot change your own role, unit or active state')
  }
  const unit = patch.unitId ? await loadUnitInScope(ctx, patch.unitId) : current.u
  const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as StaffUpdate
  // An empty PATCH changes nothing: the member as they are, nothing audited.
  if (Object.keys(changes).length === 0) return toStaffMember(current.s, unit, ctx.now())
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.update(staff).set(changes).where(eq(staff.id, id)).returning()
    if (!row) throw notFound('Staff member')
    const t = withDb(ctx, tx)
    if (current.s.active && !row.active) await revokeAllSessions(t, 'staff', id)
    // Role, unit and name are part of every request's actor: sessions pick the change up at once.
    else if (adminOnly) sessionsChanged(t, { subjectType: 'staff', subjectId: id })
    const action =
      patch.active === false && current.s.active
        ? 'staff.deactivated'
        : patch.active === true && !current.s.active
          ? 'staff.activated'
          : adminOnly
            ? 'staff.updated'
            : 'staff.duty_changed'
    await audit(t, { entityType: 'staff', entityId: id, action, before: auditView(current.s), after: auditView(row), unitId: row.unitId })
    return toStaffMember(row, unit, ctx.now())
  })
}

/** Admin reset: a new one-time password, the lock cleared, every session ended, change forced. */
export async function resetStaffPassword(ctx: Ctx, id: string): Promise<{ staff: StaffMember; temporaryPassword: string }> {
  const current = await loadStaff(ctx, id)
  const password = temporaryPassword()
  const passwordHash = await hashPassword(password)
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.update(staff).set({ passwordHash, mustChangePassword: true, failedLogins: 0, lockedUntil: null }).where(eq(staff.id, id)).returning()
    if (!row) throw notFound('Staff member')
    await revokeAllSessions(withDb(ctx, tx), 'staff', id)
    await audit(withDb(ctx, tx), { entityType: 'staff', entityId: id, action: 'staff.password_reset', unitId: row.unitId })
    return { staff: toStaffMember(row, current.u, ctx.now()), temporaryPassword: password }
  })
}

/** A staff member marks themselves on or off duty (dispatch sends road reports to officers on duty). */
export async function setOwnDuty(ctx: Ctx, onDuty: boolean): Promise<StaffMember> {
  const actor = requireStaff(ctx.actor)
  return ctx.db.transaction(async (tx) => {
    const [before] = await tx.select({ onDuty: staff.onDuty }).from(staff).where(eq(staff.id, actor.id))
    const [row] = await tx.update(staff).set({ onDuty }).where(eq(staff.id, actor.id)).returning()
    const [unit] = await tx.select().from(units).where(eq(units.id, actor.unitId))
    if (!row || !unit) throw notFound('Staff member')
    await audit(withDb(ctx, tx), { entityType: 'staff', entityId: actor.id, action: 'staff.duty_changed', before, after: { onDuty } })
    return toStaffMember(row, unit, ctx.now())
  })
}
