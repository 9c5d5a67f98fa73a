import { appealMachine } from '@tp/shared/appeals/machine'
import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { OPEN_STATES_SQL } from './appeals.tables'
import { listDue } from './queue.service'
import { periodBounds } from './report.service'
import { COLUMNS, parseChinaDateTime, parseCsv, readXlsx, recordsFromTable } from './tickets.import'

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, commas and newlines inside fields, CRLF and a BOM', () => {
    const text = '\uFEFFa,b,c\r\n"x, y","say ""hi""","line1\nline2"\r\n1,,3'
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'line1\nline2'],
      ['1', '', '3'],
    ])
  })

  it('round-trips tables written the RFC 4180 way (quotes, commas, newlines, unicode)', () => {
    const cells = ['', 'a', '"', '""', ',', 'x,"y"', 'line\nbreak', 'cr\r\nlf', '川A12345', '😀', ' spaced ', '\t']
    for (let i = 0; i < cells.length; i++) {
      const table = [
        cells
          .slice(i, i + 3)
          .concat(['z'])
          .slice(0, 3),
        cells.slice(0, 3),
        [cells[i]!, 'end', ''],
      ]
      const text = table.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\r\n')
      expect(parseCsv(text)).toEqual(table)
    }
  })
})

describe('recordsFromTable', () => {
  it('maps Chinese headings and English field names, numbers rows as the file shows them and skips blank lines', () => {
    const { records, errors } = recordsFromTable([
      [...COLUMNS.map((c) => c.heading)],
      COLUMNS.map((c) => c.example),
      COLUMNS.map(() => ''),
      COLUMNS.map((c) => c.example),
    ])
    expect(errors).toEqual([])
    expect(records.map((r) => r.row)).toEqual([2, 4])
    expect(records[0]!.data).toMatchObject({ decisionNo: '5101041000012345', plate: '川A12345', recordedBy: '电子监控' })
    const english = recordsFromTable([
      ['decisionNo', 'plate'],
      ['1', '2'],
    ])
    expect(english.records[0]!.data).toEqual({ decisionNo: '1', plate: '2' })
  })

  it('reports missing and unknown columns on row 1', () => {
    const { errors } = recordsFromTable([['号牌号码', '车速']])
    expect(errors.filter((e) => e.row === 1).map((e) => e.field)).toEqual(expect.arrayContaining(['decisionNo', 'occurredAt', '车速']))
  })
})

describe('parseChinaDateTime', () => {
  it('reads China wall-clock times and ISO instants', () => {
    expect(parseChinaDateTime('2026-03-01 08:30')?.toISOString()).toBe('2026-03-01T00:30:00.000Z')
    expect(parseChinaDateTime('2026/3/1 8:30:15')?.toISOString()).toBe('2026-03-01T00:30:15.000Z')
    expect(parseChinaDateTime('2026-03-01T08:30:00+08:00')?.toISOString()).toBe('2026-03-01T00:30:00.000Z')
    expect(parseChinaDateTime('2026-03-01T00:30:00Z')?.toISOString()).toBe('2026-03-01T00:30:00.000Z')
  })

  it('refuses impossible dates and other formats', () => {
    for (const s of ['2026-02-30 08:00', '2026-13-01 08:00', '2026-03-01 24:00', '03/01/2026 08:00', '2026-03-01', 'yesterday'])
      expect(parseChinaDateTime(s)).toBeNull()
  })
})

describe('readXlsx', () => {
  it('reads strings, numbers, rich text, formulas and Excel date cells (as China wall-clock time)', async () => {
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('s')
    ws.addRow(['处罚决定书编号', '违法时间', '罚款金额', '违法地点'])
    ws.addRow(['5101041000012345', new Date(Date.UTC(2026, 2, 1, 8, 30)), 200, { richText: [{ text: '人民' }, { text: '南路' }] }])
    ws.addRow([{ formula: '"51"&"01041000012346"', result: '5101041000012346' }, '2026-03-02 09:00', { formula: '100*2', result: 200 }, ''])
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer())
    const table = await readXlsx(bytes)
    expect(table[1]).toEqual(['5101041000012345', '2026-03-01 08:30:00', '200', '人民南路'])
    expect(table[2]!.slice(0, 3)).toEqual(['5101041000012346', '2026-03-02 09:00', '200'])
    expect(parseChinaDateTime(table[1]![1]!)?.toISOString()).toBe('2026-03-01T00:30:00.000Z')
  })

  it('answers 415 for a file that is not a workbook', async () => {
    await expect(readXlsx(new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3]))).rejects.toMatchObject({ status: 415 })
  })
})

describe('periodBounds', () => {
  it('gives months and quarters in China time, crossing the year end', () => {
    expect(periodBounds({ period: 'month', year: 2026, index: 12 })).toMatchObject({ fromDate: '2026-12-01', toDate: '2027-01-01', label: '2026年12月' })
    const q = periodBounds({ period: 'quarter', year: 2026, index: 1 })
    expect(q).toMatchObject({ fromDate: '2026-01-01', toDate: '2026-04-01', label: '2026年第1季度' })
    expect(q.from.toISOString()).toBe('2025-12-31T16:00:00.000Z')
  })
})

describe('listDue', () => {
  const now = new Date('2026-03-14T02:00:00Z') // 10:00 China time
  const row = (dueDate: string, extra: Partial<{ state: string; pausedSince: Date | null }> = {}) => ({
    state: 'in_review',
    dueDate,
    dueAt: new Date(`${dueDate}T15:59:59.999Z`),
    pausedSince: null,
    ...extra,
  })

  it('flags due soon from 3 days left, overdue after the due day, and paused', () => {
    expect(listDue(row('2026-03-18'), now)).toEqual({ daysLeft: 4, dueStatus: 'ok' })
    expect(listDue(row('2026-03-17'), now)).toEqual({ daysLeft: 3, dueStatus: 'soon' })
    expect(listDue(row('2026-03-14'), now)).toEqual({ daysLeft: 0, dueStatus: 'soon' })
    expect(listDue(row('2026-03-13'), now)).toEqual({ daysLeft: -1, dueStatus: 'overdue' })
    expect(listDue(row('2026-03-20', { pausedSince: now }), now).dueStatus).toBe('paused')
  })

  it('shows no badge on closed cases', () => {
    expect(listDue(row('2026-03-13', { state: 'decided' }), now)).toEqual({ daysLeft: null, dueStatus: 'none' })
  })
})

describe('the open states in SQL', () => {
  it("are the machine's open states, no more, no fewer", () => {
    const listed = [...OPEN_STATES_SQL.matchAll(/'([a-z_]+)'/g)].map((m) => m[1])
    expect(listed.sort()).toEqual([...appealMachine.statesOfType('open')].sort())
  })
})
