import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildExifGps, readExifGps, withExifGps } from './exif'
import { areaM2, bboxOf, boxAround, centreOf, coarsen, type GridGeometry, haversineM, pointInGeometry } from './geo'

const square = (lng: number, lat: number, d: number): Extract<GridGeometry, { type: 'Polygon' }> => ({
  type: 'Polygon',
  coordinates: [
    [
      [lng, lat],
      [lng + d, lat],
      [lng + d, lat + d],
      [lng, lat + d],
      [lng, lat],
    ],
  ],
})

describe('point in polygon', () => {
  const g = square(104.0, 30.6, 0.02)
  it('finds points inside and outside a square grid', () => {
    expect(pointInGeometry({ lat: 30.61, lng: 104.01 }, g)).toBe(true)
    expect(pointInGeometry({ lat: 30.63, lng: 104.01 }, g)).toBe(false)
    expect(pointInGeometry({ lat: 30.61, lng: 103.99 }, g)).toBe(false)
  })
  it('excludes holes and handles multipolygons', () => {
    const withHole: GridGeometry = {
      type: 'Polygon',
      coordinates: [...square(104.0, 30.6, 0.02).coordinates, ...square(104.005, 30.605, 0.01).coordinates],
    }
    expect(pointInGeometry({ lat: 30.61, lng: 104.01 }, withHole)).toBe(false)
    expect(pointInGeometry({ lat: 30.601, lng: 104.001 }, withHole)).toBe(true)
    const multi: GridGeometry = { type: 'MultiPolygon', coordinates: [square(104.0, 30.6, 0.01).coordinates, square(104.1, 30.7, 0.01).coordinates] }
    expect(pointInGeometry({ lat: 30.705, lng: 104.105 }, multi)).toBe(true)
    expect(pointInGeometry({ lat: 30.65, lng: 104.05 }, multi)).toBe(false)
  })
  it('handles a concave (L-shaped) grid', () => {
    const l: GridGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [2, 0],
          [2, 1],
          [1, 1],
          [1, 2],
          [0, 2],
          [0, 0],
        ],
      ],
    }
    expect(pointInGeometry({ lat: 0.5, lng: 1.5 }, l)).toBe(true)
    expect(pointInGeometry({ lat: 1.5, lng: 1.5 }, l)).toBe(false)
    expect(pointInGeometry({ lat: 1.5, lng: 0.5 }, l)).toBe(true)
  })
  it('property: every point in the bbox interior of a square is inside it', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.double({ min: 0.001, max: 0.999, noNaN: true }), (u, v) =>
        pointInGeometry({ lat: 30.6 + v * 0.02, lng: 104 + u * 0.02 }, g),
      ),
    )
  })
  it('computes a bbox, an area and a centre', () => {
    expect(bboxOf(g)).toEqual({ minLat: 30.6, maxLat: 30.62, minLng: 104, maxLng: 104.02 })
    // 0.02° × 0.02° at 30.6°N ≈ 1.916 km × 2.211 km
    expect(areaM2(g) / 1e6).toBeCloseTo(4.24, 1)
    expect(centreOf(g)).toEqual({ lat: 30.61, lng: 104.01 })
  })
})

describe('distance', () => {
  it('measures known distances', () => {
    // one degree of latitude ≈ 111.2 km
    expect(haversineM({ lat: 30, lng: 104 }, { lat: 31, lng: 104 }) / 1000).toBeCloseTo(111.2, 0)
    expect(haversineM({ lat: 30.66, lng: 104.06 }, { lat: 30.66, lng: 104.06 })).toBe(0)
  })
  it('property: symmetric, and the box around a point contains every point within the radius', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 20, max: 45, noNaN: true }),
        fc.double({ min: 100, max: 120, noNaN: true }),
        fc.double({ min: -0.01, max: 0.01, noNaN: true }),
        fc.double({ min: -0.01, max: 0.01, noNaN: true }),
        (lat, lng, dLat, dLng) => {
          const a = { lat, lng }
          const b = { lat: lat + dLat, lng: lng + dLng }
          const d = haversineM(a, b)
          expect(Math.abs(d - haversineM(b, a))).toBeLessThan(1e-6)
          const box = boxAround(a, d + 1)
          return b.lat >= box.minLat && b.lat <= box.maxLat && b.lng >= box.minLng && b.lng <= box.maxLng
        },
      ),
    )
  })
})

