import { type ImportResult, type ImportRowError, TicketImportRow } from '@tp/shared/appeals/schemas'
import { inArray } from 'drizzle-orm'
import type ExcelJS from 'exceljs'
import { audit } from '../../platform/audit'
import { type Ctx, withDb } from '../../platform/context'
import { AppError, conflict } from '../../platform/errors'
import { units } from '../identity/identity.tables'
import { apiKeyOf } from './api-keys'
import { ticketImports, tickets } from './appeals.tables'

/** Most rows one import may carry (files and API batches alike). */
export const MAX_IMPORT_ROWS = 5000

type Field = keyof TicketImportRow

/** Column headings accepted in CSV/XLSX files: the Chinese ones of the template, or the API's field names. */
export const COLUMNS: { field: Field; heading: string; aliases: string[]; required: boolean; example: string }[] = [
  { field: 'decisionNo', heading: '处罚决定书编号', aliases: ['决定书编号', 'decisionno'], required: true, example: '5101041000012345' },
  { field: 'plate', heading: '号牌号码', aliases: ['车牌号', '车牌号码', 'plate'], required: true, example: '川A12345' },
  { field: 'occurredAt', heading: '违法时间', aliases: ['occurredat'], required: true, example: '2026-03-01 08:30' },
  { field: 'place', heading: '违法地点', aliases: ['place'], required: true, example: '人民南路与锦江大道交叉口' },
  { field: 'violationCode', heading: '违法代码', aliases: ['violationcode'], required: true, example: '16250' },
  { field: 'violationDesc', heading: '违法行为', aliases: ['违法内容', 'violationdesc'], required: true, example: '驾驶机动车违反道路交通信号灯通行' },
  { field: 'fineYuan', heading: '罚款金额', aliases: ['罚款金额（元）', '罚款金额(元)', '罚款', 'fineyuan'], required: true, example: '200' },
  { field: 'points', heading: '记分', aliases: ['points'], required: true, example: '6' },
  { field: 'unit', heading: '处罚机关', aliases: ['处理单位', '执法单位', 'unit'], required: true, example: '城区一大队' },
  { field: 'occurredUnit', heading: '违法地管辖单位', aliases: ['违法发生地单位', 'occurredunit'], required: false, example: '城区一大队' },
  { field: 'vinLast6', heading: '车辆识别代号后六位', aliases: ['车架号后六位', 'vinlast6'], required: false, example: 'A12345' },
  { field: 'officerName', heading: '民警姓名', aliases: ['执勤民警', 'officername'], required: true, example: '张路警' },
  { field: 'officerNo', heading: '警号', aliases: ['officerno'], required: true, example: '012345' },
  { field: 'recordedBy', heading: '采集方式', aliases: ['recordedby'], required: true, example: '电子监控' },
  { field: 'evidenceRef', heading: '证据编号', aliases: ['evidenceref'], required: false, example: 'CAM-0211-20260301-0830-017' },
]

const norm = (h: string) =>
  h
    .replace(/^\uFEFF/, '')
    .replace(/\s+/g, '')
    .toLowerCase()
const HEADING_TO_FIELD = new Map<string, Field>(COLUMNS.flatMap((c) => [c.heading, ...c.aliases].map((h) => [norm(h), c.field] as const)))

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF, a leading BOM. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  const s = text.replace(/^\uFEFF/, '')
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else field += ch
    } else if (ch === '"' && field === '') quoted = true
    else if (ch === ',') {
      row.push(field)
      field = ''
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += ch
  }
  if (field !== '' || row.length > 0) {
    row.push(field)
    rows.push(row)
  }
  return rows
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Date) {
    // Excel stores wall-clock times; exceljs hands them over as UTC fields: read them back as such.
    return v.toISOString().slice(0, 19).replace('T', ' ')
  }
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('')
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue)
    if ('text' in v) return String(v.text)
    if ('error' in v) return ''
    return ''
  }
  return String(v)
}

/** The first worksheet as text rows. */
export async function readXlsx(bytes: Uint8Array): Promise<string[][]> {
  const { default: ExcelJS } = await import('exceljs')
  const wb = new ExcelJS.Workbook()
  try {
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer)
  } catch {
    throw new AppError(415, 'unreadable_file', 'The file could not be read as an Excel workbook (.xlsx)')
  }
  const ws = wb.worksheets[0]
  if (!ws) return []
  const rows: string[][] = []
  ws.eachRow({ includeEmpty: true }, (row, n) => {
    const values = row.values as ExcelJS.CellValue[]
    const out: string[] = []
    for (let i = 1; i < values.length; i++) out.push(cellText(values[i] ?? null))
    rows[n - 1] = out
  })
  for (let i = 0; i < rows.length; i++) rows[i] ??= []
  return rows
}

