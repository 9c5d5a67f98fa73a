import { type LatLng, PHOTO_MAX_BYTES, type PhotoUploaded, readExifGps } from '@tp/shared/reports/index'
import { and, eq, inArray, isNull } from 'drizzle-orm'
import type { Ctx } from '../../platform/context'
import { AppError, notFound } from '../../platform/errors'
import { files } from '../../platform/platform.tables'
import { hit } from '../../platform/rate-limit'
import { type InspectedFile, inspectFile, MAX_INPUT_PIXELS, storeUpload } from '../../platform/uploads'
import { reportEvents, reports } from './reports.tables'
import { fileUrl, thumbUrl } from './reports.view'

const HEIC = new Set(['image/heic', 'image/heif'])

/**
 * HEIC (iPhone photos): sharp's prebuilt libvips has no HEVC decoder, so the image is decoded with
 * libheif compiled to WebAssembly (heic-decode) and re-encoded from raw pixels, which carries no
 * EXIF at all. The pixel count is checked before decoding (decompression bombs).
 */
async function heicToPng(bytes: Uint8Array): Promise<Uint8Array> {
  const [{ default: decode }, { default: sharp }] = await Promise.all([import('heic-decode'), import('sharp')])
  let images: Awaited<ReturnType<typeof decode.all>>
  try {
    images = await decode.all({ buffer: bytes })
  } catch {
    throw new AppError(415, 'unreadable_image', 'The HEIC image could not be read; please use a JPEG or PNG photo')
  }
  try {
    const first = images[0]
    if (!first) throw new AppError(415, 'unreadable_image', 'The HEIC file holds no image')
    if (first.width * first.height > MAX_INPUT_PIXELS) throw new AppError(413, 'image_too_large', 'The image has too many pixels')
    const { width, height, data } = await first.decode().catch(() => {
      throw new AppError(415, 'unreadable_image', 'The HEIC image could not be read; please use a JPEG or PNG photo')
    })
    return new Uint8Array(
      await sharp(Buffer.from(data.buffer), { raw: { width, height, channels: 4 } })
        .png({ compressionLevel: 1 })
        .toBuffer(),
    )
  } finally {
    images.dispose()
  }
}

/** GPS from the original's EXIF, read before the metadata is stripped. */
async function gpsOf(file: InspectedFile): Promise<LatLng | null> {
  const direct = readExifGps(file.bytes)
  if (direct || HEIC.has(file.mime)) return direct
  const { default: sharp } = await import('sharp')
  try {
    const meta = await sharp(file.bytes, { limitInputPixels: MAX_INPUT_PIXELS }).metadata()
    return meta.exif ? readExifGps(meta.exif) : null
  } catch {
    return null
  }
}

/** The stored size, from the header only: oriented, at most 2048 px on the long side (as processImage does). */
async function storedSize(bytes: Uint8Array): Promise<{ width: number; height: number }> {
  const { default: sharp } = await import('sharp')
  const m = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).metadata()
  const w = m.autoOrient?.width ?? m.width ?? 0
  const h = m.autoOrient?.height ?? m.height ?? 0
  const scale = Math.min(1, 2048 / Math.max(1, w, h))
  return { width: Math.round(w * scale), height: Math.round(h * scale) }
}

/**
 * Stores one report photo: content checked (JPEG/PNG/WebP/HEIC, ≤ 10 MB), re-encoded at most
 * 2048 px with a thumbnail and without metadata; unattached until a report or action uses it.
 */
export async function uploadPhoto(ctx: Ctx, raw: unknown): Promise<PhotoUploaded> {
  const a = ctx.actor
  if (a.kind !== 'citizen' && a.kind !== 'staff') throw new AppError(401, 'unauthorized', 'Please sign in')
  await hit(ctx.db, { bucket: `report-photo:${a.kind}:${a.id}`, max: 120, windowMs: 3_600_000 }, ctx.now())
  const file = await inspectFile(raw, ['image'], PHOTO_MAX_BYTES, 'photo')
  const gps = await gpsOf(file)
  const decoded = HEIC.has(file.mime) ? { ...file, bytes: await heicToPng(file.bytes), mime: 'image/png' } : file
  const stored = await storeUpload(ctx, decoded, { type: a.kind, id: a.id })
  const size = await storedSize(decoded.bytes)
  return { id: stored.id, url: fileUrl(stored.id), thumbUrl: stored.hasThumb ? thumbUrl(stored.id) : null, name: stored.name, ...size, gps }
}

