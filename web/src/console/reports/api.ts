import { api, toApiError, unwrap } from '@/api/client'
import type { paths } from '@/api/schema'

/** Verb-named calls of the console's report pages (types from the generated schema). */
export type QueueItem = paths['/api/console/reports']['get']['responses'][200]['content']['application/json']['items'][number]
export type QueueQuery = NonNullable<paths['/api/console/reports']['get']['parameters']['query']>
export type ConsoleReport = paths['/api/console/reports/{id}']['get']['responses'][200]['content']['application/json']
export type StaffAction = paths['/api/console/reports/{id}/actions']['post']['requestBody']['content']['application/json']
export type Officer = paths['/api/console/reports/{id}/officers']['get']['responses'][200]['content']['application/json']['items'][number]
export type Stats = paths['/api/console/reports/stats']['get']['responses'][200]['content']['application/json']
export type Counts = paths['/api/console/reports/counts']['get']['responses'][200]['content']['application/json']
export type Open311KeyRow = paths['/api/console/open311/keys']['get']['responses'][200]['content']['application/json']['items'][number]

export const getQueue = (query: QueueQuery) => unwrap(api.GET('/api/console/reports', { params: { query } }))
export const getCounts = () => unwrap(api.GET('/api/console/reports/counts'))
export const getReport = (id: string) => unwrap(api.GET('/api/console/reports/{id}', { params: { path: { id } } }))
export const actOnReport = (id: string, body: StaffAction) => unwrap(api.POST('/api/console/reports/{id}/actions', { params: { path: { id } }, body }))
export const addNote = (id: string, text: string) => unwrap(api.POST('/api/console/reports/{id}/notes', { params: { path: { id } }, body: { text } }))
export const revealReporter = (id: string) => unwrap(api.POST('/api/console/reports/{id}/reporter', { params: { path: { id } } }))
export const getOfficers = (id: string) => unwrap(api.GET('/api/console/reports/{id}/officers', { params: { path: { id } } })).then((r) => r.items)
export const mergeReports = (intoId: string, ids: string[]) => unwrap(api.POST('/api/console/reports/merge', { body: { intoId, ids } }))
export const getGrids = () => unwrap(api.GET('/api/console/grids')).then((r) => r.items)
export type GridRow = Awaited<ReturnType<typeof getGrids>>[number]
export const importGrids = (body: unknown) => unwrap(api.POST('/api/console/grids/import', { body: body as never }))
export const exportGrids = () => unwrap(api.GET('/api/console/grids/export'))
export const patchGrid = (id: string, body: paths['/api/console/grids/{id}']['patch']['requestBody']['content']['application/json']) =>
  unwrap(api.PATCH('/api/console/grids/{id}', { params: { path: { id } }, body }))
export const getStats = (query: { from: string; to: string; kind?: string }) => unwrap(api.GET('/api/console/reports/stats', { params: { query } }))
export const getKeys = () => unwrap(api.GET('/api/console/open311/keys')).then((r) => r.items)
export const createKey = (name: string) =>
  unwrap(api.POST('/api/console/open311/keys', { body: { name }, headers: { 'idempotency-key': `o311-${Date.now()}` } }))
export const revokeKey = (id: string) => unwrap(api.POST('/api/console/open311/keys/{id}/revoke', { params: { path: { id } } }))

export async function uploadStaffPhoto(file: File) {
  const form = new FormData()
  form.append('photo', file, file.name)
  return unwrap(api.POST('/api/reports/photos', { body: form as never, bodySerializer: (b: unknown) => b as FormData }))
}

/** Downloads an export (CSV or XLSX) as a file. */
export async function downloadExport(format: 'csv' | 'xlsx', query: { from: string; to: string; kind?: string }) {
  const path = format === 'csv' ? '/api/console/reports/export.csv' : '/api/console/reports/export.xlsx'
  const res = await api.GET(path as '/api/console/reports/export.xlsx', { params: { query }, parseAs: 'blob' })
  if (!res.response.ok || !res.data) throw toApiError(res.error, res.response)
  const url = URL.createObjectURL(res.data as unknown as Blob)
  const a = document.createElement('a')
  a.href = url
  a.download = `reports-${query.from}-${query.to}.${format}`
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** A short two-tone chime (Web Audio, no asset): a new report arrived. */
export function chime(): void {
  try {
    const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext
    if (!Ctx) return
    const ctx = new Ctx()
    for (const [i, f] of [880, 1320].entries()) {
      const o = ctx.createOscillator()
      const g = ctx.createGain()
      o.frequency.value = f
      g.gain.setValueAtTime(0.15, ctx.currentTime + i * 0.18)
      g.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + i * 0.18 + 0.16)
      o.connect(g).connect(ctx.destination)
      o.start(ctx.currentTime + i * 0.18)
      o.stop(ctx.currentTime + i * 0.18 + 0.17)
    }
    setTimeout(() => void ctx.close(), 800)
  } catch {}
}

/** Map dot / row colour from state type and due. */
export function toneOf(r: { stateType: string; overdue: boolean; dueAt: string | null }, now = Date.now()): 'open' | 'soon' | 'overdue' | 'done' | 'closed' {
  if (r.stateType === 'fixed') return 'done'
  if (r.stateType === 'closed') return 'closed'
  if (r.overdue) return 'overdue'
  if (r.dueAt && new Date(r.dueAt).getTime() - now < 10 * 60_000) return 'soon'
  return 'open'
}
