import { constants, inflateSync } from 'node:zlib'
import { inArray, or } from 'drizzle-orm'
import type { AppDeps, Ctx } from './context'
import { AppError } from './errors'
import { files } from './platform.tables'

export type UploadKind = 'image' | 'pdf'

const MIME: Record<string, UploadKind> = {
  'image/jpeg': 'image',
  'image/png': 'image',
  'image/webp': 'image',
  'image/heic': 'image',
  'image/heif': 'image',
  'application/pdf': 'pdf',
}
const HEIF = new Set(['image/heic', 'image/heif'])

/** Decoded images larger than this are refused: a small file can decompress into gigapixels. */
export const MAX_INPUT_PIXELS = 50_000_000

export interface InspectedFile {
  bytes: Uint8Array
  mime: string
  kind: UploadKind
  name: string
}

const refusedName = (field: string) =>
  new AppError(400, 'invalid_file_name', 'The file name is not allowed; rename the file (no folders or control characters) and try again', [
    { path: field, message: 'File names may not contain path separators, “..” or control characters' },
  ])

/**
 * The display name of an upload. A name that tries to be a path (separators, `..` components) or
 * carries control characters is refused; invisible formatting characters (bidi overrides such as
 * U+202E that make `gpj.exe` read as `exe.jpg`, zero-width characters) are dropped. Storage keys
 * never derive from the name.
 */
export function uploadName(raw: string, field = 'file'): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\\/\x00-\x1f\x7f]/.test(raw) || /^\.+$/.test(raw.trim())) throw refusedName(field)
  const cleaned = raw
    .normalize('NFC')
    .replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, '')
    .replace(/[<>:"|?*]/g, '')
    .trim()
  return [...cleaned].slice(0, 120).join('') || 'file'
}

/**
 * Checks a file by its content (magic bytes), not its name or declared type, before anything is
 * stored: images are fully decoded and re-encoded here (so a decompression bomb, a truncated or a
 * fake image — e.g. a JPEG header followed by HTML — is refused now, not halfway through storing
 * a batch), and PDFs with active content (JavaScript, launch actions, embedded files, forms that
 * submit) are refused.
 */
export async function inspectFile(file: unknown, allowed: readonly UploadKind[], maxBytes: number, field = 'file'): Promise<InspectedFile> {
  if (!(file instanceof File)) throw new AppError(400, 'validation_failed', 'A file is required', [{ path: field, message: 'Expected a file upload' }])
  const name = uploadName(file.name, field)
  if (file.size === 0) throw new AppError(400, 'empty_file', 'The file is empty', [{ path: field, message: 'Empty file' }])
  if (file.size > maxBytes)
    throw new AppError(413, 'file_too_large', `The file is larger than ${Math.floor(maxBytes / 1048576)} MB`, [{ path: field, message: 'File too large' }])
  const bytes = new Uint8Array(await file.arrayBuffer())
  const { fileTypeFromBuffer } = await import('file-type')
  const type = await fileTypeFromBuffer(bytes)
  const kind = type ? MIME[type.mime] : undefined
  if (!type || !kind || !allowed.includes(kind))
    throw new AppError(415, 'unsupported_file_type', `Unsupported file content; allowed: ${allowed.join(', ')}`, [
      { path: field, message: `Content is ${type?.mime ?? 'not a recognised file type'}` },
    ])
  if (kind === 'pdf') assertPassivePdf(bytes, field)
  // HEIC/HEIF: sharp's libvips has no HEVC decoder; the caller converts it (checking its pixels) first.
  if (kind === 'image' && !HEIF.has(type.mime)) processed.set(bytes, await processImage(bytes))
  return { bytes, mime: type.mime, kind, name }
}

// -------------------------------------------------------------------------------------------------
// PDF: passive documents only.

/** Names that make a PDF do something when opened: scripts, launching programs, embedded files, form submission. */
const ACTIVE_PDF_NAMES = /\/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|SubmitForm|ImportData|GoToE)(?![A-Za-z0-9])/
/** Inflated bytes allowed per stream, and for all streams of a PDF together (each stream counted at least PDF_STREAM_COST). */
const MAX_PDF_INFLATE = 16 * 1048576
const PDF_INFLATE_BUDGET = 48 * 1048576
const PDF_STREAM_COST = 4096

