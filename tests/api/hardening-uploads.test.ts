import { deflateSync, gzipSync } from 'node:zlib'
import { z } from '@hono/zod-openapi'
import { sessionMiddleware } from '@tp/server/modules/identity/sessions'
import { reports } from '@tp/server/modules/reports/reports.tables'
import { PUBLIC } from '@tp/server/platform/access'
import { withDb } from '@tp/server/platform/context'
import { AppError } from '@tp/server/platform/errors'
import { errorHandler, requestContext, requestLimits } from '@tp/server/platform/http'
import { createRouter, jsonContent, route } from '@tp/server/platform/openapi'
import { files } from '@tp/server/platform/platform.tables'
import { inspectFile, storeUpload } from '@tp/server/platform/uploads'
import { count, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'
import { type Client, citizen, staffUser } from '../support/client'
import { importTickets } from './appeals-support'
import {
  compressedPdf,
  EMBEDDED_PDF,
  ESCAPED_JS_PDF,
  file,
  HTML_PAYLOAD,
  JPEG,
  JS_PDF,
  LAUNCH_PDF,
  objectStreamJsPdf,
  PLAIN_PDF,
  pdf,
  png,
  pngBomb,
  storageSnapshot,
  zip,
} from './hardening-support'

/**
 * Hostile uploads on the two citizen upload paths — report photos and appeal evidence — are refused
 * with a clear error, and NOTHING is written: the storage directory and the files table are the
 * same before and after. Decisions:
 * - Content decides, never the name or declared type (magic bytes; images are fully decoded).
 * - Polyglots: a file that merely starts like a JPEG (e.g. followed by HTML) cannot be decoded →
 *   415. A real image with a script appended decodes fine and is ACCEPTED, because only the
 *   re-encoded pixels are stored (the appended bytes never reach storage or a browser).
 * - PDFs are stored as uploaded, so a PDF with active content (JavaScript — also with #-escaped
 *   names or inside compressed object streams —, launch actions, embedded files) is refused (415).
 * - Decompression bombs (a tiny PNG declaring 100 000 × 100 000 pixels) → 413 before any decoding
 *   of pixel data; oversized bodies → 413; more than 40 multipart parts → 413.
 * - Archives (a zip bomb, an Office document — both zips) disguised as a photo or a PDF → 415 by
 *   content; the type check reads at most a bounded part of an entry.
 * - PDF compression bombs: a stream inflating past 16 MB, or streams inflating past 48 MB together
 *   (or thousands of tiny ones) → 413 `file_too_complex`; the scan is bounded whatever the file.
 * - Request bodies are never inflated: `Content-Encoding: gzip` is not decoded, so a gzipped body
 *   (a bomb included) is refused as unreadable, within the body limit on its compressed size.
 * - Path-like file names (separators, `..`, control characters) → 400; invisible bidi/zero-width
 *   characters are dropped from the display name.
 */

let t: TestApp
let me: Client
/** 100 MB of spaces in one entry (~100 kB zipped), named as the part an Office document is recognised by. */
const ZIP_BOMB = zip([['[Content_Types].xml', Buffer.alloc(100 * 1048576, 0x20)]])
const DOCX = zip([
  [
    '[Content_Types].xml',
    Buffer.from(
      '<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
  ],
  ['word/document.xml', Buffer.from('<w:document><w:body><w:p>申诉材料</w:p></w:body></w:document>')],
])
/** 12 500 tiny Flate streams: each inflates to nothing, together they are work. */
const MANY_STREAMS_PDF = (() => {
  const z = deflateSync(Buffer.from('q Q'))
  const stream = Buffer.concat([Buffer.from(`<< /Length ${z.length} /Filter /FlateDecode >>\nstream\n`), z, Buffer.from('\nendstream')])
  return pdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
    ...Array.from({ length: 12_500 }, () => stream),
  ])
})()
const HEIC = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.from([0, 0, 0, 0]), Buffer.from('mif1heic'), Buffer.alloc(64)])

