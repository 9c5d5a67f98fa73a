import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { deflateRawSync, deflateSync } from 'node:zlib'
import { files } from '@tp/server/platform/platform.tables'
import { count } from 'drizzle-orm'
import fc from 'fast-check'
import type { TestApp } from '../support/app'

// Shared by the hardening tests: plausible values from the OpenAPI document's JSON schemas, hostile
// strings, crafted files, and a snapshot of what is stored.

export interface Schema {
  type?: string | string[]
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  enum?: unknown[]
  const?: unknown
  /** A documented valid value (e.g. a built-in key of a configured list, where the schema has only a pattern). */
  example?: unknown
  format?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  minItems?: number
  default?: unknown
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
  $ref?: string
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, Record<string, unknown>>>
  components?: { schemas?: Record<string, Schema> }
}

export function deref(doc: OpenApiDoc, s: Schema | undefined): Schema {
  if (!s) return {}
  if (s.$ref) return deref(doc, doc.components?.schemas?.[s.$ref.split('/').pop() ?? ''])
  return s
}

/** A value that satisfies the schema as far as a generic walk can (required fields only). */
export function sample(doc: OpenApiDoc, schema: Schema | undefined, depth = 0): unknown {
  const s = deref(doc, schema)
  if (depth > 6) return null
  if (s.const !== undefined) return s.const
  if (s.enum?.length) return s.enum[0]
  if (s.example !== undefined) return s.example
  if (s.default !== undefined) return s.default
  const variants = s.anyOf ?? s.oneOf
  if (variants?.length) return sample(doc, variants.find((v) => deref(doc, v).type !== 'null') ?? variants[0], depth + 1)
  if (s.allOf?.length) return Object.assign({}, ...s.allOf.map((v) => sample(doc, v, depth + 1) as object))
  const type = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {}
      for (const k of s.required ?? []) out[k] = sample(doc, s.properties?.[k], depth + 1)
      return out
    }
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => sample(doc, s.items, depth + 1))
    case 'integer':
    case 'number':
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1)
    case 'boolean':
      return true
    case 'string': {
      const today = new Date().toISOString().slice(0, 10)
      if (s.format === 'uuid') return '00000000-0000-4000-8000-000000000000'
      if (s.format === 'date-time') return new Date().toISOString()
      if (s.format === 'date' || s.pattern === '^\\d{4}-\\d{2}-\\d{2}$') return today
      if (s.format === 'email') return 'fuzz@example.com'
      if (s.pattern === '^\\d{6}$') return '123456'
      return 'x'.repeat(Math.max(s.minLength ?? 1, 1))
    }
    default:
      return null
  }
}

/** Plausible values by field name, so a request gets past validation and into the services. */
export const HINTS: [RegExp, unknown][] = [
  [/^(phone|contactPhone)$/, '13800138000'],
  [/^plate$/, '川A12345'],
  [/^idNumber$/, '11010519491231002X'],
  [/^vinLast6$/, 'ABC123'],
  [/^name$/, '张三'],
  [/^code$/, '123456'],
  [/^statement$/, '抓拍照片中的车辆不是我的车，号牌尾号识别错误，请核实。'],
  [/^description$/, '路口车辆排队很长，通行缓慢'],
  [/^address$/, '春熙路与总府路路口'],
  [/^(reason|note|publicNote|comment|text)$/, '测试说明文字，仅供核对'],
  [/^lat$/, 30.6702],
  [/^lng$/, 104.0601],
]

/** The hint for a field where its schema takes it (an enum or a pattern of its own wins). */
function hintFor(doc: OpenApiDoc, key: string, schema: Schema | undefined): unknown {
  const hint = HINTS.find(([re]) => re.test(key))?.[1]
  const s = deref(doc, schema)
  const fits = !s.enum && s.const === undefined && !s.pattern && (typeof hint !== 'string' || (s.maxLength ?? Infinity) >= hint.length)
  return fits ? hint : undefined
}

/** A plausible value for a field: by its name where a hint applies, else from its schema. */
export function hinted(doc: OpenApiDoc, key: string, schema: Schema | undefined): unknown {
  return hintFor(doc, key, schema) ?? sample(doc, schema)
}

type RequestBody = { content?: Record<string, { schema?: Schema }> } | undefined

/**
 * A minimal VALID body for an operation, from its request schema: the required fields with
 * plausible values, as JSON or — where the operation takes multipart — as a form with a real PNG in
 * each file field. Undefined when the operation takes no body.
 */
