import type { BBox, LatLng } from './geo'

/**
 * Fits points into a width × height box (equirectangular, longitude scaled by cos(latitude), north
 * up, aspect kept): the console and H5 plot maps with it when no tile server is configured.
 */
export function projector(box: BBox, width: number, height: number, padding = 16) {
  const midLat = ((box.minLat + box.maxLat) / 2) * (Math.PI / 180)
  const kx = Math.cos(midLat)
  const spanX = Math.max(1e-9, (box.maxLng - box.minLng) * kx)
  const spanY = Math.max(1e-9, box.maxLat - box.minLat)
  const scale = Math.min((width - 2 * padding) / spanX, (height - 2 * padding) / spanY)
  const offX = (width - spanX * scale) / 2
  const offY = (height - spanY * scale) / 2
  return {
    toXY: (p: LatLng) => ({ x: offX + (p.lng - box.minLng) * kx * scale, y: height - offY - (p.lat - box.minLat) * scale }),
    toLatLng: (x: number, y: number): LatLng => ({ lat: box.minLat + (height - offY - y) / scale, lng: box.minLng + (x - offX) / (kx * scale) }),
  }
}

/** The box around a set of points (and grid outlines), never empty. */
export function bboxOfPoints(points: readonly LatLng[]): BBox {
  if (!points.length) return { minLat: 30.63, maxLat: 30.69, minLng: 104.02, maxLng: 104.1 }
  const box = { minLat: 90, maxLat: -90, minLng: 180, maxLng: -180 }
  for (const p of points) {
    box.minLat = Math.min(box.minLat, p.lat)
    box.maxLat = Math.max(box.maxLat, p.lat)
    box.minLng = Math.min(box.minLng, p.lng)
    box.maxLng = Math.max(box.maxLng, p.lng)
  }
  const pad = 0.002
  return { minLat: box.minLat - pad, maxLat: box.maxLat + pad, minLng: box.minLng - pad, maxLng: box.maxLng + pad }
}

/** Web Mercator world pixel coordinates at `zoom` (256 px tiles), as slippy-map tile servers use. */
export function mercatorPx(p: LatLng, zoom: number): { x: number; y: number } {
  const size = 256 * 2 ** zoom
  const lat = Math.max(-85.05112878, Math.min(85.05112878, p.lat)) * (Math.PI / 180)
  return { x: ((p.lng + 180) / 360) * size, y: ((1 - Math.log(Math.tan(lat) + 1 / Math.cos(lat)) / Math.PI) / 2) * size }
}

export function fromMercatorPx(x: number, y: number, zoom: number): LatLng {
  const size = 256 * 2 ** zoom
  const lng = (x / size) * 360 - 180
  const n = Math.PI - (2 * Math.PI * y) / size
  return { lat: (180 / Math.PI) * Math.atan(Math.sinh(n)), lng }
}
