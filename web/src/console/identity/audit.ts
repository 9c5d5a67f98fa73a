/** Pure helpers for the audit log page. */

export interface AuditFilters {
  actor: string
  action: string
  entityType: string
  entityId: string
  /** [from, to] as ISO strings with offset, or null. */
  range: [string, string] | null
}

/** The filled-in filters as the API's query (empty ones left out). */
export function auditQuery(f: AuditFilters): { actor?: string; action?: string; entityType?: string; entityId?: string; from?: string; to?: string } {
  const q: Record<string, string> = {}
  for (const k of ['actor', 'action', 'entityType', 'entityId'] as const) {
    const v = f[k].trim()
    if (v) q[k] = v
  }
  if (f.range?.[0]) q.from = new Date(f.range[0]).toISOString()
  if (f.range?.[1]) q.to = new Date(f.range[1]).toISOString()
  return q
}

/** A before/after value as readable lines (`key: value`), or '' when there is none. */
export function formatChange(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value !== 'object') return String(value)
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join('\n')
}
