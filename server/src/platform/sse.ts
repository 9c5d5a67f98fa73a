import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { Actor, AppDeps, AppEnv } from './context'
import type { DomainEvent } from './events'

/** Whether `actor` (subscribed to public `channels`) may receive `e`. */
export function canReceive(e: DomainEvent, actor: Actor, channels: readonly string[]): boolean {
  const a = e.audience
  if (a.channels?.some((ch) => channels.includes(ch))) return true
  if (actor.kind === 'citizen') return !!a.citizenIds?.includes(actor.id)
  if (actor.kind === 'staff') {
    if (a.staffIds?.includes(actor.id)) return true
    if (!a.unitIds?.some((u) => actor.unitScope.includes(u))) return false
    return !a.roles || a.roles.includes(actor.role)
  }
  return false
}

const PUBLIC_CHANNEL = /^[a-z]+:[0-9a-f-]{1,64}$/

/**
 * Events waiting for one client: a client that stopped reading (its socket full, e.g. a phone asleep
 * with the connection still open) would otherwise hold every event sent since. Past this the stream
 * is dropped; the client reconnects (EventSource does) and reloads what it shows.
 */
export const MAX_QUEUED_EVENTS = 500

/** Open streams, so shutdown can tell every client to reconnect elsewhere. */
const open = new Set<() => void>()

export function closeAllStreams(): void {
  for (const close of open) close()
}

export const sseClientCount = () => open.size

/**
 * One SSE endpoint for every feature: signed-in users get their own and their units' events,
 * anyone may add public channels (`?channels=hall:<officeId>`) that carry no personal data.
 */
export function eventsHandler(deps: AppDeps) {
  return (c: Context<AppEnv>) => {
    const actor = c.get('actor')
    const channels = (c.req.query('channels') ?? '')
      .split(',')
      .filter((ch) => PUBLIC_CHANNEL.test(ch))
      .slice(0, 10)
    return streamSSE(c, async (stream) => {
      let closed = false
      let wake: () => void = () => {}
      const done = () => {
        closed = true
        wake()
      }
      const queue: DomainEvent[] = []
      const unsubscribe = deps.bus.subscribe((e) => {
        if (!canReceive(e, actor, channels)) return
        if (queue.length >= MAX_QUEUED_EVENTS) return stream.abort()
        queue.push(e)
        wake()
      })
      const closeForShutdown = () => {
        void stream.writeSSE({ event: 'reconnect', data: '{}', retry: 1000 }).finally(done)
      }
      open.add(closeForShutdown)
      stream.onAbort(done)
      const heartbeat = setInterval(() => void stream.writeSSE({ event: 'ping', data: '' }).catch(done), 25_000)
      try {
        await stream.writeSSE({ event: 'ready', data: JSON.stringify({ channels }), retry: 3000 })
        while (!closed) {
          while (queue.length && !closed) {
            const e = queue.shift() as DomainEvent
            await stream.writeSSE({ event: e.type, data: JSON.stringify({ ...e.data, at: e.at }) })
          }
          if (!closed) await new Promise<void>((r) => (wake = r))
        }
      } finally {
        clearInterval(heartbeat)
        unsubscribe()
        open.delete(closeForShutdown)
      }
    })
  }
}
