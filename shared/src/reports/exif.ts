import type { LatLng } from './geo'

/**
 * Reads the GPS position from a photo's EXIF block, small enough for the browser (to offer it as
 * the report's location before upload) and used by the server before the metadata is stripped.
 * Accepts a JPEG, an `Exif\0\0`-prefixed block (sharp's metadata().exif) or a bare TIFF header.
 * Never throws: anything malformed gives null.
 */
export function readExifGps(bytes: Uint8Array): LatLng | null {
  try {
    const tiff = findTiff(bytes)
    return tiff === null ? null : readGps(bytes, tiff)
  } catch {
    return null
  }
}

function findTiff(b: Uint8Array): number | null {
  if (isExifHeader(b, 0)) return 6
  if (isTiffHeader(b, 0)) return 0
  if (b[0] !== 0xff || b[1] !== 0xd8) return null
  let i = 2
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return null
    const marker = b[i + 1] as number
    if (marker === 0xd9 || marker === 0xda) return null // end of image / start of scan: no EXIF before it
    const len = ((b[i + 2] as number) << 8) | (b[i + 3] as number)
    if (marker === 0xe1 && isExifHeader(b, i + 4)) return i + 10
    i += 2 + len
  }
  return null
}

function isExifHeader(b: Uint8Array, at: number): boolean {
  return b[at] === 0x45 && b[at + 1] === 0x78 && b[at + 2] === 0x69 && b[at + 3] === 0x66 && b[at + 4] === 0 && b[at + 5] === 0
}

function isTiffHeader(b: Uint8Array, at: number): boolean {
  return (b[at] === 0x49 && b[at + 1] === 0x49 && b[at + 2] === 0x2a) || (b[at] === 0x4d && b[at + 1] === 0x4d && b[at + 3] === 0x2a)
}

function readGps(b: Uint8Array, t: number): LatLng | null {
  const little = b[t] === 0x49
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const u16 = (o: number) => view.getUint16(t + o, little)
  const u32 = (o: number) => view.getUint32(t + o, little)
  const entries = (ifd: number) => {
    const n = u16(ifd)
    if (n > 500) throw new Error('implausible IFD')
    return Array.from({ length: n }, (_, k) => {
      const e = ifd + 2 + k * 12
      return { tag: u16(e), type: u16(e + 2), count: u32(e + 4), valueAt: e + 8 }
    })
  }
  const gpsPtr = entries(u32(4)).find((e) => e.tag === 0x8825)
  if (!gpsPtr) return null
  const gps = entries(u32(gpsPtr.valueAt))
  const ref = (tag: number) => {
    const e = gps.find((x) => x.tag === tag)
    return e ? String.fromCharCode(b[t + e.valueAt] as number) : null
  }
  const dms = (tag: number) => {
    const e = gps.find((x) => x.tag === tag)
    if (e?.type !== 5 || e.count !== 3) return null
    const at = u32(e.valueAt)
    const r = (k: number) => {
      const den = u32(at + k * 8 + 4)
      return den === 0 ? Number.NaN : u32(at + k * 8) / den
    }
    return r(0) + r(1) / 60 + r(2) / 3600
  }
  const lat = dms(2)
  const lng = dms(4)
  if (lat === null || lng === null || !Number.isFinite(lat) || !Number.isFinite(lng)) return null
  const out = { lat: ref(1) === 'S' ? -lat : lat, lng: ref(3) === 'W' ? -lng : lng }
  if (Math.abs(out.lat) > 90 || Math.abs(out.lng) > 180 || (out.lat === 0 && out.lng === 0)) return null
  return { lat: Math.round(out.lat * 1e6) / 1e6, lng: Math.round(out.lng * 1e6) / 1e6 }
}

/**
 * Builds a minimal big-endian EXIF block (`Exif\0\0` + TIFF) holding only a GPS position, and a
 * JPEG with it inserted after SOI. Used by tests and fixtures.
 */
export function buildExifGps(p: LatLng): Uint8Array {
  const toDms = (x: number) => {
    const a = Math.abs(x)
    const d = Math.floor(a)
    const m = Math.floor((a - d) * 60)
    const s = Math.round(((a - d) * 60 - m) * 60 * 10000)
    return [d, 1, m, 1, s, 10000]
  }
  const bytes: number[] = []
  const u16 = (v: number) => bytes.push((v >> 8) & 0xff, v & 0xff)
  const u32 = (v: number) => bytes.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff)
  bytes.push(0x45, 0x78, 0x69, 0x66, 0, 0, 0x4d, 0x4d, 0, 0x2a)
  u32(8) // IFD0 at 8
  // IFD0: one entry (GPS pointer), next IFD 0. Size 2 + 12 + 4 = 18 → GPS IFD at 26.
  u16(1)
  u16(0x8825)
  u16(4)
  u32(1)
  u32(26)
  u32(0)
  // GPS IFD: 4 entries → 2 + 48 + 4 = 54 → rationals at 80.
  u16(4)
  const entry = (tag: number, type: number, count: number, value: number, inline?: number[]) => {
    u16(tag)
    u16(type)
    u32(count)
    if (inline) bytes.push(...inline)
    else u32(value)
  }
  entry(1, 2, 2, 0, [p.lat < 0 ? 0x53 : 0x4e, 0, 0, 0])
  entry(2, 5, 3, 80)
  entry(3, 2, 2, 0, [p.lng < 0 ? 0x57 : 0x45, 0, 0, 0])
  entry(4, 5, 3, 104)
  u32(0)
  for (const v of [...toDms(p.lat), ...toDms(p.lng)]) u32(v)
  return Uint8Array.from(bytes)
}

export function withExifGps(jpeg: Uint8Array, p: LatLng): Uint8Array {
  const exif = buildExifGps(p)
  const len = exif.length + 2
  const out = new Uint8Array(jpeg.length + exif.length + 4)
  out.set(jpeg.subarray(0, 2), 0)
  out.set([0xff, 0xe1, (len >> 8) & 0xff, len & 0xff], 2)
  out.set(exif, 6)
  out.set(jpeg.subarray(2), 6 + exif.length)
  return out
}
