import type { Ctx } from './context'
import { auditLog } from './platform.tables'

export interface AuditEntry {
  entityType: string
  entityId?: string | null
  /** e.g. 'report.dispatch', 'citizen.view_personal_data', 'auth.sign_in', 'export.xlsx' */
  action: string
  /** Mask personal data before passing it here. */
  before?: unknown
  after?: unknown
  /** The unit the entity belongs to, so unit heads can search their own. */
  unitId?: string | null
}

/** The audit row of an entry: who (the actor, their unit by default), what, and from which request. */
export function auditRow(ctx: Ctx, entry: AuditEntry) {
  const a = ctx.actor
  return {
    actorType: a.kind,
    actorId: a.kind === 'citizen' || a.kind === 'staff' ? a.id : null,
    actorRole: a.role,
    unitId: entry.unitId ?? (a.kind === 'staff' ? a.unitId : null),
    entityType: entry.entityType,
    entityId: entry.entityId ?? null,
    action: entry.action,
    before: entry.before ?? null,
    after: entry.after ?? null,
    requestId: ctx.requestId,
    ip: ctx.ip || null,
  }
}

/** Appends to the audit log inside the caller's transaction: the change and its record commit together. */
export async function audit(ctx: Ctx, entry: AuditEntry): Promise<void> {
  await ctx.db.insert(auditLog).values(auditRow(ctx, entry))
}
