import type { CaseSummary } from '@tp/shared/cases'

/** Where a case opens in the citizen H5, by kind, and the i18n namespace of its states. */
export const CASE_ROUTES: Record<CaseSummary['kind'], { path: (id: string) => string; namespace: string }> = {
  report: { path: (id) => `/reports/${encodeURIComponent(id)}`, namespace: 'reports' },
  appeal: { path: (id) => `/appeals/${encodeURIComponent(id)}`, namespace: 'appeals' },
  booking: { path: (id) => `/bookings/${encodeURIComponent(id)}`, namespace: 'bookings' },
  rating: { path: (id) => `/ratings/${encodeURIComponent(id)}`, namespace: 'ratings' },
}

export function caseLink(c: Pick<CaseSummary, 'kind' | 'id'>): string {
  return CASE_ROUTES[c.kind]?.path(c.id) ?? '/cases'
}
