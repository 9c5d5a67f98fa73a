import type { StaffRole } from '@tp/shared'
import type { Config } from '../config'
import type { Database, Db } from './db'
import type { DomainEvent, EventBus } from './events'
import type { Logger } from './logger'
import type { SmsProvider } from './sms'
import type { Storage } from './storage'

export type Actor =
  | { kind: 'anonymous'; role: 'anonymous' }
  | { kind: 'citizen'; role: 'citizen'; id: string; sessionId: string }
  | {
      kind: 'staff'
      role: StaffRole
      id: string
      sessionId: string
      name: string
      unitId: string
      /** The staff member's unit and every unit below it. */
      unitScope: readonly string[]
    }
  | { kind: 'system'; role: 'system' }

export const ANONYMOUS: Actor = { kind: 'anonymous', role: 'anonymous' }
export const SYSTEM: Actor = { kind: 'system', role: 'system' }

/** Long-lived collaborators, built once in main.ts (or per test file). */
export interface AppDeps {
  config: Config
  database: Database
  log: Logger
  bus: EventBus
  storage: Storage
  sms: SmsProvider
  /** Injected so deadline tests can move time. */
  clock: () => Date
}

/** What a service call sees: the actor, a db handle (maybe a transaction) and deferred events. */
export interface Ctx {
  deps: AppDeps
  db: Db
  actor: Actor
  requestId: string
  ip: string
  now(): Date
  /** Queued until the request's work is committed; dropped if it fails. */
  emit(event: DomainEvent): void
  /** Storage keys written by this request: deleted again if it fails and no files row refers to them. */
  storageWrites?: string[]
}

export type AppEnv = {
  Variables: {
    ctx: Ctx
    actor: Actor
    requestId: string
    /** Events emitted during the request, published after a successful response. */
    outbox: DomainEvent[]
  }
}

/** A context for background jobs and seeding: events go straight to the bus. */
export function systemCtx(deps: AppDeps, db: Db = deps.database.db): Ctx {
  return {
    deps,
    db,
    actor: SYSTEM,
    requestId: 'system',
    ip: '',
    now: deps.clock,
    emit: (e) => void deps.bus.publish(e).catch((err) => deps.log.error({ err }, 'event publish failed')),
  }
}

export function withDb(ctx: Ctx, db: Db): Ctx {
  return { ...ctx, db }
}

/** For read-only console reports and statistics: reads from the replica when one is configured (never for anything that writes, e.g. an audited export). */
export function reportsCtx(ctx: Ctx): Ctx {
  return withDb(ctx, ctx.deps.database.reports)
}

export function requireStaff(actor: Actor): Extract<Actor, { kind: 'staff' }> {
  if (actor.kind !== 'staff') throw new Error('staff actor required')
  return actor
}

export function requireCitizen(actor: Actor): Extract<Actor, { kind: 'citizen' }> {
  if (actor.kind !== 'citizen') throw new Error('citizen actor required')
  return actor
}
