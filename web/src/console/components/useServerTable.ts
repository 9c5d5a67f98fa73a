import { onMounted, ref, shallowRef, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { queryFromState, stateFromQuery, type TableState } from './table-query'

/**
 * Data for a ServerTable: holds the table state (in the URL unless `syncUrl: false`), calls
 * `fetcher` whenever it changes, and keeps rows, total, loading and error.
 *
 * ```ts
 * const table = useServerTable((s) =>
 *   unwrap(api.GET('/api/console/appeals', { params: { query: { page: s.page, pageSize: s.pageSize, sort: s.sort, order: s.order, ...s.filters } } })),
 *   { defaults: { sort: 'dueAt', order: 'asc' } })
 * ```
 */
export function useServerTable<Row>(
  fetcher: (state: TableState) => Promise<{ items: Row[]; total: number }>,
  options: { defaults?: Partial<TableState>; syncUrl?: boolean } = {},
) {
  const syncUrl = options.syncUrl ?? true
  const route = syncUrl ? useRoute() : null
  const router = syncUrl ? useRouter() : null
  const state = ref<TableState>(stateFromQuery(route?.query ?? {}, options.defaults))
  const rows = shallowRef<Row[]>([])
  const total = ref(0)
  const loading = ref(false)
  const error = ref<unknown>(null)
  let seq = 0

  async function reload() {
    const mine = ++seq
    loading.value = true
    error.value = null
    try {
      const res = await fetcher(state.value)
      if (mine !== seq) return
      rows.value = res.items
      total.value = res.total
    } catch (err) {
      if (mine === seq) error.value = err
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  watch(
    state,
    (s) => {
      if (router && route) {
        const next = queryFromState(s)
        const same = JSON.stringify(next) === JSON.stringify(queryFromState(stateFromQuery(route.query, options.defaults)))
        if (!same) void router.replace({ query: next })
      }
      void reload()
    },
    { deep: true },
  )
  if (route) {
    // Back/forward: the URL is the source of truth.
    watch(
      () => route.query,
      (q) => {
        const next = stateFromQuery(q, options.defaults)
        if (JSON.stringify(next) !== JSON.stringify(state.value)) state.value = next
      },
    )
  }
  onMounted(reload)

  return { state, rows, total, loading, error, reload }
}
