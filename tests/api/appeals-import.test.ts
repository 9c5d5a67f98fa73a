import { LIST_TOTAL_CAP } from '@tp/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../support/app'
import { type Client, citizen, newClient, staffUser } from '../support/client'
import { addStaff, appealsApp, decisionNo, ticketRow } from './appeals-support'

let t: TestApp
let admin: Client
let legal: Client
let key: string

beforeAll(async () => {
  t = await appealsApp()
  await addStaff(t, 'legal_b2', 'legal_officer', '城区二大队')
  admin = await staffUser(t, 'admin')
  legal = await staffUser(t, 'legal')
  const created = await admin.post('/api/console/api-keys', { name: '公安交通管理综合应用平台' })
  expect(created.status).toBe(201)
  key = created.body.key
})
afterAll(() => t.close())

/** The police system: no session, just the key. */
const system = (k = key) => ({
  post: (path: string, body: unknown) => newClient(t).post(path, body, { authorization: `Bearer ${k}` }),
})

const csvFile = (text: string, name = 'tickets.csv') => {
  const fd = new FormData()
  fd.append('file', new File([text], name, { type: 'text/csv' }))
  return fd
}

describe('API keys', () => {
  it('shows a key once; lists only its prefix', async () => {
    expect(key).toMatch(/^tpk_/)
    const list = await admin.get('/api/console/api-keys')
    expect(list.body.items[0]).toMatchObject({ name: '公安交通管理综合应用平台', prefix: key.slice(0, 10) })
    expect(JSON.stringify(list.body)).not.toContain(key)
    expect((await legal.get('/api/console/api-keys')).status).toBe(403)
  })

  it('refuses a wrong, a malformed or a revoked key, and other roles', async () => {
    expect((await system('tpk_' + 'x'.repeat(32)).post('/api/tickets/import', { tickets: [ticketRow()] })).status).toBe(401)
    expect((await system('nonsense').post('/api/tickets/import', { tickets: [ticketRow()] })).status).toBe(401)
    expect((await newClient(t).post('/api/tickets/import', { tickets: [ticketRow()] })).status).toBe(401)
    expect((await legal.post('/api/tickets/import', { tickets: [ticketRow()] })).status).toBe(403)
    expect((await (await citizen(t)).post('/api/tickets/import', { tickets: [ticketRow()] })).status).toBe(403)
    const other = await admin.post('/api/console/api-keys', { name: '旧接口' })
    expect((await admin.delete(`/api/console/api-keys/${other.body.id}`)).status).toBe(200)
    const revoked = await system(other.body.key).post('/api/tickets/import', { tickets: [ticketRow()] })
    expect(revoked.status).toBe(401)
    expect(revoked.body.error.code).toBe('invalid_api_key')
  })
})