beforeAll(async () => {
  t = await createTestApp({ seed: true, env: { BODY_LIMIT_MB: '3' } })
  me = await citizen(t, '13600001001')
}, 120_000)
afterAll(() => t?.close())

async function unchanged<T>(run: () => Promise<T>): Promise<T> {
  const before = await storageSnapshot(t)
  const out = await run()
  expect(await storageSnapshot(t)).toEqual(before)
  return out
}

const photo = (f: File) => {
  const form = new FormData()
  form.append('photo', f)
  return me.post('/api/reports/photos', form)
}

let ticketSeq = 0
async function appeal(evidence: File[], fields: Record<string, string> = {}) {
  const admin = await staffUser(t, 'admin')
  const plate = `川A${String(70000 + ++ticketSeq)}`
  const [ticket] = await importTickets(admin, [{ plate }])
  const form = new FormData()
  const all = {
    decisionNo: ticket!.decisionNo,
    plate,
    grounds: 'camera_misread',
    statement: '抓拍照片中的车辆不是我的车，号牌尾号识别错误，请核实。',
    contactPhone: '13600001001',
    ...fields,
  }
  for (const [k, v] of Object.entries(all)) form.append(k, v)
  for (const f of evidence) form.append('evidence', f)
  return me.post('/api/appeals', form)
}

describe('report photos: refused by content, nothing stored', () => {
  const cases: [string, File, number, string][] = [
    ['text named .jpg', file('just some text, not an image', 'photo.jpg', 'image/jpeg'), 415, 'unsupported_file_type'],
    ['HTML named .png', file(HTML_PAYLOAD, 'photo.png', 'image/png'), 415, 'unsupported_file_type'],
    ['an SVG with a script', file('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 'x.svg', 'image/svg+xml'), 415, 'unsupported_file_type'],
    ['a Windows program named .jpg', file(Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]), 'cat.jpg', 'image/jpeg'), 415, 'unsupported_file_type'],
    ['a PDF as a photo', file(PLAIN_PDF, 'scan.pdf', 'application/pdf'), 415, 'unsupported_file_type'],
    [
      'a JPEG header followed by HTML (polyglot)',
      file(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]), Buffer.from(HTML_PAYLOAD)]), 'x.jpg', 'image/jpeg'),
      415,
      'unreadable_image',
    ],
    ['a truncated JPEG', file(JPEG.subarray(0, 200), 'cut.jpg', 'image/jpeg'), 415, 'unreadable_image'],
    ['a PNG bomb declaring 100 000 × 100 000 pixels', file(pngBomb(100_000), 'bomb.png', 'image/png'), 413, 'image_too_large'],
    ['a PNG bomb declaring 20 000 × 20 000 pixels', file(pngBomb(20_000), 'bomb2.png', 'image/png'), 413, 'image_too_large'],
    ['a zip bomb named .jpg', file(ZIP_BOMB, 'photo.jpg', 'image/jpeg'), 415, 'unsupported_file_type'],
    ['an Office document (zip) named .png', file(DOCX, 'photo.png', 'image/png'), 415, 'unsupported_file_type'],
    ['an empty file', file('', 'empty.jpg', 'image/jpeg'), 400, 'empty_file'],
    ['a path-traversal name', file(JPEG, '../../../etc/passwd.jpg', 'image/jpeg'), 400, 'invalid_file_name'],
    ['a Windows path-traversal name', file(JPEG, '..\\..\\boot.ini.jpg', 'image/jpeg'), 400, 'invalid_file_name'],
    ['an absolute path name', file(JPEG, '/var/lib/x.jpg', 'image/jpeg'), 400, 'invalid_file_name'],
    ['a name with a NUL byte', file(JPEG, 'a.jpg\u0000.html', 'image/jpeg'), 400, 'invalid_file_name'],
    ['a name that is only dots', file(JPEG, '..', 'image/jpeg'), 400, 'invalid_file_name'],
  ]
  for (const [what, f, status, code] of cases) {
    it(`refuses ${what} (${status} ${code})`, async () => {
      const res = await unchanged(() => photo(f))
      expect([res.status, res.body.error?.code]).toEqual([status, code])
      expect(res.body.error.message).toMatch(/\w/)
    })
  }

  it('refuses a body over the limit (413) and more than 40 parts (413)', async () => {
    const big = await unchanged(() => photo(file(Buffer.alloc(3.5 * 1048576, 1), 'big.jpg', 'image/jpeg')))
    expect([big.status, big.body.error.code]).toEqual([413, 'payload_too_large'])
    const form = new FormData()
    for (let i = 0; i < 41; i++) form.append(`f${i}`, 'x')
    form.append('photo', file(JPEG, 'ok.jpg', 'image/jpeg'))
    const many = await unchanged(() => me.post('/api/reports/photos', form))
    expect([many.status, many.body.error.code]).toEqual([413, 'too_many_parts'])
    // 41 parts of files as well (the count is on the raw body, before anything is parsed).
    const files41 = new FormData()
    for (let i = 0; i < 41; i++) files41.append('photo', file(JPEG, `p${i}.jpg`, 'image/jpeg'))
    const manyFiles = await unchanged(() => me.post('/api/reports/photos', files41))
    expect([manyFiles.status, manyFiles.body.error.code]).toEqual([413, 'too_many_parts'])
  })

  it('accepts a real image with a script appended, storing only re-encoded pixels', async () => {
    const before = await storageSnapshot(t)
    const res = await photo(file(Buffer.concat([JPEG, Buffer.from(HTML_PAYLOAD)]), 'holiday.jpg', 'image/jpeg'))
    expect(res.status).toBe(201)
    const after = await storageSnapshot(t)
    expect(after.rows).toBe(before.rows + 1)
    expect(after.stored.length).toBe(before.stored.length + 2) // full size and thumbnail
    const [row] = await t.deps.database.db.select().from(files).where(eq(files.id, res.body.id))
    const stored = Buffer.from(await t.deps.storage.get(row!.storageKey))
    expect(stored.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]))
    expect(stored.includes(Buffer.from('<script'))).toBe(false)
    expect(row!.contentType).toBe('image/jpeg')
    const served = await me.get(`/api/reports/files/${res.body.id}`)
    expect(served.headers.get('content-type')).toBe('image/jpeg')
    expect(served.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('drops bidi overrides and zero-width characters from the display name', async () => {
    const res = await photo(file(JPEG, 'holiday\u202Egpj.exe\u200B', 'image/jpeg'))
    expect(res.status).toBe(201)
    expect(res.body.name).toBe('holidaygpj.exe')
  })
})

