import { ref } from 'vue'
import { type KeysetPage, keysetPages } from './keyset'
import type { TableState } from './table-query'
import { useServerTable } from './useServerTable'

/**
 * useServerTable over a keyset-paged endpoint: the table keeps its page numbers (in the URL),
 * `keysetPages` maps them onto the server's cursors. `toQuery` gives everything but the position
 * (filters, sort, page size); a change of it starts over at the first cursor. A page beyond the
 * end (an old link) shows the last one. `capped`: the server counted its total only up to a cap.
 */
export function useKeysetTable<Q, Row>(
  toQuery: (state: TableState) => Q,
  fetchPage: (query: Q, cursor: string | undefined) => Promise<KeysetPage<Row> & { totalCapped?: boolean }>,
  options: Parameters<typeof useServerTable>[1] = {},
) {
  const pages = keysetPages(fetchPage)
  const capped = ref(false)
  const table = useServerTable<Row>(async (s) => {
    const r = await pages.load(toQuery(s), s.page)
    capped.value = r.totalCapped ?? false
    if (r.page !== s.page) table.state.value = { ...table.state.value, page: r.page }
    return r
  }, options)
  return { ...table, capped }
}
