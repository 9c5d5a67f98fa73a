import { api, unwrap } from '@/api/client'
import type { paths } from '@/api/schema'

/** Verb-named calls of the citizen's appeal pages (types from the generated schema). */
export type Ticket = paths['/api/tickets/lookup']['get']['responses'][200]['content']['application/json']
export type Appeal = paths['/api/appeals/{id}']['get']['responses'][200]['content']['application/json']
export type MyAppeal = paths['/api/appeals']['get']['responses'][200]['content']['application/json']['items'][number]
export type Letter = paths['/api/appeals/{id}/letter']['get']['responses'][200]['content']['application/json']

export async function listMyTickets(): Promise<Ticket[]> {
  return (await unwrap(api.GET('/api/tickets'))).items
}

export function lookupTicket(decisionNo: string, plate?: string): Promise<Ticket> {
  return unwrap(api.GET('/api/tickets/lookup', { params: { query: { decisionNo, ...(plate ? { plate } : {}) } } }))
}

export function listMyAppeals(cursor?: string) {
  return unwrap(api.GET('/api/appeals', { params: { query: { limit: 20, ...(cursor ? { cursor } : {}) } } }))
}

export function getAppeal(id: string): Promise<Appeal> {
  return unwrap(api.GET('/api/appeals/{id}', { params: { path: { id } } }))
}

export interface AppealFields {
  decisionNo: string
  plate?: string
  type?: string
  grounds: string
  statement: string
  contactPhone: string
}

const asForm = (b: unknown) => b as FormData

/** Multipart: the fields and the evidence files in one request, replay-safe with the key. */
export function fileAppeal(fields: AppealFields, files: File[], idempotencyKey: string): Promise<Appeal> {
  const form = new FormData()
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== '') form.append(k, v)
  for (const f of files) form.append('evidence', f, f.name)
  return unwrap(api.POST('/api/appeals', { body: form as never, bodySerializer: asForm, headers: { 'idempotency-key': idempotencyKey } }))
}

export function supplyMaterial(id: string, version: number, note: string, files: File[]): Promise<Appeal> {
  const form = new FormData()
  form.append('version', String(version))
  form.append('note', note)
  for (const f of files) form.append('files', f, f.name)
  return unwrap(api.POST('/api/appeals/{id}/material', { params: { path: { id } }, body: form as never, bodySerializer: asForm }))
}

export function withdrawAppeal(id: string, version: number, note?: string): Promise<Appeal> {
  return unwrap(api.POST('/api/appeals/{id}/withdraw', { params: { path: { id } }, body: { version, ...(note ? { note } : {}) } }))
}

export function getLetter(id: string, locale: 'zh-CN' | 'en'): Promise<Letter> {
  return unwrap(api.GET('/api/appeals/{id}/letter', { params: { path: { id }, query: { locale } } }))
}
