import { isOverdue, type ReportSummary } from '@tp/shared/reports/index'
import { eq, getTableColumns, type SQL, sql } from 'drizzle-orm'
import { alias, type SelectedFields } from 'drizzle-orm/pg-core'
import type { Db } from '../../platform/db'
import { staff, units } from '../identity/identity.tables'
import { grids, reports } from './reports.tables'

export type ReportRow = typeof reports.$inferSelect

const officer = alias(staff, 'report_officer')

/** Report columns with the names lists show (grid, unit, officer); add where/order/limit. */
function withNames<F extends SelectedFields>(db: Db, columns: F) {
  return db
    .select({ ...columns, gridName: grids.name, unitName: units.name, officerName: officer.name })
    .from(reports)
    .leftJoin(grids, eq(grids.id, reports.gridId))
    .leftJoin(units, eq(units.id, reports.unitId))
    .leftJoin(officer, eq(officer.id, reports.officerId))
}

/** Whole reports with their names: for a detail view. */
export const selectReports = (db: Db) => withNames(db, getTableColumns(reports))

/** Only what a list row (`toSummary`) shows: list views read a page of these, not whole reports. */
export const selectSummaries = (db: Db) =>
  withNames(db, {
    id: reports.id,
    number: reports.number,
    kind: reports.kind,
    state: reports.state,
    stateType: reports.stateType,
    address: reports.address,
    roadName: reports.roadName,
    lat: reports.lat,
    lng: reports.lng,
    plate: reports.plate,
    meTooCount: reports.meTooCount,
    thumbFileId: reports.thumbFileId,
    createdAt: reports.createdAt,
    updatedAt: reports.updatedAt,
    dueAt: reports.dueAt,
    dueReason: reports.dueReason,
  })

export type ReportJoined = Awaited<ReturnType<typeof selectReports>>[number]
export type SummaryRow = Awaited<ReturnType<typeof selectSummaries>>[number]

export const fileUrl = (id: string) => `/api/reports/files/${id}`
export const thumbUrl = (id: string) => `/api/reports/files/${id}/thumb`
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null)

/** The list row; `plate` only for staff and the reporter (public views never call this). */
export function toSummary(r: SummaryRow, now: Date, opts: { showPlate: boolean } = { showPlate: true }): ReportSummary {
  return {
    id: r.id,
    number: r.number,
    kind: r.kind,
    state: r.state,
    stateType: r.stateType,
    address: r.address,
    roadName: r.roadName,
    lat: r.lat,
    lng: r.lng,
    plate: opts.showPlate ? r.plate : null,
    gridName: r.gridName,
    unitName: r.unitName,
    officerName: r.officerName,
    meTooCount: r.meTooCount,
    thumbUrl: r.thumbFileId ? thumbUrl(r.thumbFileId) : null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    dueAt: iso(r.dueAt),
    dueReason: r.dueReason,
    overdue: r.stateType === 'open' && isOverdue(r.dueAt ? { reason: 'accepted', dueAt: r.dueAt } : null, now),
  }
}

export { iso }

/** Rows of a raw query on either driver (PGlite answers { rows }, postgres.js an array). */
export async function execRows<T>(db: Db, query: SQL): Promise<T[]> {
  const res = await db.execute(query)
  return (Array.isArray(res) ? res : (res as unknown as { rows: T[] }).rows) as T[]
}

/** A timestamp inside a raw sql`` fragment: postgres.js cannot bind a bare Date there, so send ISO text with a cast. */
export const tsParam = (d: Date) => sql`${d.toISOString()}::timestamptz`
