/**
 * The state of a server-side table, kept in the URL (`?page=2&pageSize=20&sort=dueAt&order=asc&state=open`)
 * so reload, back/forward and shared links keep the view. Pure helpers; see useServerTable.
 */
export type SortOrder = 'asc' | 'desc'

export interface TableState {
  page: number
  pageSize: number
  sort?: string
  order?: SortOrder
  /** Filters: any other query parameter. */
  filters: Record<string, string>
}

export const PAGE_SIZES = [10, 20, 50, 100] as const

type QueryValue = string | null | (string | null)[] | undefined

const first = (v: QueryValue) => (Array.isArray(v) ? (v[0] ?? undefined) : (v ?? undefined))

export function stateFromQuery(query: Record<string, QueryValue>, defaults: Partial<TableState> = {}): TableState {
  const page = Number(first(query.page))
  const pageSize = Number(first(query.pageSize))
  const order = first(query.order)
  const filters: Record<string, string> = { ...(defaults.filters ?? {}) }
  for (const [k, v] of Object.entries(query)) {
    if (['page', 'pageSize', 'sort', 'order'].includes(k)) continue
    const value = first(v)
    if (value !== undefined && value !== '') filters[k] = value
  }
  const sort = first(query.sort) ?? defaults.sort
  const resolvedOrder = order === 'asc' || order === 'desc' ? order : defaults.order
  return {
    page: Number.isInteger(page) && page >= 1 ? page : (defaults.page ?? 1),
    pageSize: Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 200 ? pageSize : (defaults.pageSize ?? 20),
    ...(sort ? { sort } : {}),
    ...(resolvedOrder ? { order: resolvedOrder } : {}),
    filters,
  }
}

export function queryFromState(s: TableState): Record<string, string> {
  const q: Record<string, string> = {}
  for (const [k, v] of Object.entries(s.filters)) if (v !== undefined && v !== '') q[k] = v
  q.page = String(s.page)
  q.pageSize = String(s.pageSize)
  if (s.sort && s.order) {
    q.sort = s.sort
    q.order = s.order
  }
  return q
}

/** Element Plus reports sorting as 'ascending' | 'descending' | null. */
export function orderFromElement(order: string | null | undefined): SortOrder | undefined {
  return order === 'ascending' ? 'asc' : order === 'descending' ? 'desc' : undefined
}

export function orderToElement(order: SortOrder | undefined): 'ascending' | 'descending' | null {
  return order === 'asc' ? 'ascending' : order === 'desc' ? 'descending' : null
}
