import { api, toApiError, unwrap } from '@/api/client'
import type { paths } from '@/api/schema'

type Json<P extends keyof paths, M extends 'get' | 'post' | 'put'> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer T } } } }
  ? T
  : paths[P][M] extends { responses: { 201: { content: { 'application/json': infer T } } } }
    ? T
    : never

export type FollowUpItem = Json<'/api/console/ratings/followups', 'get'>['items'][number]
export type FollowUpDetail = Json<'/api/console/ratings/followups/{id}', 'get'>
export type FollowUpCounts = Json<'/api/console/ratings/followups/counts', 'get'>
export type SatisfactionReport = Json<'/api/console/ratings/dashboard/satisfaction', 'get'>
export type Ranking = Json<'/api/console/ratings/dashboard/ranking', 'get'>
export type QueueReport = Json<'/api/console/ratings/dashboard/queue', 'get'>
export type RatingItem = Json<'/api/console/ratings', 'get'>['items'][number]
export type Device = Json<'/api/console/ratings/devices', 'get'>['items'][number]
export type IssuedDevice = Json<'/api/console/ratings/devices', 'post'>
export type RatingConfig = Json<'/api/console/ratings/config', 'get'>
export type EvaluatorState = Json<'/api/evaluator/windows/{windowId}', 'get'>
export type MyStats = Json<'/api/console/ratings/me', 'get'>
export type ExportQuery = NonNullable<paths['/api/console/ratings/export.xlsx']['get']['parameters']['query']>

/** Downloads an XLSX export (the server audits it). */
export async function downloadXlsx(query: ExportQuery, filename: string): Promise<void> {
  const res = await api.GET('/api/console/ratings/export.xlsx', { params: { query }, parseAs: 'blob' })
  if (!res.response.ok || !res.data) throw toApiError(res.error, res.response)
  const url = URL.createObjectURL(res.data as Blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export const getCounts = () => unwrap(api.GET('/api/console/ratings/followups/counts'))

/** '2026-03' for the current month in China time, and `n` months before it. */
export function monthOf(date = new Date(), back = 0): string {
  const cn = new Date(date.getTime() + 8 * 3600_000)
  const d = new Date(Date.UTC(cn.getUTCFullYear(), cn.getUTCMonth() - back, 1))
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`
}

/** A rate as '95.2%' (one decimal), or '—' without ratings. */
export function pct(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${Math.round(rate * 1000) / 10}%`
}
