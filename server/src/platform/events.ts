import { EventEmitter } from 'node:events'
import type { StaffRole } from '@tp/shared'
import type { Database } from './db'
import type { Logger } from './logger'

/**
 * A domain event for live views. `audience` says who may receive it: citizens by id, staff whose
 * scope includes one of the units (optionally only some roles), or anyone on a public channel
 * (e.g. a hall display). Keep payloads small: ids and summaries, never personal data.
 */
export interface DomainEvent {
  type: string
  audience: {
    citizenIds?: string[]
    staffIds?: string[]
    unitIds?: string[]
    roles?: StaffRole[]
    channels?: string[]
  }
  data: Record<string, unknown>
  /** Set by the bus: publish time (ms since epoch), for latency measurement. */
  at?: number
}

export interface EventBus {
  publish(event: DomainEvent): Promise<void>
  subscribe(listener: (event: DomainEvent) => void): () => void
  close(): Promise<void>
}

const CHANNEL = 'tp_events'

/** In-process on the embedded store; LISTEN/NOTIFY across processes on PostgreSQL. */
export async function createEventBus(database: Database, log: Logger): Promise<EventBus> {
  const emitter = new EventEmitter()
  emitter.setMaxListeners(0)
  const deliver = (e: DomainEvent) => emitter.emit('event', e)
  const pubsub = database.pubsub
  let unlisten: (() => Promise<void>) | null = null
  if (pubsub) {
    unlisten = await pubsub.listen(CHANNEL, (payload) => {
      try {
        deliver(JSON.parse(payload) as DomainEvent)
      } catch (err) {
        log.warn({ err }, 'dropped malformed event')
      }
    })
  }
  return {
    async publish(event) {
      const e = { ...event, at: Date.now() }
      if (pubsub) await pubsub.notify(CHANNEL, JSON.stringify(e))
      else deliver(e)
    },
    subscribe(listener) {
      emitter.on('event', listener)
      return () => emitter.off('event', listener)
    },
    async close() {
      emitter.removeAllListeners()
      await unlisten?.()
    },
  }
}
