import { isValidPlate, normalisePlate } from '@tp/shared/plate-format'
import { DESCRIPTION_MAX, DESCRIPTION_MIN } from '@tp/shared/reports/limits'
import type { Kind } from './api'

/** What the new-report form holds (plain JSON: it is kept as a draft in local storage). */
export interface ReportForm {
  /** Idempotency key of this draft: a retried submit never files twice. */
  key: string
  location: { lat: number; lng: number; source: 'gps' | 'wechat' | 'exif' | 'place' | 'address' | 'map' } | null
  address: string
  roadName: string
  plate: string
  description: string
  attributes: Record<string, string>
  photos: { id: string; thumbUrl: string | null; name: string }[]
}

export const emptyForm = (): ReportForm => ({
  key: `report-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`,
  location: null,
  address: '',
  roadName: '',
  plate: '',
  description: '',
  attributes: {},
  photos: [],
})

/** i18n keys (under reports.form) of what is wrong, by field; the server checks the same rules. */
export function formProblems(form: ReportForm, kind: Kind | undefined): Record<string, { key: string; params?: Record<string, unknown> }> {
  const out: Record<string, { key: string; params?: Record<string, unknown> }> = {}
  if (!form.location) out.location = { key: 'locationRequired' }
  if (form.address.trim().length < 2) out.address = { key: 'addressRequired' }
  const len = form.description.trim().length
  if (len < DESCRIPTION_MIN) out.description = { key: 'descriptionShort' }
  else if (len > DESCRIPTION_MAX) out.description = { key: 'descriptionLong' }
  if (kind?.requiresPlate && !form.plate.trim()) out.plate = { key: 'plateRequired' }
  else if (form.plate.trim() && !isValidPlate(form.plate)) out.plate = { key: 'plateInvalid' }
  if (kind && form.photos.length < kind.minPhotos) out.photos = { key: 'photosRequired', params: { n: kind.minPhotos } }
  for (const f of kind?.fields ?? []) {
    if (f.type !== 'plate' && f.required && !form.attributes[f.code]) out[`attr.${f.code}`] = { key: 'fieldRequired', params: { field: f.code } }
  }
  return out
}

export function toRequestBody(form: ReportForm, kind: Kind) {
  const loc = form.location as NonNullable<ReportForm['location']>
  const attributes = Object.fromEntries(Object.entries(form.attributes).filter(([k, v]) => v && kind.fields.some((f) => f.code === k && f.type !== 'plate')))
  return {
    kind: kind.code,
    lat: loc.lat,
    lng: loc.lng,
    locationSource: loc.source,
    address: form.address.trim(),
    ...(form.roadName ? { roadName: form.roadName } : {}),
    description: form.description.trim(),
    ...(kind.requiresPlate || form.plate.trim() ? { plate: normalisePlate(form.plate) } : {}),
    attributes,
    photoIds: form.photos.map((p) => p.id),
  }
}