describe('coarsening', () => {
  it('property: moves a point by at most the cell diagonal, and is stable', () => {
    fc.assert(
      fc.property(fc.double({ min: 20, max: 45, noNaN: true }), fc.double({ min: 100, max: 120, noNaN: true }), (lat, lng) => {
        const c = coarsen({ lat, lng }, 250)
        expect(haversineM(c, { lat, lng })).toBeLessThanOrEqual((250 * Math.SQRT2) / 2 + 2)
        expect(coarsen(c, 250)).toEqual(c)
      }),
    )
  })
  it('maps nearby points to the same cell centre', () => {
    const a = coarsen({ lat: 30.66012, lng: 104.06031 })
    const b = coarsen({ lat: 30.66015, lng: 104.06035 })
    expect(a).toEqual(b)
  })
})

describe('EXIF GPS', () => {
  const jpegStub = Uint8Array.from([0xff, 0xd8, 0xff, 0xdb, 0x00, 0x04, 0x00, 0x00, 0xff, 0xd9])
  it('reads back a position written into a JPEG', () => {
    const p = readExifGps(withExifGps(jpegStub, { lat: 30.657, lng: 104.066 }))
    expect(p?.lat).toBeCloseTo(30.657, 5)
    expect(p?.lng).toBeCloseTo(104.066, 5)
  })
  it('reads sharp-style Exif blocks and southern/western positions', () => {
    const p = readExifGps(buildExifGps({ lat: -33.8688, lng: -151.2093 }))
    expect(p?.lat).toBeCloseTo(-33.8688, 4)
    expect(p?.lng).toBeCloseTo(-151.2093, 4)
  })
  it('returns null for photos without GPS and for garbage', () => {
    expect(readExifGps(jpegStub)).toBeNull()
    expect(readExifGps(new Uint8Array([1, 2, 3]))).toBeNull()
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => readExifGps(b) === null || typeof readExifGps(b)?.lat === 'number'))
  })
})

describe('projection for plotted maps', () => {
  it('property: projecting and back returns the point, north is up', async () => {
    const { projector, bboxOfPoints } = await import('./geo')
    const box = bboxOfPoints([
      { lat: 30.63, lng: 104.02 },
      { lat: 30.69, lng: 104.1 },
    ])
    const p = projector(box, 800, 500)
    fc.assert(
      fc.property(fc.double({ min: 30.63, max: 30.69, noNaN: true }), fc.double({ min: 104.02, max: 104.1, noNaN: true }), (lat, lng) => {
        const xy = p.toXY({ lat, lng })
        const back = p.toLatLng(xy.x, xy.y)
        return Math.abs(back.lat - lat) < 1e-9 && Math.abs(back.lng - lng) < 1e-9 && xy.x >= 0 && xy.x <= 800 && xy.y >= 0 && xy.y <= 500
      }),
    )
    expect(p.toXY({ lat: 30.69, lng: 104.06 }).y).toBeLessThan(p.toXY({ lat: 30.63, lng: 104.06 }).y)
  })
})

describe('web mercator', () => {
  it('property: round-trips a point at city zoom', async () => {
    const { mercatorPx, fromMercatorPx } = await import('./geo')
    fc.assert(
      fc.property(fc.double({ min: 20, max: 45, noNaN: true }), fc.double({ min: 100, max: 120, noNaN: true }), (lat, lng) => {
        const { x, y } = mercatorPx({ lat, lng }, 15)
        const back = fromMercatorPx(x, y, 15)
        return Math.abs(back.lat - lat) < 1e-9 && Math.abs(back.lng - lng) < 1e-9
      }),
    )
    // Tile 0/0/0 covers the world: (0°, 0°) is its centre.
    expect(mercatorPx({ lat: 0, lng: 0 }, 0)).toEqual({ x: 128, y: 128 })
  })
})
