import { deflateSync } from 'node:zlib'
import { withExifGps } from '@tp/shared/reports/index'
import type { TestApp } from '../support/app'
import type { Client } from '../support/client'

// Tiny real images (64×48 JPEG, 40×30 PNG and WebP), made once with sharp.
const JPEG_64x48 =
  '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAwAEADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAT/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFgEBAQEAAAAAAAAAAAAAAAAAAAUG/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AhAT2iAAAAAAAAAAAAAAAAAAAAAAf/9k='
const PNG_40x30 =
  'iVBORw0KGgoAAAANSUhEUgAAACgAAAAeCAYAAABe3VzdAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAUElEQVRYhe2UMQ0AQBDC8IQn/DvgVXy4oQN70wBy2svRGsAABoOd98yMJBjsvGvmqIPBnozWAAYwGOy8Z2YkwWDnXTNHHQz2ZLQGMID5a/ABnuEkhSo3s7sAAAAASUVORK5CYII='
const WEBP_40x30 = 'UklGRkgAAABXRUJQVlA4IDwAAAAwAwCdASooAB4APm02l0ikIyIhJWgAgA2JZwDE2BJjuugAAPzK+WZwr2X//Owf/BH/x75i7gFmkwdwAAA='

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'))

/** A real JPEG, optionally carrying EXIF GPS. */
export async function jpeg(opts: { gps?: { lat: number; lng: number } } = {}): Promise<Uint8Array> {
  const bytes = b64(JPEG_64x48)
  return opts.gps ? withExifGps(bytes, opts.gps) : bytes
}
export const png = async () => b64(PNG_40x30)
export const webp = async () => b64(WEBP_40x30)

function crc32(buf: Uint8Array): number {
  let c = ~0
  for (const b of buf) {
    c ^= b
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1))
  }
  return ~c >>> 0
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, data.length)
  out.set(Buffer.from(type, 'ascii'), 4)
  out.set(data, 8)
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)))
  return out
}

/**
 * A decompression bomb: a valid PNG of 20000×20000 pixels (400 megapixels) that is a few hundred
 * kilobytes on disk, because every row is the same zero bytes.
 */
export function pngBomb(side = 20_000): Uint8Array {
  const ihdr = new Uint8Array(13)
  const v = new DataView(ihdr.buffer)
  v.setUint32(0, side)
  v.setUint32(4, side)
  ihdr.set([8, 0, 0, 0, 0], 8) // 8-bit greyscale
  const raw = new Uint8Array((side + 1) * 64) // only the first rows: enough for the header check
  const idat = deflateSync(raw)
  const sig = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array())])
}

export async function upload(c: Client, bytes: Uint8Array, name = 'photo.jpg', type = 'image/jpeg') {
  const form = new FormData()
  form.append('photo', new File([bytes as Uint8Array<ArrayBuffer>], name, { type }))
  return c.post('/api/reports/photos', form)
}

/** A point on 春熙路 (grid JC-02 of the demo jurisdiction, 城区一大队). */
export const CHUNXI = { lat: 30.6702, lng: 104.0601 }
/** Outside every demo grid. */
export const OUTSIDE = { lat: 30.75, lng: 104.2 }

export function congestion(over: Record<string, unknown> = {}) {
  return {
    kind: 'congestion',
    ...CHUNXI,
    locationSource: 'gps',
    address: '春熙路与总府路路口',
    roadName: '春熙路',
    description: '路口车辆排队很长，通行缓慢',
    ...over,
  }
}

export async function zombie(c: Client, over: Record<string, unknown> = {}) {
  const photo = await upload(c, await jpeg())
  if (photo.status !== 201) throw new Error(`upload failed ${photo.status} ${JSON.stringify(photo.body)}`)
  return {
    kind: 'zombie_car',
    lat: 30.6819,
    lng: 104.0912,
    locationSource: 'gps',
    address: '建设北路',
    roadName: '建设北路',
    description: '车辆长期停放，落满灰尘',
    plate: '川A8C5D2',
    attributes: { parked_for: 'gt30d' },
    photoIds: [photo.body.id],
    ...over,
  }
}

/** Moves the app's clock forward by `ms`. */
export function later(t: TestApp, ms: number) {
  t.now.value = new Date(t.now.value.getTime() + ms)
}

/** A console action on the report's current version (read first, so the optimistic lock holds). */
export async function act(c: Client, id: string, body: Record<string, unknown>) {
  const d = await c.get(`/api/console/reports/${id}`)
  return c.post(`/api/console/reports/${id}/actions`, { version: d.body.version, ...body })
}
