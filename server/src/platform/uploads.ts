import { fileTypeFromBuffer } from 'file-type'
import sharp from 'sharp'
import type { Ctx } from './context'
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

/** Decoded images larger than this are refused: a small file can decompress into gigapixels. */
export const MAX_INPUT_PIXELS = 50_000_000

export interface InspectedFile {
  bytes: Uint8Array
  mime: string
  kind: UploadKind
  name: string
}

/** Checks a file by its content (magic bytes), not its name or declared type. */
export async function inspectFile(file: unknown, allowed: readonly UploadKind[], maxBytes: number, field = 'file'): Promise<InspectedFile> {
  if (!(file instanceof File)) throw new AppError(400, 'validation_failed', 'A file is required', [{ path: field, message: 'Expected a file upload' }])
  if (file.size === 0) throw new AppError(400, 'empty_file', 'The file is empty', [{ path: field, message: 'Empty file' }])
  if (file.size > maxBytes)
    throw new AppError(413, 'file_too_large', `The file is larger than ${Math.floor(maxBytes / 1048576)} MB`, [{ path: field, message: 'File too large' }])
  const bytes = new Uint8Array(await file.arrayBuffer())
  const type = await fileTypeFromBuffer(bytes)
  const kind = type ? MIME[type.mime] : undefined
  if (!type || !kind || !allowed.includes(kind))
    throw new AppError(415, 'unsupported_file_type', `Unsupported file content; allowed: ${allowed.join(', ')}`, [
      { path: field, message: `Content is ${type?.mime ?? 'not a recognised file type'}` },
    ])
  // Keep only a display name: no directories, no control characters.
  const name =
    [...(file.name.split(/[\\/]/).pop() ?? 'file')]
      .filter((ch) => ch.charCodeAt(0) >= 32 && !'<>:"|?*'.includes(ch))
      .join('')
      .slice(0, 120) || 'file'
  return { bytes, mime: type.mime, kind, name }
}

export interface ProcessedImage {
  full: Buffer
  thumb: Buffer
  width: number
  height: number
}

/** Re-encodes an image: oriented, at most 2048 px, metadata (EXIF incl. GPS) dropped, plus a 320 px thumbnail. */
export async function processImage(bytes: Uint8Array): Promise<ProcessedImage> {
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
  let storageKey: string
  let thumbKey: string | null = null
  let contentType = file.mime
  let size = file.bytes.byteLength
  if (file.kind === 'image') {
    const img = await processImage(file.bytes)
    storageKey = await storage.put(img.full, 'jpg')
    thumbKey = await storage.put(img.thumb, 'jpg')
    contentType = 'image/jpeg'
    size = img.full.byteLength
  } else {
    storageKey = await storage.put(file.bytes, 'pdf')
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
