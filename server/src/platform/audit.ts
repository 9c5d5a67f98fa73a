import { sql } from 'drizzle-orm'
import type { Ctx } from './context'
import { auditLog } from './platform.tables'
import { jsonParam, jsonText, prepared } from './prepared'

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
  const row = auditRow(ctx, entry)
  await auditInsert(ctx.db).execute({ ...row, before: jsonText(row.before), after: jsonText(row.after) })
}

// Every state change writes one: prepared (platform/prepared.ts).
const auditInsert = prepared((db) =>
  db
    .insert(auditLog)
    .values({
      actorType: sql.placeholder('actorType'),
      actorId: sql.placeholder('actorId'),
      actorRole: sql.placeholder('actorRole'),
      unitId: sql.placeholder('unitId'),
      entityType: sql.placeholder('entityType'),
      entityId: sql.placeholder('entityId'),
      action: sql.placeholder('action'),
      before: jsonParam('before'),
      after: jsonParam('after'),
      requestId: sql.placeholder('requestId'),
      ip: sql.placeholder('ip'),
    })
    .prepare('audit_insert'),
)