describe('appeal evidence: refused by content, nothing stored', () => {
  const pdfCases: [string, Buffer][] = [
    ['JavaScript run on open', JS_PDF],
    ['JavaScript behind #-escaped names', ESCAPED_JS_PDF],
    ['JavaScript inside a compressed object stream', objectStreamJsPdf()],
    ['a launch action', LAUNCH_PDF],
    ['an embedded file', EMBEDDED_PDF],
  ]
  for (const [what, bytes] of pdfCases) {
    it(`refuses a PDF with ${what} (415 active_content)`, async () => {
      const res = await unchanged(() => appeal([file(png(), 'a.png', 'image/png'), file(bytes, 'scan.pdf', 'application/pdf')]))
      expect([res.status, res.body.error?.code]).toEqual([415, 'active_content'])
    })
  }

  const archiveCases: [string, Buffer, string][] = [
    ['a zip bomb named .pdf', ZIP_BOMB, 'application/pdf'],
    ['a zip bomb named .jpg', ZIP_BOMB, 'image/jpeg'],
    ['an Office document (zip) named .pdf', DOCX, 'application/pdf'],
  ]
  for (const [what, bytes, type] of archiveCases) {
    it(`refuses ${what} by content (415 unsupported_file_type)`, async () => {
      const name = type === 'application/pdf' ? 'scan.pdf' : 'photo.jpg'
      const res = await unchanged(() => appeal([file(png(), 'a.png', 'image/png'), file(bytes, name, type)]))
      expect([res.status, res.body.error?.code]).toEqual([415, 'unsupported_file_type'])
      expect(res.body.error.details[0].message).toMatch(/zip|officedocument/)
    })
  }

  const bombCases: [string, () => Buffer, string][] = [
    ['one stream inflating to 64 MB', () => compressedPdf(1, 64 * 1048576), 'Compressed streams too large'],
    ['eight streams of 12 MB each (each under the per-stream limit, 96 MB together)', () => compressedPdf(8, 12 * 1048576), 'Compressed streams too large'],
    ['12 500 tiny compressed streams', () => MANY_STREAMS_PDF, 'Too many compressed streams'],
  ]
  for (const [what, bytes, message] of bombCases) {
    it(`refuses a PDF compression bomb: ${what} (413 file_too_complex)`, async () => {
      const started = performance.now()
      const res = await unchanged(() => appeal([file(bytes(), 'scan.pdf', 'application/pdf')]))
      expect([res.status, res.body.error?.code, res.body.error?.details?.[0]?.message]).toEqual([413, 'file_too_complex', message])
      console.log(`PDF bomb (${what}): refused in ${Math.round(performance.now() - started)} ms`)
    })
  }

  it('accepts a PDF with several ordinary compressed pages', async () => {
    const res = await appeal([file(compressedPdf(20, 256 * 1024), 'pages.pdf', 'application/pdf')])
    expect(res.status).toBe(201)
  })

  it('refuses a batch whose LAST file is a bomb, without storing the good ones first (413)', async () => {
    const res = await unchanged(() =>
      appeal([file(png(), 'a.png', 'image/png'), file(png(), 'b.png', 'image/png'), file(pngBomb(100_000), 'c.png', 'image/png')]),
    )
    expect([res.status, res.body.error.code]).toEqual([413, 'image_too_large'])
  })

  it('removes the good files again when a later one fails while storing (HEIC cannot be decoded here)', async () => {
    const res = await unchanged(() => appeal([file(png(), 'a.png', 'image/png'), file(HEIC, 'iphone.heic', 'image/heic')]))
    expect(res.status).toBe(415)
    expect(res.body.error.code).toBe('unreadable_image')
  })

  it('refuses wrong magic bytes, a polyglot, a hostile name, ten files and too many parts', async () => {
    const bad = await unchanged(() => appeal([file(HTML_PAYLOAD, 'evidence.pdf', 'application/pdf')]))
    expect([bad.status, bad.body.error.code]).toEqual([415, 'unsupported_file_type'])
    const poly = await unchanged(() => appeal([file(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xdb]), Buffer.from(HTML_PAYLOAD)]), 'p.jpg')]))
    expect([poly.status, poly.body.error.code]).toEqual([415, 'unreadable_image'])
    const name = await unchanged(() => appeal([file(PLAIN_PDF, '../../../../tmp/evil.pdf', 'application/pdf')]))
    expect([name.status, name.body.error.code]).toEqual([400, 'invalid_file_name'])
    const ten = await unchanged(() => appeal(Array.from({ length: 10 }, (_, i) => file(png(), `p${i}.png`, 'image/png'))))
    expect(ten.status).toBe(400)
    const fields = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`extra${i}`, 'x']))
    const parts = await unchanged(() => appeal([file(png(), 'a.png', 'image/png')], fields))
    expect([parts.status, parts.body.error.code]).toEqual([413, 'too_many_parts'])
    const big = await unchanged(() => appeal([file(Buffer.alloc(3.2 * 1048576, 7), 'huge.pdf', 'application/pdf')]))
    expect([big.status, big.body.error.code]).toEqual([413, 'payload_too_large'])
  })

  it('accepts a plain PDF and photos', async () => {
    const before = await storageSnapshot(t)
    const res = await appeal([file(PLAIN_PDF, 'scan.pdf', 'application/pdf'), file(png(), 'a.png', 'image/png')])
    expect(res.status).toBe(201)
    const after = await storageSnapshot(t)
    expect(after.rows).toBe(before.rows + 2)
    expect(after.stored.length).toBe(before.stored.length + 3) // the PDF, the photo and its thumbnail
  })
})