export function validBody(doc: OpenApiDoc, requestBody: unknown): Record<string, unknown> | FormData | undefined {
  const content = (requestBody as RequestBody)?.content
  const json = content?.['application/json']
  const multipart = content?.['multipart/form-data']
  const schema = deref(doc, (json ?? multipart)?.schema)
  if (!json && !multipart) return undefined
  const out: Record<string, unknown> = {}
  for (const [k, p] of Object.entries(schema.properties ?? {})) {
    // Optional fields too where a hint fits: rules across fields may want them (a public note with "uphold").
    const v = schema.required?.includes(k) ? hinted(doc, k, p) : hintFor(doc, k, p)
    if (v !== undefined) out[k] = v
  }
  if (json) return out
  const form = new FormData()
  for (const [k, v] of Object.entries(out)) if (v !== null && v !== undefined) form.append(k, String(v))
  const isFile = (p: Schema | undefined): boolean =>
    deref(doc, p).format === 'binary' || !!(deref(doc, p).anyOf ?? []).some((v) => isFile(v) || isFile(deref(doc, v).items))
  for (const [k, p] of Object.entries(schema.properties ?? {})) if (isFile(p)) form.append(k, file(png(), 'p.png', 'image/png'))
  return form
}

// -------------------------------------------------------------------------------------------------
// Hostile strings

/** Unicode that trips naive handling: bidi controls, zero-width, emoji sequences, full-width forms, surrogates. */
export const UNICODE_EDGE = [
  '\u202Eevil.exe\u202C', // right-to-left override
  '\u200F\u061C\u2067abc\u2069', // RTL mark, Arabic letter mark, isolates
  'a\u200Bb\u200Cc\u200Dd\u2060e\uFEFF', // zero-width space/non-joiner/joiner, word joiner, BOM
  '👩🏽‍🚒👨‍👩‍👧‍👦🏳️‍🌈🚗', // emoji with skin tones and ZWJ sequences
  '１３８００１３８０００', // full-width digits (a phone number)
  '川Ａ１２３４５', // full-width plate
  '138\u200B0013\u200D8000', // phone with zero-width characters
  '川A\u200B12345', // plate with a zero-width space
  '\u202E54321A川', // plate behind an RTL override
  'Ａ\u0301\u0300\u0302̴̵̶̷̸̡̢̧̨̛̖̗̘̙̜̝̞̟̠̣̤̥̦̩̪̫̬̭̮̯̰̱̲̳̹̺̻̼͇͈͉͍͎̀́̂̃̄̅̆̇̈̉̊̋̌̍̎̏̐̑̒̓̔̽̾̿̀́͂̓̈́͆͊͋͌̕̚ͅ͏͓͔͕͖͙͚͐͑͒͗͛ͣͤͥͦͧͨͩͪͫͬͭͮͯ͘͜͟͢͝͞͠͡', // combining marks (zalgo)
  '\uD800', // a lone surrogate
  '\uDBFF\uDFFF', // the last code point
  '\u0000', // NUL (PostgreSQL text cannot hold it)
  'line\r\nbreak\u2028sep\u2029para\u0085nel',
  '𠀀𪚥𰻞', // supplementary CJK
]

export const INJECTION = [
  "' OR 1=1 --",
  "'; drop table reports; --",
  '"; select pg_sleep(5); --',
  "1' union select password_hash from staff --",
  '<script>window.__xss=1</script>',
  '<img src=x onerror="window.__xss=1">',
  '"><svg onload=alert(1)>',
  'javascript:alert(1)',
  '{{constructor.constructor("return process")()}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection payload, on purpose
  '${7*7}',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '%2e%2e%2f',
  '__proto__',
  'constructor',
  '-1',
  '1e309',
  'NaN',
  '9999999999999999999999',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '2026-02-30',
  '0000-00-00',
  '',
  ' ',
]

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...UNICODE_EDGE, ...INJECTION) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...'\u202E\u200B\u200D\uFEFF１２３ＡＢ川京😀🚗<>\'"\\%;-'), maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(5_000), '好'.repeat(20_000), '😀'.repeat(10_000), 'a'.repeat(300_000)) },
)

/** Safe display of any generated value (objects without a prototype cannot be `String()`ed). */
export function text(v: unknown): string {
  if (typeof v === 'string') return v
  if (v && typeof v === 'object' && 'json' in v && typeof v.json === 'string') return v.json
  try {
    return JSON.stringify(v) ?? String(v)
  } catch {
    return Object.prototype.toString.call(v)
  }
}

// -------------------------------------------------------------------------------------------------
// Files

function crc32(buf: Uint8Array): number {
  let c = ~0
  for (const b of buf) {
    c ^= b
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1
  }
  return ~c >>> 0
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}

const PNG_SIG = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])

/** A real RGB PNG. */
export function png(w = 16, h = 16): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8
  ihdr[9] = 2
  const raw = Buffer.alloc((w * 3 + 1) * h)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([(x * 16) & 255, (y * 16) & 255, 128], y * (w * 3 + 1) + 1 + x * 3)
  return Buffer.concat([PNG_SIG, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))])
}

/** A decompression bomb: a PNG of a few hundred bytes that declares `side`×`side` pixels. */
export function pngBomb(side = 100_000): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(side, 0)
  ihdr.writeUInt32BE(side, 4)
  ihdr[8] = 1 // 1-bit greyscale: the smallest honest encoding
  ihdr[9] = 0
  const idat = deflateSync(Buffer.alloc((Math.ceil(side / 8) + 1) * 16)) // the first rows only
  return Buffer.concat([PNG_SIG, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))])
}

