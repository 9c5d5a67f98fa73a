import { getCurrentScope, onScopeDispose, type Ref, ref, toRaw, watch } from 'vue'

/**
 * Never lose what was typed: a form's fields are kept in localStorage (`tp.draft.<key>`) as the
 * user types and restored when the page opens again, until `clear()` after a successful submit.
 * Only plain JSON data belongs here (no File objects). Drafts expire after `maxAgeDays`.
 *
 * ```ts
 * const { data: form, restored, clear } = useDraft('reports.new.congestion', { description: '', address: '' })
 * ```
 */
export interface Draft<T> {
  data: Ref<T>
  /** True when a saved draft was restored on open. */
  restored: Ref<boolean>
  clear: () => void
  save: () => void
}

const PREFIX = 'tp.draft.'

interface Stored<T> {
  savedAt: number
  data: T
}

export function useDraft<T extends object>(key: string, initial: T, options: { debounceMs?: number; maxAgeDays?: number } = {}): Draft<T> {
  const storageKey = PREFIX + key
  const debounceMs = options.debounceMs ?? 300
  const maxAgeMs = (options.maxAgeDays ?? 30) * 86_400_000
  const restored = ref(false)
  let start: T = structuredClone(toRaw(initial))
  try {
    const raw = localStorage.getItem(storageKey)
    if (raw) {
      const stored = JSON.parse(raw) as Stored<Partial<T>>
      if (stored && Date.now() - stored.savedAt < maxAgeMs && stored.data && typeof stored.data === 'object') {
        start = { ...start, ...stored.data }
        restored.value = true
      } else localStorage.removeItem(storageKey)
    }
  } catch {}
  const data = ref(start) as Ref<T>
  let timer: ReturnType<typeof setTimeout> | null = null
  let cleared = false

  const save = () => {
    if (timer) clearTimeout(timer)
    timer = null
    try {
      localStorage.setItem(storageKey, JSON.stringify({ savedAt: Date.now(), data: toRaw(data.value) } satisfies Stored<T>))
    } catch {}
  }
  const stopWatch = watch(
    data,
    () => {
      cleared = false
      if (timer) clearTimeout(timer)
      timer = setTimeout(save, debounceMs)
    },
    { deep: true },
  )
  const clear = () => {
    if (timer) clearTimeout(timer)
    timer = null
    cleared = true
    restored.value = false
    try {
      localStorage.removeItem(storageKey)
    } catch {}
  }
  if (getCurrentScope()) {
    onScopeDispose(() => {
      stopWatch()
      // Leaving the page mid-typing still keeps the latest text.
      if (timer && !cleared) save()
    })
  }
  return { data, restored, clear, save }
}
