import type { DecisionBody } from '@tp/shared/appeals/schemas'
import { api, unwrap } from '@/api/client'
import type { paths } from '@/api/schema'

/** Verb-named calls of the legal office's pages (types from the generated schema). */
type Json<P extends keyof paths, M extends 'get' | 'post' | 'put' | 'delete'> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } }
}
  ? T
  : never

export type QueueResult = Json<'/api/console/appeals', 'get'>
export type QueueItem = QueueResult['items'][number]
export type QueueQuery = NonNullable<paths['/api/console/appeals']['get']['parameters']['query']>
export type Counts = Json<'/api/console/appeals/counts', 'get'>
export type StaffAppeal = Json<'/api/console/appeals/{id}', 'get'>
export type Reviewer = Json<'/api/console/appeals/reviewers', 'get'>['items'][number]
export type Report = Json<'/api/console/appeals/report', 'get'>
export type Letter = Json<'/api/console/appeals/{id}/letter', 'get'>
export type TicketRow = Json<'/api/console/tickets', 'get'>['items'][number]
export type ImportRecord = Json<'/api/console/tickets/imports', 'get'>['items'][number]
export type ApiKey = Json<'/api/console/api-keys', 'get'>['items'][number]
export type CalendarYear = Json<'/api/console/calendar', 'get'>
export type ImportResult = Json<'/api/console/tickets/import', 'post'>

export const getQueue = (query: QueueQuery) => unwrap(api.GET('/api/console/appeals', { params: { query } }))
export const getCounts = () => unwrap(api.GET('/api/console/appeals/counts'))
export const getAppeal = (id: string) => unwrap(api.GET('/api/console/appeals/{id}', { params: { path: { id } } }))
export const getReviewers = async () => (await unwrap(api.GET('/api/console/appeals/reviewers'))).items
export const getLetter = (id: string, locale: 'zh-CN' | 'en') =>
  unwrap(api.GET('/api/console/appeals/{id}/letter', { params: { path: { id }, query: { locale } } }))
export const revealContact = (id: string) => unwrap(api.POST('/api/console/appeals/{id}/contact', { params: { path: { id } } }))
export const getReport = (query: { period: 'month' | 'quarter'; year: number; index: number; unitId?: string }) =>
  unwrap(api.GET('/api/console/appeals/report', { params: { query } }))

const p = (id: string) => ({ path: { id } })
export const accept = (id: string, version: number, assign: string) =>
  unwrap(api.POST('/api/console/appeals/{id}/accept', { params: p(id), body: { version, assign } }))
export const refuse = (id: string, version: number, reason: string, note?: string) =>
  unwrap(api.POST('/api/console/appeals/{id}/refuse', { params: p(id), body: { version, reason: reason as never, ...(note ? { note } : {}) } }))
export const assign = (id: string, version: number, assignee: string) =>
  unwrap(api.POST('/api/console/appeals/{id}/assign', { params: p(id), body: { version, assignee } }))
export const requestMaterial = (id: string, version: number, items: string) =>
  unwrap(api.POST('/api/console/appeals/{id}/material-requests', { params: p(id), body: { version, items } }))
export const resume = (id: string, version: number, note: string) =>
  unwrap(api.POST('/api/console/appeals/{id}/resume', { params: p(id), body: { version, note } }))
export const saveFindings = (id: string, version: number, findings: string) =>
  unwrap(api.POST('/api/console/appeals/{id}/findings', { params: p(id), body: { version, findings } }))
export const decide = (id: string, body: DecisionBody) => unwrap(api.POST('/api/console/appeals/{id}/decision', { params: p(id), body: body as never }))
export const approve = (id: string, version: number, approveIt: boolean, note?: string) =>
  unwrap(api.POST('/api/console/appeals/{id}/approval', { params: p(id), body: { version, approve: approveIt, ...(note ? { note } : {}) } }))
export const requestExtension = (id: string, version: number, days: number, reason: string) =>
  unwrap(api.POST('/api/console/appeals/{id}/extensions', { params: p(id), body: { version, days, reason } }))
export const decideExtension = (id: string, version: number, approveIt: boolean, note?: string) =>
  unwrap(api.POST('/api/console/appeals/{id}/extension-decision', { params: p(id), body: { version, approve: approveIt, ...(note ? { note } : {}) } }))