/**
 * Attaches the uploader's own unattached photos to an entity; every id must qualify, so one
 * cannot borrow another person's upload. Answers them as a detail view shows them, in upload order.
 */
export async function attachPhotos(ctx: Ctx, ids: readonly string[], entity: { type: 'report' | 'report_event'; id: string }): Promise<PhotoView[]> {
  if (!ids.length) return []
  const a = ctx.actor
  const ownerId = a.kind === 'citizen' || a.kind === 'staff' ? a.id : null
  const unique = [...new Set(ids)]
  const rows = await ctx.db
    .update(files)
    .set({ entityType: entity.type, entityId: entity.id })
    .where(
      and(
        inArray(files.id, unique),
        eq(files.ownerType, a.kind === 'staff' ? 'staff' : 'citizen'),
        ownerId ? eq(files.ownerId, ownerId) : isNull(files.ownerId),
        isNull(files.entityType),
        eq(files.contentType, 'image/jpeg'),
      ),
    )
    .returning({ id: files.id, name: files.name, thumbKey: files.thumbKey, createdAt: files.createdAt })
  if (rows.length !== unique.length)
    throw new AppError(400, 'invalid_photos', 'Some photos are unknown, already used or not yours; please upload them again', [
      { path: 'body.photoIds', message: 'Unknown or already attached photo' },
    ])
  return byUpload(rows).map(photoView)
}

/** Who may see a stored report photo: the uploader, the reporter, or staff whose scope has the report. */
export async function readPhoto(ctx: Ctx, id: string, variant: 'full' | 'thumb') {
  const [f] = await ctx.db.select().from(files).where(eq(files.id, id))
  if (!f) throw notFound('Photo')
  const a = ctx.actor
  let allowed = (a.kind === 'citizen' || a.kind === 'staff') && f.ownerType === a.kind && f.ownerId === a.id
  if (!allowed && (f.entityType === 'report' || f.entityType === 'report_event') && f.entityId) {
    let reportId = f.entityId
    let internal = false
    if (f.entityType === 'report_event') {
      const [ev] = await ctx.db
        .select({ reportId: reportEvents.reportId, internal: reportEvents.internal })
        .from(reportEvents)
        .where(eq(reportEvents.id, f.entityId))
      reportId = ev?.reportId ?? ''
      internal = !!ev?.internal
    }
    const [r] = reportId ? await ctx.db.select({ citizenId: reports.citizenId, unitId: reports.unitId }).from(reports).where(eq(reports.id, reportId)) : []
    if (r && a.kind === 'citizen') allowed = r.citizenId === a.id && !internal
    if (r && a.kind === 'staff') allowed = a.unitScope.includes(r.unitId)
  }
  if (!allowed) throw notFound('Photo')
  const key = variant === 'thumb' ? (f.thumbKey ?? f.storageKey) : f.storageKey
  return { bytes: await ctx.deps.storage.get(key), contentType: f.contentType }
}

/** Photos attached to a report and to its timeline events. */
export async function photosOf(ctx: Ctx, reportId: string, eventIds: readonly string[]) {
  const rows = await ctx.db
    .select({ id: files.id, name: files.name, thumbKey: files.thumbKey, entityType: files.entityType, entityId: files.entityId, createdAt: files.createdAt })
    .from(files)
    .where(
      eventIds.length
        ? and(inArray(files.entityType, ['report', 'report_event']), inArray(files.entityId, [reportId, ...eventIds]))
        : and(eq(files.entityType, 'report'), eq(files.entityId, reportId)),
    )
  const byEvent = new Map<string, PhotoView[]>()
  for (const r of rows) if (r.entityType === 'report_event' && r.entityId) byEvent.set(r.entityId, [...(byEvent.get(r.entityId) ?? []), photoView(r)])
  return { photos: byUpload(rows.filter((r) => r.entityType === 'report')).map(photoView), byEvent }
}

type PhotoRow = { id: string; name: string; thumbKey: string | null; createdAt: Date }
export type PhotoView = ReturnType<typeof photoView>

const photoView = (r: PhotoRow) => ({ id: r.id, url: fileUrl(r.id), thumbUrl: r.thumbKey ? thumbUrl(r.id) : null, name: r.name })
const byUpload = <R extends PhotoRow>(rows: R[]) => [...rows].sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime())