export interface TableRecords {
  records: { row: number; data: Record<string, string> }[]
  errors: ImportRowError[]
}

/** Header row → field names; blank lines skipped; row numbers as the user sees them (header = 1). */
export function recordsFromTable(table: string[][]): TableRecords {
  const errors: ImportRowError[] = []
  const header = table[0] ?? []
  const fields = header.map((h) => HEADING_TO_FIELD.get(norm(h)) ?? null)
  for (const c of COLUMNS) {
    if (c.required && !fields.includes(c.field)) errors.push({ row: 1, field: c.field, message: `Missing column “${c.heading}”` })
  }
  header.forEach((h, i) => {
    if (h.trim() && fields[i] === null) errors.push({ row: 1, field: h.trim(), message: `Unknown column “${h.trim()}”` })
  })
  const records: TableRecords['records'] = []
  for (let i = 1; i < table.length; i++) {
    const cells = table[i] ?? []
    if (cells.every((c) => c.trim() === '')) continue
    const data: Record<string, string> = {}
    fields.forEach((f, j) => {
      if (f && cells[j] !== undefined && cells[j].trim() !== '') data[f] = cells[j]
    })
    records.push({ row: i + 1, data })
  }
  return { records, errors }
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/
const LOCAL_RE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/

/** ISO 8601 with an offset, or a China wall-clock time 'YYYY-MM-DD HH:mm[:ss]' (also with slashes). */
export function parseChinaDateTime(s: string): Date | null {
  const t = s.trim()
  if (ISO_RE.test(t)) {
    const d = new Date(t)
    return Number.isNaN(d.getTime()) ? null : d
  }
  const m = LOCAL_RE.exec(t)
  if (!m) return null
  const [y, mo, d, h, mi, se] = m.slice(1).map((x) => Number(x ?? 0)) as number[]
  const utc = Date.UTC(y!, mo! - 1, d!, h!, mi!, se!)
  const check = new Date(utc)
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo! - 1 || check.getUTCDate() !== d || h! > 23) return null
  return new Date(utc - 8 * 3600_000)
}

export interface ValidTicket {
  row: number
  decisionNo: string
  plate: string
  occurredAt: Date
  place: string
  violationCode: string
  violationDesc: string
  fineYuan: number
  points: number
  unitId: string
  occurredUnitId: string | null
  vinLast6: string | null
  officerName: string
  officerNo: string
  recordedBy: 'camera' | 'onsite'
  evidenceRef: string | null
}

