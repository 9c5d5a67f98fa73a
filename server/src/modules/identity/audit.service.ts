import { type AuditQuery, type AuditRow, maskPersonalData, maskPhone, normalisePhone, PHONE_RE } from '@tp/shared'
import { and, desc, eq, gte, inArray, isNull, lt, lte, or, type SQL, sql } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import { type Ctx, requireStaff } from '../../platform/context'
import { auditLog } from '../../platform/platform.tables'
import { citizens, staff, units } from './identity.tables'
import { coversWholeOrganisation } from './units'

export const AUDIT_EXPORT_MAX_ROWS = 10_000
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

type Filter = Omit<AuditQuery, 'limit' | 'cursor'>

/**
 * The search conditions: the filters plus the caller's scope. Everyone sees the rows of their unit
 * subtree; an admin whose scope is the whole organisation also sees rows that belong to no unit
 * (citizen sign-ins and profile changes, system jobs).
 */
async function conditions(ctx: Ctx, f: Filter): Promise<SQL | null> {
  const actor = requireStaff(ctx.actor)
  const scope = [...actor.unitScope]
  const unitless = actor.role === 'admin' && (await coversWholeOrganisation(ctx))
  const where: (SQL | undefined)[] = [unitless ? or(inArray(auditLog.unitId, scope), isNull(auditLog.unitId)) : inArray(auditLog.unitId, scope)]
  if (f.unitId) where.push(eq(auditLog.unitId, f.unitId))
  if (f.action)
    where.push(f.action.endsWith('*') ? sql`${auditLog.action} like ${`${f.action.slice(0, -1).replace(/[\\%_]/g, '\\$&')}%`}` : eq(auditLog.action, f.action))
  if (f.entityType) where.push(eq(auditLog.entityType, f.entityType))
  if (f.entityId) where.push(eq(auditLog.entityId, f.entityId))
  if (f.from) where.push(gte(auditLog.at, new Date(f.from)))
  if (f.to) where.push(lte(auditLog.at, new Date(f.to)))
  if (f.actor) {
    let actorId: string | undefined
    const phone = normalisePhone(f.actor)
    if (UUID_RE.test(f.actor)) actorId = f.actor.toLowerCase()
    else if (PHONE_RE.test(phone)) actorId = (await ctx.db.select({ id: citizens.id }).from(citizens).where(eq(citizens.phone, phone)))[0]?.id
    else actorId = (await ctx.db.select({ id: staff.id }).from(staff).where(eq(staff.username, f.actor.toLowerCase())))[0]?.id
    if (!actorId) return null
    where.push(eq(auditLog.actorId, actorId))
  }
  return and(...where) ?? null
}

async function select(ctx: Ctx, where: SQL, limit: number, beforeId?: number) {
  const rows = await ctx.db
    .select({
      a: auditLog,
      username: staff.username,
      citizenPhone: citizens.phone,
      unitName: units.name,
    })
    .from(auditLog)
    .leftJoin(staff, and(eq(auditLog.actorType, 'staff'), sql`${staff.id}::text = ${auditLog.actorId}`))
    .leftJoin(citizens, and(eq(auditLog.actorType, 'citizen'), sql`${citizens.id}::text = ${auditLog.actorId}`))
    .leftJoin(units, eq(units.id, auditLog.unitId))
    .where(beforeId ? and(where, lt(auditLog.id, beforeId)) : where)
    .orderBy(desc(auditLog.id))
    .limit(limit)
  return rows.map(
    (r): AuditRow => ({
      id: String(r.a.id),
      at: r.a.at.toISOString(),
      actorType: r.a.actorType,
      actorId: r.a.actorId,
      actorLabel: r.username ?? (r.citizenPhone ? maskPhone(r.citizenPhone) : null),
      actorRole: r.a.actorRole,
      unitId: r.a.unitId,
      unitName: r.unitName,
      entityType: r.a.entityType,
      entityId: r.a.entityId,
      action: r.a.action,
      // Callers mask before writing; this is the second line of defence.
      before: maskPersonalData(r.a.before) ?? null,
      after: maskPersonalData(r.a.after) ?? null,
      ip: r.a.ip,
    }),
  )
}

/** Newest first, keyset-paged by id (ids only grow). */
export async function searchAudit(ctx: Ctx, q: AuditQuery): Promise<{ items: AuditRow[]; nextCursor: string | null }> {
  const where = await conditions(ctx, q)
  if (!where) return { items: [], nextCursor: null }
  const rows = await select(ctx, where, q.limit + 1, q.cursor ? Number(q.cursor) : undefined)
  const items = rows.slice(0, q.limit)
  return { items, nextCursor: rows.length > q.limit ? (items[items.length - 1]?.id ?? null) : null }
}

const json = (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v))

/** The search as an XLSX workbook (at most 10 000 rows); the export itself is audited. */
export async function exportAudit(ctx: Ctx, f: Filter): Promise<{ buffer: Buffer; rows: number; truncated: boolean }> {
  const where = await conditions(ctx, f)
  const rows = where ? await select(ctx, where, AUDIT_EXPORT_MAX_ROWS + 1) : []
  const truncated = rows.length > AUDIT_EXPORT_MAX_ROWS
  const kept = rows.slice(0, AUDIT_EXPORT_MAX_ROWS)
  const { default: ExcelJS } = await import('exceljs')
  const wb = new ExcelJS.Workbook()
  wb.creator = 'traffic-portal'
  const ws = wb.addWorksheet('audit')
  ws.columns = [
    { header: 'ID', key: 'id', width: 10 },
    { header: '时间 Time', key: 'at', width: 26 },
    { header: '操作人 Actor', key: 'actorLabel', width: 18 },
    { header: '角色 Role', key: 'actorRole', width: 14 },
    { header: '单位 Unit', key: 'unitName', width: 20 },
    { header: '操作 Action', key: 'action', width: 28 },
    { header: '对象类型 Entity', key: 'entityType', width: 14 },
    { header: '对象 ID', key: 'entityId', width: 38 },
    { header: '变更前 Before', key: 'before', width: 40 },
    { header: '变更后 After', key: 'after', width: 40 },
    { header: 'IP', key: 'ip', width: 16 },
  ]
  ws.getRow(1).font = { bold: true }
  for (const r of kept) ws.addRow({ ...r, actorLabel: r.actorLabel ?? r.actorType, before: json(r.before), after: json(r.after) })
  const buffer = Buffer.from(await wb.xlsx.writeBuffer())
  await audit(ctx, { entityType: 'audit_log', action: 'audit.exported', after: { filters: maskPersonalData(f), rows: kept.length, truncated } })
  return { buffer, rows: kept.length, truncated }
}
