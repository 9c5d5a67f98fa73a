import { z } from 'zod'

/** WGS84 coordinates; GeoJSON positions are [longitude, latitude]. */
export interface LatLng {
  lat: number
  lng: number
}

export const Latitude = z.number().min(-90).max(90)
export const Longitude = z.number().min(-180).max(180)

const Position = z.tuple([Longitude, Latitude]).rest(z.number())
/** A closed ring: at least four positions, the last equal to the first. */
const Ring = z
  .array(Position)
  .min(4)
  .max(5000)
  .refine((r) => {
    const a = r[0]
    const b = r[r.length - 1]
    return !!a && !!b && a[0] === b[0] && a[1] === b[1]
  }, 'A ring must end where it starts')

export const PolygonGeometry = z.object({ type: z.literal('Polygon'), coordinates: z.array(Ring).min(1).max(50) })
export const MultiPolygonGeometry = z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(Ring).min(1).max(50)).min(1).max(50) })
export const GridGeometry = z.discriminatedUnion('type', [PolygonGeometry, MultiPolygonGeometry])
export type GridGeometry = z.infer<typeof GridGeometry>

type Ring = readonly (readonly number[])[]

/** Ray casting over one ring (points exactly on an edge may fall either way). */
function inRing(p: LatLng, ring: Ring): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number]
    const [xj, yj] = ring[j] as [number, number]
    if (yi > p.lat !== yj > p.lat && p.lng < ((xj - xi) * (p.lat - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

function inPolygon(p: LatLng, rings: readonly Ring[]): boolean {
  const [outer, ...holes] = rings
  if (!outer || !inRing(p, outer)) return false
  return !holes.some((h) => inRing(p, h))
}

export function pointInGeometry(p: LatLng, g: GridGeometry): boolean {
  if (g.type === 'Polygon') return inPolygon(p, g.coordinates)
  return g.coordinates.some((poly) => inPolygon(p, poly))
}

export interface BBox {
  minLat: number
  maxLat: number
  minLng: number
  maxLng: number
}

export function bboxOf(g: GridGeometry): BBox {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates
  const box = { minLat: 90, maxLat: -90, minLng: 180, maxLng: -180 }
  for (const poly of polys) {
    for (const [lng, lat] of (poly[0] ?? []) as [number, number][]) {
      box.minLat = Math.min(box.minLat, lat)
      box.maxLat = Math.max(box.maxLat, lat)
      box.minLng = Math.min(box.minLng, lng)
      box.maxLng = Math.max(box.maxLng, lng)
    }
  }
  return box
}

/** Approximate area in m² (equirectangular, fine at city scale): picks the smallest of overlapping grids. */
export function areaM2(g: GridGeometry): number {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates
  let total = 0
  for (const poly of polys) {
    poly.forEach((ring, k) => {
      const lat0 = ((ring[0]?.[1] ?? 0) * Math.PI) / 180
      let a = 0
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i] as [number, number]
        const [xj, yj] = ring[j] as [number, number]
        a += xj * yi - xi * yj
      }
      const m2 = Math.abs(a / 2) * (111_320 * Math.cos(lat0)) * 110_540
      total += k === 0 ? m2 : -m2
    })
  }
  return total
}

const EARTH_RADIUS_M = 6_371_008.8

/** Great-circle distance in metres. */
export function haversineM(a: LatLng, b: LatLng): number {
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLng = (b.lng - a.lng) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** A box that contains every point within `radiusM` of `p`: a cheap SQL prefilter before haversine. */
export function boxAround(p: LatLng, radiusM: number): BBox {
  // Metres per degree rounded down (a little generous), longitude at the box's poleward edge.
  const dLat = radiusM / 110_000
  const edge = Math.min(89.9, Math.abs(p.lat) + dLat)
  const dLng = radiusM / (110_000 * Math.max(0.01, Math.cos((edge * Math.PI) / 180)))
  return { minLat: p.lat - dLat, maxLat: p.lat + dLat, minLng: p.lng - dLng, maxLng: p.lng + dLng }
}

/**
 * Snaps a point to the centre of a cell about `cellM` metres wide, so a public view cannot locate a
 * parked car (and so whoever reported it) closer than that. Deterministic: the same point always
 * lands on the same centre, so averaging repeated views reveals nothing more.
 */
export function coarsen(p: LatLng, cellM = 250): LatLng {
  const dLat = cellM / 110_540
  const latCell = Math.floor(p.lat / dLat)
  const lat = (latCell + 0.5) * dLat
  const dLng = cellM / (111_320 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)))
  const lng = (Math.floor(p.lng / dLng) + 0.5) * dLng
  return { lat: round6(lat), lng: round6(lng) }
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6

/** The mean of a polygon's outer ring: a label position for maps. */
export function centreOf(g: GridGeometry): LatLng {
  const ring = (g.type === 'Polygon' ? g.coordinates[0] : g.coordinates[0]?.[0]) ?? []
  const pts = ring.slice(0, -1)
  const n = Math.max(1, pts.length)
  return { lat: round6(pts.reduce((s, p) => s + (p[1] as number), 0) / n), lng: round6(pts.reduce((s, p) => s + (p[0] as number), 0) / n) }
}

// Map projections live apart from the zod schemas above, so map code in the browser loads no zod.
export { bboxOfPoints, fromMercatorPx, mercatorPx, projector } from './map-projection'