describe('JSON import from the police system', () => {
  it('imports, and a re-sent batch changes nothing (idempotent by decision number)', async () => {
    const rows = [ticketRow(), ticketRow({ plate: '渝AD12345', recordedBy: 'camera' }), ticketRow({ unit: '城区二大队' })]
    const first = await system().post('/api/tickets/import', { tickets: rows })
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ dryRun: false, total: 3, created: 3, unchanged: 0 })
    const again = await system().post('/api/tickets/import', { tickets: rows })
    expect(again.body).toMatchObject({ total: 3, created: 0, unchanged: 3 })
    const listed = await legal.get(`/api/console/tickets?q=${rows[1]!.decisionNo}`)
    expect(listed.body.items).toHaveLength(1)
    expect(listed.body.items[0]).toMatchObject({ plate: '渝AD12345', recordedBy: 'camera', source: 'api', status: 'effective' })
    const history = await admin.get('/api/console/tickets/imports')
    expect(history.body.items[0]).toMatchObject({ source: 'api', actorType: 'system', total: 3, unchanged: 3 })
  })

  it('shows the place-of-violation unit and the VIN suffix in the registry', async () => {
    const [elsewhere, same] = [ticketRow({ occurredUnit: '城区二大队', vinLast6: 'a12345' }), ticketRow()]
    expect((await system().post('/api/tickets/import', { tickets: [elsewhere, same] })).status).toBe(200)
    const one = (await legal.get(`/api/console/tickets?q=${elsewhere.decisionNo}`)).body.items[0]
    expect(one).toMatchObject({ unitName: '城区一大队', occurredUnitName: '城区二大队', vinLast6: 'A12345' })
    const two = (await legal.get(`/api/console/tickets?q=${same.decisionNo}`)).body.items[0]
    expect(two).toMatchObject({ occurredUnitName: null, vinLast6: null })
  })

  it('checks every row, reports each problem by row and field, and writes nothing', async () => {
    const good = ticketRow()
    const dupe = good.decisionNo
    const res = await system().post('/api/tickets/import', {
      tickets: [
        good,
        { ...ticketRow(), plate: '川I12345' },
        { ...ticketRow(), occurredAt: '2026-13-40 25:00', points: 13 },
        { ...ticketRow(), unit: '不存在的大队' },
        { ...ticketRow(), decisionNo: dupe },
        { ...ticketRow(), speed: 80 },
        { ...ticketRow(), occurredAt: '2099-01-01 08:00' },
      ],
    })
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('import_invalid')
    const errs = res.body.error.rowErrors as { row: number; field: string }[]
    const at = (row: number) => errs.filter((e) => e.row === row).map((e) => e.field)
    expect(at(1)).toEqual([])
    expect(at(2)).toEqual(['plate'])
    expect(at(3).sort()).toEqual(['occurredAt', 'points'])
    expect(at(4)).toEqual(['unit'])
    expect(at(5)).toEqual(['decisionNo'])
    expect(at(6)).toEqual(['speed'])
    expect(at(7)).toEqual(['occurredAt'])
    expect(res.body.error.details[0].path).toMatch(/^rows\.\d+\./)
    // All or nothing: the good row was not imported either.
    expect((await legal.get(`/api/console/tickets?q=${good.decisionNo}`)).body.items).toHaveLength(0)
  })

  it('refuses a known decision number with different data', async () => {
    const row = ticketRow()
    await system().post('/api/tickets/import', { tickets: [row] })
    const changed = await system().post('/api/tickets/import', { tickets: [ticketRow(), { ...row, fineYuan: 100, place: '另一个地点' }] })
    expect(changed.status).toBe(422)
    expect(changed.body.error.rowErrors).toEqual([expect.objectContaining({ row: 2, field: 'place,fineYuan' })])
  })

  it('checks without writing in a dry run', async () => {
    const row = ticketRow()
    const dry = await system().post('/api/tickets/import?dryRun=true', { tickets: [row] })
    expect(dry.body).toMatchObject({ dryRun: true, created: 1, importId: null })
    expect((await legal.get(`/api/console/tickets?q=${row.decisionNo}`)).body.items).toHaveLength(0)
  })

  it('accepts ISO times with an offset and the Chinese recording labels', async () => {
    const row = { ...ticketRow(), occurredAt: '2026-03-01T00:30:00Z', recordedBy: '电子监控' }
    const res = await system().post('/api/tickets/import', { tickets: [row] })
    expect(res.status).toBe(200)
    const listed = await legal.get(`/api/console/tickets?q=${row.decisionNo}`)
    expect(listed.body.items[0]).toMatchObject({ occurredAt: '2026-03-01T00:30:00.000Z', recordedBy: 'camera' })
  })
})

