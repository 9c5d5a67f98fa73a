import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, unwrap } from '@/api/client'
import type { paths } from '@/api/schema'

export type InboxItem = paths['/api/notifications']['get']['responses'][200]['content']['application/json']['items'][number]

/** The notification inbox: keyset pages, unread count (tab badge), mark read. */
export const useInboxStore = defineStore('inbox', () => {
  const items = ref<InboxItem[]>([])
  const unread = ref(0)
  const cursor = ref<string | null>(null)
  const finished = ref(false)
  const loading = ref(false)
  const error = ref<unknown>(null)

  async function refresh() {
    loading.value = true
    error.value = null
    try {
      const page = await unwrap(api.GET('/api/notifications', { params: { query: { limit: 20 } } }))
      items.value = page.items
      unread.value = page.unread
      cursor.value = page.nextCursor
      finished.value = !page.nextCursor
    } catch (e) {
      error.value = e
    } finally {
      loading.value = false
    }
  }

  async function loadMore() {
    if (finished.value || loading.value) return
    if (!items.value.length && !cursor.value) return refresh()
    loading.value = true
    error.value = null
    try {
      const page = await unwrap(api.GET('/api/notifications', { params: { query: { limit: 20, ...(cursor.value ? { cursor: cursor.value } : {}) } } }))
      const seen = new Set(items.value.map((i) => i.id))
      items.value.push(...page.items.filter((i) => !seen.has(i.id)))
      unread.value = page.unread
      cursor.value = page.nextCursor
      finished.value = !page.nextCursor
    } catch (e) {
      error.value = e
    } finally {
      loading.value = false
    }
  }

  /** Unread count only (cheap refresh for the tab badge). */
  async function refreshUnread() {
    try {
      const page = await unwrap(api.GET('/api/notifications', { params: { query: { limit: 1 } } }))
      unread.value = page.unread
    } catch {}
  }

  async function markRead(ids?: string[]) {
    const now = new Date().toISOString()
    const { updated } = await unwrap(api.POST('/api/notifications/read', { body: ids ? { ids } : {} }))
    for (const item of items.value) if (!ids || ids.includes(item.id)) item.readAt ??= now
    unread.value = ids ? Math.max(0, unread.value - updated) : 0
  }

  function reset() {
    items.value = []
    unread.value = 0
    cursor.value = null
    finished.value = false
  }

  return { items, unread, finished, loading, error, refresh, loadMore, refreshUnread, markRead, reset }
})
