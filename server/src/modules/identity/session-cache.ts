import type { AppDeps, Ctx } from '../../platform/context'

/** Which cached sessions a change makes stale: one session, or every session of one account. */
export type SessionTarget = { sessionId: string } | { subjectType: 'citizen' | 'staff'; subjectId: string }

/** The bus event that tells every process to forget sessions (no audience: no client receives it). */
export const SESSIONS_CHANGED = 'sessions.changed'

/**
 * Lookups are re-checked against the database after this long even without an event: the bound on
 * staleness should a process miss a notification (e.g. its LISTEN connection was down).
 */
const TTL_MS = 10_000
/** At most this many sessions (a few hundred bytes each): the sessions seen in the last TTL_MS, capped. */
const MAX_ENTRIES = 20_000

export interface CachedSession {
  id: string
  subjectType: 'citizen' | 'staff'
  subjectId: string
}

/**
 * Session rows by token hash, so a request does not pay a database round trip to learn who sent it.
 * Only sessions that were valid when read are kept; the caller still checks expiry and revocation
 * on every hit. A lookup that began before an invalidation is not stored (`mark`/`set`), so a read
 * racing a logout cannot put the revoked session back. Entries are kept in the order they were
 * stored, so the expired ones are dropped from the front as new ones come in: memory follows the
 * sessions active in the last TTL_MS, not every session ever seen.
 */
export class SessionCache<T extends CachedSession> {
  private readonly entries = new Map<string, { row: T; at: number }>()
  private generation = 0

  constructor(
    private readonly limits = { ttlMs: TTL_MS, maxEntries: MAX_ENTRIES },
    private readonly clock = () => performance.now(),
  ) {}

  get size(): number {
    return this.entries.size
  }

  get(tokenHash: string): T | undefined {
    const hit = this.entries.get(tokenHash)
    if (!hit) return undefined
    if (this.clock() - hit.at > this.limits.ttlMs) {
      this.entries.delete(tokenHash)
      return undefined
    }
    return hit.row
  }

  /** Taken before reading the database; `set` stores only if nothing was invalidated since. */
  mark(): number {
    return this.generation
  }

  set(tokenHash: string, row: T, mark: number): void {
    if (mark !== this.generation) return
    const now = this.clock()
    this.entries.delete(tokenHash)
    for (const [oldest, { at }] of this.entries) {
      if (this.entries.size < this.limits.maxEntries && now - at <= this.limits.ttlMs) break
      this.entries.delete(oldest)
    }
    this.entries.set(tokenHash, { row, at: now })
  }

  delete(tokenHash: string): void {
    this.entries.delete(tokenHash)
  }

  drop(target: SessionTarget): void {
    this.generation++
    for (const [hash, { row }] of this.entries) {
      const stale = 'sessionId' in target ? row.id === target.sessionId : row.subjectType === target.subjectType && row.subjectId === target.subjectId
      if (stale) this.entries.delete(hash)
    }
  }
}

const caches = new WeakMap<AppDeps, SessionCache<CachedSession>>()

/** The process's cache for this app, subscribed to invalidations from every process on the bus. */
export function sessionCache<T extends CachedSession>(deps: AppDeps): SessionCache<T> {
  let cache = caches.get(deps)
  if (!cache) {
    const created = new SessionCache<CachedSession>()
    deps.bus.subscribe((e) => {
      if (e.type === SESSIONS_CHANGED) created.drop(e.data as SessionTarget)
    })
    caches.set(deps, created)
    cache = created
  }
  return cache as SessionCache<T>
}

/**
 * A session ended or its account changed (sign-out, revocation, deactivation, role, unit or
 * password change, account deletion): forget it on this process at once, and on every process once
 * the request's work is committed (the event goes out with the request's outbox, so a rolled-back
 * change announces nothing; the second, post-commit drop also clears a lookup that read the old row
 * while the change was still uncommitted).
 */
export function sessionsChanged(ctx: Ctx, target: SessionTarget): void {
  sessionCache(ctx.deps).drop(target)
  ctx.emit({ type: SESSIONS_CHANGED, audience: {}, data: target })
}