/** `/J#61vaScript` is `/JavaScript`: PDF names may escape any character as #xx. */
const unescapeNames = (s: string) =>
  s.replace(/\/[^\s/<>[\]()]*#[0-9a-fA-F]{2}[^\s/<>[\]()]*/g, (n) => n.replace(/#([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(Number.parseInt(h, 16))))

const activeContent = (field: string) =>
  new AppError(
    415,
    'active_content',
    'PDF files with scripts, embedded files or automatic actions are not accepted; print it to a plain PDF or upload photos',
    [{ path: field, message: 'The PDF contains active content' }],
  )

const tooComplex = (field: string, message: string) =>
  new AppError(413, 'file_too_complex', 'The PDF holds a stream that expands too far; please upload a simpler PDF or photos', [{ path: field, message }])

function assertPassivePdf(bytes: Uint8Array, field: string) {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  if (ACTIVE_PDF_NAMES.test(unescapeNames(text))) throw activeContent(field)
  // Objects can hide in compressed object streams: inflate every Flate stream that is not an image,
  // within one budget for the whole file (so thousands of streams cannot burn CPU either).
  let budget = PDF_INFLATE_BUDGET
  const streams = />>\s*stream(?:\r\n|\n|\r)/g
  for (let m = streams.exec(text); m; m = streams.exec(text)) {
    const before = text.slice(Math.max(m.index - 4096, 0), m.index) // the dictionary: never a scan back to the start
    const dict = unescapeNames(before.slice(Math.max(before.lastIndexOf(' obj'), 0)))
    const start = m.index + m[0].length
    const end = text.indexOf('endstream', start)
    if (end < 0) break
    streams.lastIndex = end
    if (!/\/FlateDecode/.test(dict) || (/\/Subtype\s*\/Image/.test(dict) && !/\/ObjStm/.test(dict))) continue
    budget -= PDF_STREAM_COST
    if (budget <= 0) throw tooComplex(field, 'Too many compressed streams')
    let inflated: Buffer
    try {
      inflated = inflateSync(Buffer.from(bytes.subarray(start, end)), {
        maxOutputLength: Math.min(MAX_PDF_INFLATE, budget),
        finishFlush: constants.Z_SYNC_FLUSH,
      })
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooComplex(field, 'Compressed streams too large')
      continue // an undecodable stream: nothing to scan
    }
    budget -= inflated.length
    if (ACTIVE_PDF_NAMES.test(unescapeNames(inflated.toString('latin1')))) throw activeContent(field)
  }
}

// -------------------------------------------------------------------------------------------------
// Images

export interface ProcessedImage {
  full: Buffer
  thumb: Buffer
  width: number
  height: number
}

/** Images already re-encoded by inspectFile, by their bytes (so storing does not decode twice). */
const processed = new WeakMap<Uint8Array, ProcessedImage>()

/** Re-encodes an image: oriented, at most 2048 px, metadata (EXIF incl. GPS) dropped, plus a 320 px thumbnail. */
export async function processImage(bytes: Uint8Array): Promise<ProcessedImage> {
  const { default: sharp } = await import('sharp')
  try {
    const img = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).rotate()
    const full = await img
      .clone()
      .resize(2048, 2048, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 82, mozjpeg: true })
      .toBuffer({ resolveWithObject: true })
    const thumb = await img.clone().resize(320, 320, { fit: 'cover' }).jpeg({ quality: 70 }).toBuffer()
    return { full: full.data, thumb, width: full.info.width, height: full.info.height }
  } catch (err) {
    const msg = String((err as Error).message)
    if (/pixel limit/i.test(msg)) throw new AppError(413, 'image_too_large', 'The image has too many pixels')
    throw new AppError(415, 'unreadable_image', 'The image could not be read; please use a JPEG or PNG photo')
  }
}

export interface StoredFile {
  id: string
  contentType: string
  size: number
  name: string
  hasThumb: boolean
}

/** Validates, processes (images) and stores a file, and records it; `entity` can be attached later. */
export async function storeUpload(
  ctx: Ctx,
  file: InspectedFile,
  owner: { type: 'citizen' | 'staff' | 'system'; id: string | null },
  entity?: { type: string; id: string },
): Promise<StoredFile> {
  const { storage } = ctx.deps
  const put = async (bytes: Uint8Array, ext: string) => {
    const key = await storage.put(bytes, ext)
    // Removed again if the request fails without a files row referring to it (see requestContext).
    ctx.storageWrites?.push(key)
    return key
  }
  let storageKey: string
  let thumbKey: string | null = null
  let contentType = file.mime
  let size = file.bytes.byteLength
  if (file.kind === 'image') {
    const img = processed.get(file.bytes) ?? (await processImage(file.bytes))
    storageKey = await put(img.full, 'jpg')
    thumbKey = await put(img.thumb, 'jpg')
    contentType = 'image/jpeg'
    size = img.full.byteLength
  } else {
    storageKey = await put(file.bytes, 'pdf')
  }
  const [row] = await ctx.db
    .insert(files)
    .values({
      storageKey,
      thumbKey,
      contentType,
      size,
      name: file.name,
      ownerType: owner.type,
      ownerId: owner.id,
      entityType: entity?.type ?? null,
      entityId: entity?.id ?? null,
    })
    .returning({ id: files.id })
  return { id: (row as { id: string }).id, contentType, size, name: file.name, hasThumb: thumbKey !== null }
}

/**
 * After a failed request: deletes the bytes it stored that no committed files row refers to
 * (a refused batch, a rolled-back transaction). Bytes a committed row refers to are kept.
 */
export async function discardUnreferenced(deps: AppDeps, keys: readonly string[]): Promise<void> {
  if (!keys.length) return
  const rows = await deps.database.db
    .select({ storageKey: files.storageKey, thumbKey: files.thumbKey })
    .from(files)
    .where(or(inArray(files.storageKey, [...keys]), inArray(files.thumbKey, [...keys])))
  const kept = new Set(rows.flatMap((r) => [r.storageKey, r.thumbKey]))
  for (const key of keys) if (!kept.has(key)) await deps.storage.delete(key)
}