/** Checks every row; collects every problem rather than stopping at the first. */
export async function validateRecords(
  ctx: Ctx,
  records: { row: number; data: Record<string, unknown> }[],
): Promise<{ valid: ValidTicket[]; errors: ImportRowError[] }> {
  const errors: ImportRowError[] = []
  const valid: ValidTicket[] = []
  const allUnits = await ctx.db.select({ id: units.id, name: units.name }).from(units)
  const byId = new Map(allUnits.map((u) => [u.id, u]))
  const byName = new Map<string, string[]>()
  for (const u of allUnits) byName.set(u.name, [...(byName.get(u.name) ?? []), u.id])
  const scope = ctx.actor.kind === 'staff' ? new Set(ctx.actor.unitScope) : null
  const seen = new Map<string, number>()
  const now = ctx.now().getTime()

  const checkTime = (raw: unknown, row: number): { at: Date | null; error: ImportRowError | null } => {
    const at = typeof raw === 'string' ? parseChinaDateTime(raw) : null
    if (!at) return { at, error: { row, field: 'occurredAt', message: 'Use YYYY-MM-DD HH:mm (China time) or ISO 8601 with an offset' } }
    if (at.getTime() > now + 5 * 60_000) return { at, error: { row, field: 'occurredAt', message: 'The time is in the future' } }
    if (at.getUTCFullYear() < 2000) return { at, error: { row, field: 'occurredAt', message: 'The time is before 2000' } }
    return { at, error: null }
  }

  for (const { row, data } of records) {
    const parsed = TicketImportRow.safeParse(data)
    const rowErrors: ImportRowError[] = []
    const time = checkTime(data.occurredAt, row)
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.code === 'unrecognized_keys' ? issue.keys.join(',') : String(issue.path[0] ?? '')
        rowErrors.push({ row, field, message: issue.code === 'unrecognized_keys' ? 'Unknown field' : issue.message })
      }
      if (time.error && !rowErrors.some((e) => e.field === 'occurredAt')) rowErrors.push(time.error)
      errors.push(...rowErrors)
      continue
    }
    const r = parsed.data
    const occurredAt = time.at
    if (time.error) rowErrors.push(time.error)
    const unitOf = (ref: string, field: string): string | undefined => {
      if (byId.has(ref)) return ref
      const ids = byName.get(ref) ?? []
      if (ids.length === 1) return ids[0]
      rowErrors.push({ row, field, message: ids.length > 1 ? 'Several units have this name; use the unit id' : `No unit “${ref}”` })
      return undefined
    }
    const unitId = unitOf(r.unit, 'unit')
    if (unitId && scope && !scope.has(unitId)) rowErrors.push({ row, field: 'unit', message: 'This unit is outside your scope' })
    // Where it happened may be outside the importer's scope (another brigade's road): any unit.
    const occurredUnitId = r.occurredUnit ? unitOf(r.occurredUnit, 'occurredUnit') : undefined
    const first = seen.get(r.decisionNo)
    if (first !== undefined) rowErrors.push({ row, field: 'decisionNo', message: `Same decision number as row ${first}` })
    else seen.set(r.decisionNo, row)
    if (rowErrors.length) {
      errors.push(...rowErrors)
      continue
    }
    valid.push({
      row,
      decisionNo: r.decisionNo,
      plate: r.plate,
      occurredAt: occurredAt as Date,
      place: r.place,
      violationCode: r.violationCode,
      violationDesc: r.violationDesc,
      fineYuan: r.fineYuan,
      points: r.points,
      unitId: unitId as string,
      occurredUnitId: occurredUnitId && occurredUnitId !== unitId ? occurredUnitId : null,
      vinLast6: r.vinLast6 ?? null,
      officerName: r.officerName,
      officerNo: r.officerNo.toUpperCase(),
      recordedBy: r.recordedBy,
      evidenceRef: r.evidenceRef ?? null,
    })
  }
  return { valid, errors }
}

type TicketRow = typeof tickets.$inferSelect

function differences(a: ValidTicket, b: TicketRow): string[] {
  const out: string[] = []
  if (a.plate !== b.plate) out.push('plate')
  if (a.occurredAt.getTime() !== b.occurredAt.getTime()) out.push('occurredAt')
  if (a.place !== b.place) out.push('place')
  if (a.violationCode !== b.violationCode) out.push('violationCode')
  if (a.violationDesc !== b.violationDesc) out.push('violationDesc')
  if (a.fineYuan !== b.fineYuan) out.push('fineYuan')
  if (a.points !== b.points) out.push('points')
  if (a.unitId !== b.unitId) out.push('unit')
  if (a.occurredUnitId !== b.occurredUnitId) out.push('occurredUnit')
  if (a.vinLast6 !== b.vinLast6) out.push('vinLast6')
  if (a.officerName !== b.officerName) out.push('officerName')
  if (a.officerNo !== b.officerNo) out.push('officerNo')
  if (a.recordedBy !== b.recordedBy) out.push('recordedBy')
  if ((a.evidenceRef ?? null) !== (b.evidenceRef ?? null)) out.push('evidenceRef')
  return out
}

export function importFailed(errors: ImportRowError[], total: number): AppError {
  const shown = errors.slice(0, 500)
  return new AppError(
    422,
    'import_invalid',
    `${errors.length} problem(s) found; nothing was imported`,
    shown.map((e) => ({ path: `rows.${e.row}.${e.field}`, message: e.message })),
    { rowErrors: shown, errorCount: errors.length, total },
  )
}

/**
 * All or nothing: every row is checked first; rows whose decision number already exists must be
 * identical (then they count as unchanged: re-sending a batch is harmless) or the import fails.
 */
