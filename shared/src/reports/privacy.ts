import { coarsen, type LatLng } from './geo'
import type { ReportState } from './machine'
import { stateTypeOf } from './machine'

/** 川A12345 → 川A1**45: enough to recognise a car one knows, not to look up its owner. */
export function maskPlate(plate: string | null | undefined): string {
  if (!plate) return ''
  const chars = [...plate]
  if (chars.length <= 4) return '*'.repeat(chars.length)
  return chars.map((c, i) => (i >= 3 && i < chars.length - 2 ? '*' : c)).join('')
}

/** Public and Open311 views: open zombie-car reports show only a ~250 m cell, never the exact spot. */
export function publicLocation(kindCourse: 'standard' | 'zombie', state: ReportState, p: LatLng): LatLng & { coarsened: boolean } {
  if (kindCourse === 'zombie' && stateTypeOf(state) === 'open') return { ...coarsen(p, 250), coarsened: true }
  return { lat: p.lat, lng: p.lng, coarsened: false }
}

/** Free text shown publicly: plates masked, phone numbers and ID numbers removed. */
export function publicText(text: string, plate?: string | null): string {
  let out = text
  if (plate) out = out.split(plate).join(maskPlate(plate))
  return out.replace(/1[3-9]\d{9}/g, '***********').replace(/\d{17}[\dXx]/g, '******************')
}
