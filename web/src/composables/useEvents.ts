import { getCurrentScope, onScopeDispose, type Ref, ref } from 'vue'

/**
 * Live events over SSE (`GET /api/events`) for both shells and every feature.
 *
 * One EventSource per distinct channel set is shared by all subscribers on the page and closed
 * when the last one leaves. The browser reconnects by itself after a drop; when it gives up
 * (readyState CLOSED) or the server asks (`reconnect` event at shutdown), we reopen with backoff
 * (1 s → 30 s). `onReconnect` fires when a stream is back after a drop, so views can refetch what
 * they may have missed.
 *
 * ```ts
 * useEvents({ 'report.created': (d) => reload(), notification: () => inbox.refresh() })
 * useEvents({ 'queue.called': show }, { channels: [`hall:${officeId}`], onReconnect: reload })
 * ```
 */

export type EventHandler = (data: Record<string, unknown>, type: string) => void

export interface UseEventsOptions {
  /** Public channels such as `hall:<officeId>`. */
  channels?: readonly string[]
  onReconnect?: () => void
}

interface Subscriber {
  handlers: Record<string, EventHandler>
  onReconnect?: () => void
}

interface Stream {
  key: string
  source: EventSource | null
  subscribers: Set<Subscriber>
  listening: Set<string>
  connected: Ref<boolean>
  attempts: number
  hadConnection: boolean
  timer: ReturnType<typeof setTimeout> | null
}

const streams = new Map<string, Stream>()

export const EVENTS_URL = '/api/events'

function urlFor(key: string): string {
  return key ? `${EVENTS_URL}?channels=${encodeURIComponent(key)}` : EVENTS_URL
}

function parse(data: string): Record<string, unknown> {
  try {
    const v = JSON.parse(data)
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : { value: v }
  } catch {
    return { raw: data }
  }
}

function dispatch(stream: Stream, type: string, e: MessageEvent) {
  const data = parse(String(e.data ?? ''))
  for (const s of stream.subscribers) s.handlers[type]?.(data, type)
}

function listen(stream: Stream, type: string) {
  if (!stream.source || stream.listening.has(type)) return
  stream.listening.add(type)
  stream.source.addEventListener(type, (e) => dispatch(stream, type, e as MessageEvent))
}

function scheduleReopen(stream: Stream) {
  if (stream.timer || !stream.subscribers.size) return
  const delay = Math.min(30_000, 1000 * 2 ** Math.min(stream.attempts, 5))
  stream.attempts++
  stream.timer = setTimeout(() => {
    stream.timer = null
    open(stream)
  }, delay)
}

function open(stream: Stream) {
  stream.source?.close()
  stream.listening.clear()
  if (typeof EventSource === 'undefined') return
  const source = new EventSource(urlFor(stream.key), { withCredentials: true })
  stream.source = source
  source.addEventListener('ready', () => {
    const wasReconnect = stream.hadConnection
    stream.connected.value = true
    stream.hadConnection = true
    stream.attempts = 0
    if (wasReconnect) for (const s of stream.subscribers) s.onReconnect?.()
  })
  source.addEventListener('reconnect', () => {
    stream.connected.value = false
    source.close()
    scheduleReopen(stream)
  })
  source.onerror = () => {
    stream.connected.value = false
    // CONNECTING: the browser retries by itself. CLOSED: it gave up (e.g. HTTP error); we retry.
    if (source.readyState === EventSource.CLOSED) scheduleReopen(stream)
  }
  for (const s of stream.subscribers) for (const type of Object.keys(s.handlers)) listen(stream, type)
}

function close(stream: Stream) {
  if (stream.timer) clearTimeout(stream.timer)
  stream.timer = null
  stream.source?.close()
  stream.source = null
  stream.connected.value = false
  streams.delete(stream.key)
}

export function useEvents(handlers: Record<string, EventHandler>, options: UseEventsOptions = {}) {
  const key = [...new Set(options.channels ?? [])].sort().join(',')
  let stream = streams.get(key)
  if (!stream) {
    stream = {
      key,
      source: null,
      subscribers: new Set(),
      listening: new Set(),
      connected: ref(false),
      attempts: 0,
      hadConnection: false,
      timer: null,
    }
    streams.set(key, stream)
  }
  const sub: Subscriber = { handlers, ...(options.onReconnect ? { onReconnect: options.onReconnect } : {}) }
  stream.subscribers.add(sub)
  if (!stream.source && !stream.timer) open(stream)
  else for (const type of Object.keys(handlers)) listen(stream, type)

  const s = stream
  const stop = () => {
    s.subscribers.delete(sub)
    if (!s.subscribers.size) close(s)
  }
  if (getCurrentScope()) onScopeDispose(stop)
  return { connected: s.connected, stop }
}

/** Reopens every stream, e.g. after sign-in or sign-out changed who the events are for. */
export function reconnectEvents(): void {
  for (const stream of streams.values()) {
    stream.hadConnection = false
    stream.attempts = 0
    open(stream)
  }
}