/** A real 64×48 JPEG (from the reports tests). */
export const JPEG = Buffer.from(
  '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAwAEADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAT/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFgEBAQEAAAAAAAAAAAAAAAAAAAUG/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AhAT2iAAAAAAAAAAAAAAAAAAAAAAf/9k=',
  'base64',
)

export const HTML_PAYLOAD = '<html><body><script>window.__xss=1;alert(document.cookie)</script></body></html>'

/** A PDF built from object bodies, with a correct cross-reference table. */
export function pdf(objects: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')]
  const offsets: number[] = []
  let at = parts[0]!.length
  objects.forEach((body, i) => {
    const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'), Buffer.from('\nendobj\n')])
    offsets.push(at)
    parts.push(chunk)
    at += chunk.length
  })
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('')
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${at}\n%%EOF\n`))
  return Buffer.concat(parts)
}

const PAGES = ['<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>']

/** A plain one-page PDF. */
export const PLAIN_PDF = pdf(['<< /Type /Catalog /Pages 2 0 R >>', ...PAGES])
/** JavaScript run on open, in plain sight. */
export const JS_PDF = pdf(['<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>', ...PAGES, '<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>'])
/** The same with the names escaped (#xx), which viewers decode. */
export const ESCAPED_JS_PDF = pdf([
  '<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>',
  ...PAGES,
  '<< /Type /Action /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>',
])
/** The action hidden inside a compressed object stream (PDF 1.5). */
export function objectStreamJsPdf(): Buffer {
  const inner = '4 0 << /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>'
  const z = deflateSync(Buffer.from(inner))
  const stream = Buffer.concat([
    Buffer.from(`<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${z.length} >>\nstream\n`),
    z,
    Buffer.from('\nendstream'),
  ])
  return pdf(['<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>', ...PAGES, stream])
}
/** A launch action and an embedded file: no script, still active. */
export const LAUNCH_PDF = pdf(['<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>', ...PAGES, '<< /S /Launch /F (cmd.exe) >>'])
export const EMBEDDED_PDF = pdf(['<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 4 0 R >> >>', ...PAGES, '<< /Names [(a.exe) 5 0 R] >>'])

/** A PDF whose pages' content streams are Flate-compressed, each inflating to `size` bytes of spaces. */
export function compressedPdf(streams: number, size: number): Buffer {
  const z = deflateSync(Buffer.alloc(size, 0x20), { level: 9 })
  const stream = Buffer.concat([Buffer.from(`<< /Length ${z.length} /Filter /FlateDecode >>\nstream\n`), z, Buffer.from('\nendstream')])
  const kids = Array.from({ length: streams }, (_, i) => `${3 + i * 2} 0 R`).join(' ')
  const pages = Array.from({ length: streams }, (_, i) => [`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents ${4 + i * 2} 0 R >>`, stream]).flat()
  return pdf(['<< /Type /Catalog /Pages 2 0 R >>', `<< /Type /Pages /Kids [${kids}] /Count ${streams} >>`, ...pages])
}

/** A zip archive (deflated entries) — e.g. an Office document, or a bomb of one huge entry. */
export function zip(entries: [string, Buffer][]): Buffer {
  const locals: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const [name, data] of entries) {
    const z = deflateRawSync(data, { level: 9 })
    const n = Buffer.from(name)
    const header = (sig: number, size: number) => {
      const h = Buffer.alloc(size)
      h.writeUInt32LE(sig, 0)
      return h
    }
    const local = header(0x04034b50, 30)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(8, 8)
    local.writeUInt32LE(crc32(data), 14)
    local.writeUInt32LE(z.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(n.length, 26)
    const dir = header(0x02014b50, 46)
    dir.writeUInt16LE(20, 4)
    dir.writeUInt16LE(20, 6)
    dir.writeUInt16LE(8, 10)
    dir.writeUInt32LE(crc32(data), 16)
    dir.writeUInt32LE(z.length, 20)
    dir.writeUInt32LE(data.length, 24)
    dir.writeUInt16LE(n.length, 28)
    dir.writeUInt32LE(offset, 42)
    locals.push(local, n, z)
    central.push(dir, n)
    offset += local.length + n.length + z.length
  }
  const cd = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cd, end])
}

export const file = (bytes: Uint8Array | string, name: string, type = 'application/octet-stream') =>
  new File([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)], name, { type })

// -------------------------------------------------------------------------------------------------
// What is stored

function walk(dir: string): string[] {
  let out: string[] = []
  let entries: string[]
  try {
    entries = readdirSync(dir)
  } catch {
    return out
  }
  for (const e of entries) {
    const p = join(dir, e)
    out = statSync(p).isDirectory() ? out.concat(walk(p)) : out.concat(p)
  }
  return out
}

/** The files in the storage directory and the rows of the files table. */
export async function storageSnapshot(t: TestApp) {
  const stored = walk(join(t.deps.config.dataDir, 'files')).sort()
  const [row] = await t.deps.database.db.select({ n: count() }).from(files)
  return { stored, rows: Number(row?.n ?? 0) }
}