describe('compressed request bodies are not inflated', () => {
  const reportCount = async () => Number((await t.deps.database.db.select({ n: count() }).from(reports))[0]?.n)

  it('refuses a gzipped JSON report instead of decoding it (nothing created)', async () => {
    const body = gzipSync(
      JSON.stringify({
        kind: 'congestion',
        lat: 30.6702,
        lng: 104.0601,
        locationSource: 'gps',
        address: '春熙路与总府路路口',
        description: '路口车辆排队很长，通行缓慢',
      }),
    )
    const before = await reportCount()
    const res = await unchanged(() => me.request('POST', '/api/reports', body.toString('latin1'), { 'content-encoding': 'gzip' }))
    expect([400, 415]).toContain(res.status)
    expect(res.body.error.code).toMatch(/\w/)
    expect(await reportCount()).toBe(before)
  })

  it('refuses a gzip bomb of a multipart photo upload (256 MB inflated) without inflating it', async () => {
    const boundary = 'hzGzipBoundary'
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`)
    const multipart = Buffer.concat([head, JPEG, Buffer.alloc(256 * 1048576), Buffer.from(`\r\n--${boundary}--\r\n`)])
    const bomb = gzipSync(multipart, { level: 9 })
    expect(bomb.length).toBeLessThan(1048576)
    const started = performance.now()
    const res = await unchanged(async () =>
      t.app.request('/api/reports/photos', {
        method: 'POST',
        headers: {
          'x-test-ip': me.ip,
          cookie: me.cookie,
          'x-csrf-token': me.csrf,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-encoding': 'gzip',
        },
        body: bomb,
      }),
    )
    const answer = (await res.json()) as { error: { code: string } }
    expect([400, 415]).toContain(res.status)
    expect(answer.error.code).toMatch(/\w/)
    console.log(`gzip bomb (${bomb.length} bytes → 256 MB): ${res.status} ${answer.error.code} in ${Math.round(performance.now() - started)} ms`)
  })
})

describe('stored bytes of a failed request are discarded', () => {
  // A creating route on the real middleware stack that stores a file and then fails, or commits and
  // then fails: only bytes that no committed files row refers to are removed.
  let app: ReturnType<typeof createRouter>
  beforeAll(() => {
    app = createRouter()
    app.onError(errorHandler(t.deps))
    app.use('*', requestContext(t.deps))
    app.use('*', ...requestLimits(t.deps.config))
    app.use('*', sessionMiddleware(t.deps))
    app.openapi(
      route({
        method: 'post',
        path: '/store/{mode}',
        access: PUBLIC,
        request: { params: z.object({ mode: z.enum(['rollback', 'commit-then-fail']) }) },
        responses: { 201: jsonContent(z.object({ id: z.string() })) },
      }),
      async (c) => {
        const ctx = c.get('ctx')
        const f = await inspectFile(new File([png() as BlobPart], 'a.png'), ['image'], 1048576)
        if (c.req.valid('param').mode === 'rollback') {
          await ctx.db.transaction(async (tx) => {
            await storeUpload(withDb(ctx, tx), f, { type: 'system', id: null })
            throw new AppError(409, 'conflict_after_store', 'Failed after storing')
          })
        }
        await storeUpload(ctx, f, { type: 'system', id: null })
        throw new AppError(422, 'failed_after_commit', 'Failed after committing')
      },
    )
  })

  it('removes bytes whose row was rolled back', async () => {
    const res = await unchanged(async () => app.request('/store/rollback', { method: 'POST' }))
    expect(res.status).toBe(409)
  })

  it('keeps bytes that a committed row refers to', async () => {
    const before = await storageSnapshot(t)
    const res = await app.request('/store/commit-then-fail', { method: 'POST' })
    expect(res.status).toBe(422)
    const after = await storageSnapshot(t)
    expect(after.rows).toBe(before.rows + 1)
    expect(after.stored.length).toBe(before.stored.length + 2)
  })
})