describe('file import in the console', () => {
  it('imports a CSV with Chinese headings, quotes, a BOM and CRLF line ends', async () => {
    const a = decisionNo()
    const b = decisionNo()
    const csv =
      '\uFEFF处罚决定书编号,号牌号码,违法时间,违法地点,违法代码,违法行为,罚款金额,记分,处罚机关,民警姓名,警号,采集方式,证据编号\r\n' +
      `${a},川A12345,2026-03-01 08:30,"人民南路与锦江大道交叉口,南向北",16250,驾驶机动车违反道路交通信号灯通行,200,6,城区一大队,张路警,051234,电子监控,CAM-1\r\n` +
      '\r\n' +
      `${b},川AD12345,2026/3/2 9:05,天府大道北段1700号,10390,"机动车违反规定停放，驾驶人不在现场",150,0,城区二大队,孙路警,052371,现场,\r\n`
    const res = await legal.post('/api/console/tickets/import', csvFile(csv))
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ total: 2, created: 2 })
    const one = await legal.get(`/api/console/tickets?q=${a}`)
    expect(one.body.items[0]).toMatchObject({ place: '人民南路与锦江大道交叉口,南向北', source: 'csv', occurredAt: '2026-03-01T00:30:00.000Z' })
    const two = await legal.get(`/api/console/tickets?q=${b}`)
    expect(two.body.items[0]).toMatchObject({ recordedBy: 'onsite', occurredAt: '2026-03-02T01:05:00.000Z' })
    // Re-uploading the same file is harmless.
    expect((await legal.post('/api/console/tickets/import', csvFile(csv))).body).toMatchObject({ created: 0, unchanged: 2 })
  })

  it('reports row numbers as the file shows them, and missing columns', async () => {
    const csv = `处罚决定书编号,号牌号码,违法时间,违法地点,违法代码,违法行为,罚款金额,记分,处罚机关,民警姓名,警号,采集方式\n${decisionNo()},川A12345,2026-03-01 08:30,某路口,16250,闯红灯,200,6,城区一大队,张路警,051234,电子监控\n${decisionNo()},川A12345,2026-03-01 08:30,某路口,abc,闯红灯,200,6,城区一大队,张路警,051234,电子监控\n`
    const res = await legal.post('/api/console/tickets/import', csvFile(csv))
    expect(res.status).toBe(422)
    expect(res.body.error.rowErrors).toEqual([expect.objectContaining({ row: 3, field: 'violationCode' })])
    const missing = await legal.post('/api/console/tickets/import', csvFile('号牌号码,违法时间\n川A12345,2026-03-01 08:30\n'))
    expect(missing.status).toBe(422)
    expect(missing.body.error.rowErrors.map((e: { field: string }) => e.field)).toContain('decisionNo')
  })

  it('imports the XLSX template it offers', async () => {
    const tpl = await legal.request('GET', '/api/console/tickets/import-template.xlsx')
    expect(tpl.status).toBe(200)
    expect(tpl.headers.get('content-type')).toContain('spreadsheetml')
    const raw = await t.app.request('/api/console/tickets/import-template.xlsx', { headers: { cookie: legal.cookie } })
    const fd = new FormData()
    fd.append('file', new File([new Uint8Array(await raw.arrayBuffer())], 'template.xlsx'))
    const res = await legal.post('/api/console/tickets/import', fd)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ total: 1 })
    const listed = await legal.get('/api/console/tickets?q=5101041000012345')
    expect(listed.body.items[0]).toMatchObject({ source: 'xlsx', plate: '川A12345', recordedBy: 'camera' })
  })

  it('refuses binary junk and keeps importers within their unit scope', async () => {
    const junk = new FormData()
    junk.append('file', new File([new Uint8Array([0, 1, 2, 3, 0, 0, 7])], 'x.csv'))
    expect((await legal.post('/api/console/tickets/import', junk)).status).toBe(415)
    const b2 = await staffUser(t, 'legal_b2')
    const csv = `处罚决定书编号,号牌号码,违法时间,违法地点,违法代码,违法行为,罚款金额,记分,处罚机关,民警姓名,警号,采集方式\n${decisionNo()},川A12345,2026-03-01 08:30,某路口,16250,闯红灯,200,6,城区一大队,张路警,051234,电子监控\n`
    const res = await b2.post('/api/console/tickets/import', csvFile(csv))
    expect(res.status).toBe(422)
    expect(res.body.error.rowErrors[0]).toMatchObject({ row: 2, field: 'unit' })
    // And the registry they see is their own units'.
    const seen = await b2.get('/api/console/tickets?pageSize=200')
    for (const tk of seen.body.items) expect(tk.unitName).toBe('城区二大队')
  })

  it('pages the registry by keyset, newest violation first, both ways', async () => {
    const all = (await legal.get('/api/console/tickets?pageSize=200')).body
    expect(all.items.length).toBeGreaterThan(20)
    const pages: string[][] = []
    let cursor: string | null = null
    let last: { prevCursor: string | null } | null = null
    do {
      const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null; prevCursor: string | null } } = await legal.get(
        `/api/console/tickets?pageSize=7${cursor ? `&cursor=${cursor}` : ''}`,
      )
      expect(res.status).toBe(200)
      pages.push(res.body.items.map((x) => x.id))
      cursor = res.body.nextCursor
      last = res.body
    } while (cursor && pages.length < 100)
    expect(all.total).toBe(all.items.length)
    expect(pages.flat()).toEqual(all.items.map((x: { id: string }) => x.id))
    const back = await legal.get(`/api/console/tickets?pageSize=7&cursor=${last!.prevCursor}`)
    expect(back.body.items.map((x: { id: string }) => x.id)).toEqual(pages[pages.length - 2])
    expect((await legal.get('/api/console/tickets?cursor=nope')).status).toBe(400)
  })
})

describe('counting a long registry', () => {
  it(`counts up to ${LIST_TOTAL_CAP} rows and says so, then an exact count once the filters narrow it`, async () => {
    const plate = '川A99C01'
    const batch = Array.from({ length: LIST_TOTAL_CAP + 5 }, () => ticketRow({ plate }))
    expect((await system().post('/api/tickets/import', { tickets: batch })).body).toMatchObject({ created: LIST_TOTAL_CAP + 5 })
    const all = await legal.get('/api/console/tickets?pageSize=20')
    expect(all.body).toMatchObject({ total: LIST_TOTAL_CAP, totalCapped: true })
    expect(all.body.items).toHaveLength(20)
    const one = await legal.get(`/api/console/tickets?q=${batch[3]?.decisionNo}`)
    expect(one.body).toMatchObject({ total: 1, totalCapped: false })
  })
})
