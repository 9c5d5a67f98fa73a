import type { NearbyReport, Place } from '@tp/shared/reports/index'
import { api, unwrap } from '@/api/client'
import type { paths } from '@/api/schema'
import { earlyFetch } from '../early'

/** Verb-named calls of the citizen's report pages (types from the generated schema). */
export type ReportDetail = paths['/api/reports/{id}']['get']['responses'][200]['content']['application/json']
export type ReportSummary = paths['/api/reports']['get']['responses'][200]['content']['application/json']['items'][number]
export type ReportCreateBody = paths['/api/reports']['post']['requestBody']['content']['application/json']
export type Kind = paths['/api/reports/kinds']['get']['responses'][200]['content']['application/json']['items'][number]
export type Uploaded = paths['/api/reports/photos']['post']['responses'][201]['content']['application/json']

let kindsCache: Promise<Kind[]> | null = null
export function getKinds(): Promise<Kind[]> {
  kindsCache ??= unwrap(api.GET('/api/reports/kinds', { fetch: earlyFetch('/api/reports/kinds') })).then((r) => r.items)
  kindsCache.catch(() => {
    kindsCache = null
  })
  return kindsCache
}

export async function searchPlaces(q: string): Promise<Place[]> {
  return (await unwrap(api.GET('/api/reports/places', { params: { query: { q: q || undefined } } }))).items
}

export async function findNearby(q: { kind: string; lat: number; lng: number; plate?: string }): Promise<NearbyReport[]> {
  return (await unwrap(api.GET('/api/reports/nearby', { params: { query: q } }))).items as NearbyReport[]
}

export async function uploadPhoto(file: File): Promise<Uploaded> {
  const form = new FormData()
  form.append('photo', file, file.name)
  return unwrap(api.POST('/api/reports/photos', { body: form as never, bodySerializer: (b: unknown) => b as FormData }))
}

export async function createReport(body: ReportCreateBody, key: string): Promise<ReportDetail> {
  return unwrap(api.POST('/api/reports', { body, headers: { 'idempotency-key': key } }))
}

export async function listMyReports(q: { cursor?: string; stateType?: 'open' | 'closed' | 'fixed' }) {
  return unwrap(api.GET('/api/reports', { params: { query: { limit: 20, ...q } } }))
}

export async function getReport(id: string): Promise<ReportDetail> {
  return unwrap(api.GET('/api/reports/{id}', { params: { path: { id } } }))
}

export async function withdrawReport(id: string): Promise<ReportDetail> {
  return unwrap(api.POST('/api/reports/{id}/withdraw', { params: { path: { id } }, body: {} }))
}

export async function disputeReport(id: string, reason: string): Promise<ReportDetail> {
  return unwrap(api.POST('/api/reports/{id}/dispute', { params: { path: { id } }, body: { reason } }))
}

export async function rateReport(id: string, score: number, comment?: string): Promise<ReportDetail> {
  return unwrap(api.POST('/api/reports/{id}/rate', { params: { path: { id } }, body: { score, ...(comment ? { comment } : {}) } }))
}

export async function meToo(id: string) {
  return unwrap(api.POST('/api/reports/{id}/me-too', { params: { path: { id } } }))
}