export const listTickets = (query: { page: number; pageSize: number; q?: string; status?: 'effective' | 'corrected' | 'revoked'; unitId?: string }) =>
  unwrap(api.GET('/api/console/tickets', { params: { query } }))
export const listImports = async () => (await unwrap(api.GET('/api/console/tickets/imports'))).items
export function importFile(file: File, dryRun: boolean) {
  const form = new FormData()
  form.append('file', file, file.name)
  if (dryRun) form.append('dryRun', 'true')
  return unwrap(api.POST('/api/console/tickets/import', { body: form as never, bodySerializer: (b: unknown) => b as FormData }))
}
export const listApiKeys = async () => (await unwrap(api.GET('/api/console/api-keys'))).items
export const createApiKey = (name: string) => unwrap(api.POST('/api/console/api-keys', { body: { name }, headers: { 'idempotency-key': crypto.randomUUID() } }))
export const revokeApiKey = (id: string) => unwrap(api.DELETE('/api/console/api-keys/{id}', { params: p(id) }))

export const getCalendar = (year: number) => unwrap(api.GET('/api/console/calendar', { params: { query: { year } } }))
export const putOverride = (date: string, working: boolean, name: string) =>
  unwrap(api.PUT('/api/console/calendar/overrides/{date}', { params: { path: { date } }, body: { working, name } }))
export type AppealTypeSetting = Json<'/api/console/appeals/types', 'get'>['items'][number]
export const getTypeSettings = async () => (await unwrap(api.GET('/api/console/appeals/types'))).items
export type TypeSettingsBody = paths['/api/console/appeals/types/{key}']['put']['requestBody']['content']['application/json']
export type TypeCreateBody = paths['/api/console/appeals/types']['post']['requestBody']['content']['application/json']
export const putTypeSettings = (key: AppealTypeSetting['key'], body: TypeSettingsBody) =>
  unwrap(api.PUT('/api/console/appeals/types/{key}', { params: { path: { key } }, body }))
export const addType = (body: TypeCreateBody) => unwrap(api.POST('/api/console/appeals/types', { body }))

export type OptionLists = Json<'/api/console/appeals/options', 'get'>
export type OptionListName = keyof OptionLists
export type ConfiguredOption = OptionLists['grounds'][number]
export type OptionBody = paths['/api/console/appeals/options/{list}/{key}']['put']['requestBody']['content']['application/json']
export const getOptions = () => unwrap(api.GET('/api/console/appeals/options'))
export const addOption = (list: OptionListName, body: OptionBody & { key: string }) =>
  unwrap(api.POST('/api/console/appeals/options/{list}', { params: { path: { list } }, body }))
export const putOption = (list: OptionListName, key: string, body: OptionBody) =>
  unwrap(api.PUT('/api/console/appeals/options/{list}/{key}', { params: { path: { list, key } }, body }))
export const orderOptions = async (list: OptionListName, keys: string[]) =>
  (await unwrap(api.POST('/api/console/appeals/options/{list}/order', { params: { path: { list } }, body: { keys } }))).items
export const deleteOverride = (date: string) => unwrap(api.DELETE('/api/console/calendar/overrides/{date}', { params: { path: { date } } }))

/** Downloads a binary answer (XLSX) under `name`. */
async function download(call: Promise<{ data?: unknown; error?: unknown; response: Response }>, name: string) {
  const blob = (await unwrap(call)) as Blob
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

export const downloadQueue = (query: QueueQuery) =>
  download(api.GET('/api/console/appeals/export.xlsx', { params: { query }, parseAs: 'blob' }), 'appeals.xlsx')
export const downloadReport = (query: { period: 'month' | 'quarter'; year: number; index: number; unitId?: string }) =>
  download(
    api.GET('/api/console/appeals/report.xlsx', { params: { query }, parseAs: 'blob' }),
    `appeals-backlog-${query.year}-${query.period === 'month' ? 'm' : 'q'}${query.index}.xlsx`,
  )
export const downloadTemplate = () => download(api.GET('/api/console/tickets/import-template.xlsx', { parseAs: 'blob' }), 'tickets-template.xlsx')