export async function importTickets(
  ctx: Ctx,
  records: { row: number; data: Record<string, unknown> }[],
  opts: { source: 'csv' | 'xlsx' | 'api'; fileName?: string | null; dryRun?: boolean; request?: Request },
): Promise<ImportResult> {
  if (records.length === 0) throw importFailed([{ row: 1, field: '', message: 'The file has no data rows' }], 0)
  if (records.length > MAX_IMPORT_ROWS) throw importFailed([{ row: 1, field: '', message: `At most ${MAX_IMPORT_ROWS} rows per import` }], records.length)
  const { valid, errors } = await validateRecords(ctx, records)

  const run = async (db: Ctx['db']) => {
    const existing = new Map<string, TicketRow>()
    const numbers = valid.map((v) => v.decisionNo)
    for (let i = 0; i < numbers.length; i += 1000) {
      const rows = await db
        .select()
        .from(tickets)
        .where(inArray(tickets.decisionNo, numbers.slice(i, i + 1000)))
      for (const r of rows) existing.set(r.decisionNo, r)
    }
    const fresh: ValidTicket[] = []
    for (const v of valid) {
      const old = existing.get(v.decisionNo)
      if (!old) fresh.push(v)
      else {
        const diff = differences(v, old)
        if (diff.length) errors.push({ row: v.row, field: diff.join(','), message: 'This decision number is already registered with different data' })
      }
    }
    if (errors.length)
      throw importFailed(
        errors.sort((a, b) => a.row - b.row),
        records.length,
      )
    return { fresh, unchanged: valid.length - fresh.length }
  }

  if (opts.dryRun) {
    const { fresh, unchanged } = await run(ctx.db)
    return { importId: null, dryRun: true, total: records.length, created: fresh.length, unchanged }
  }

  return ctx.db.transaction(async (tx) => {
    const t = withDb(ctx, tx)
    const { fresh, unchanged } = await run(tx)
    const key = opts.request ? apiKeyOf(opts.request) : undefined
    const a = ctx.actor
    const [imp] = await tx
      .insert(ticketImports)
      .values({
        source: opts.source,
        fileName: opts.fileName ?? null,
        actorType: a.kind,
        actorId: a.kind === 'staff' || a.kind === 'citizen' ? a.id : null,
        apiKeyId: key?.id ?? null,
        total: records.length,
        created: fresh.length,
        unchanged,
        createdAt: ctx.now(),
      })
      .returning({ id: ticketImports.id })
    let inserted = 0
    for (let i = 0; i < fresh.length; i += 500) {
      const chunk = fresh.slice(i, i + 500)
      const rows = await tx
        .insert(tickets)
        .values(chunk.map(({ row: _row, ...v }) => ({ ...v, source: opts.source, importId: imp!.id, createdAt: ctx.now(), updatedAt: ctx.now() })))
        .onConflictDoNothing({ target: tickets.decisionNo })
        .returning({ id: tickets.id })
      inserted += rows.length
    }
    // A concurrent import registered some of the same numbers first: roll back; a retry sees them.
    if (inserted !== fresh.length) throw conflict('import_conflict', 'Another import registered some of these tickets at the same time; please retry')
    await audit(t, {
      entityType: 'ticket_import',
      entityId: imp!.id,
      action: 'tickets.imported',
      after: { source: opts.source, fileName: opts.fileName ?? null, apiKey: key?.name ?? null, total: records.length, created: fresh.length, unchanged },
    })
    return { importId: imp!.id, dryRun: false, total: records.length, created: fresh.length, unchanged }
  })
}

/** The XLSX template offered for download in the console. */
export async function importTemplate(): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs')
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('违法记录')
  ws.columns = COLUMNS.map((c) => ({ header: c.heading, key: c.field, width: Math.max(12, c.heading.length * 2 + 4) }))
  ws.addRow(Object.fromEntries(COLUMNS.map((c) => [c.field, c.example])))
  ws.getRow(1).font = { bold: true }
  const help = wb.addWorksheet('说明')
  help.addRows([
    ['列', '必填', '说明'],
    ...COLUMNS.map((c) => [
      c.heading,
      c.required ? '是' : '否',
      c.field === 'occurredAt' ? 'YYYY-MM-DD HH:mm（北京时间）' : c.field === 'recordedBy' ? '电子监控 或 现场' : '',
    ]),
    [],
    ['整批导入：任何一行有误则全部不导入；已存在且内容相同的处罚决定书编号按“未变化”计，不会重复导入。'],
  ])
  return Buffer.from(await wb.xlsx.writeBuffer())
}
