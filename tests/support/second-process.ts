import { createApp } from '@tp/server/app'
import { type Database, openDatabase } from '@tp/server/platform/db'
import { createDeps } from '@tp/server/platform/deps'
import type { TestApp } from './app'
import { Client } from './client'

/**
 * A second server on the same database, with its own per-process caches: on PostgreSQL its own pool
 * and LISTEN connection (as a second process behind a load balancer); the embedded store is one
 * process by design, so there it shares the first one's collaborators.
 */
export async function secondProcess(first: TestApp): Promise<TestApp> {
  const url = (first.deps.database as Database & { url?: string }).url
  if (!url) {
    const deps = { ...first.deps }
    return { app: createApp(deps), deps, now: first.now, close: async () => {} }
  }
  const database = await openDatabase({ url, maxConnections: 4 })
  const deps = await createDeps(first.deps.config, { database, log: first.deps.log, clock: first.deps.clock })
  return {
    app: createApp(deps),
    deps,
    now: first.now,
    close: async () => {
      await deps.bus.close()
      await database.close()
    },
  }
}

/** The same browser (cookie and CSRF token) talking to another server. */
export function on(app: TestApp, c: Client): Client {
  const moved = new Client(app, c.ip)
  moved.cookie = c.cookie
  moved.csrf = c.csrf
  return moved
}

/**
 * Polls `read` until `done` holds or `ms` pass, and returns the last value: an event crossing
 * processes takes milliseconds, a cache's TTL seconds.
 */
export async function within<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 2_000): Promise<T> {
  const deadline = performance.now() + ms
  for (;;) {
    const value = await read()
    if (done(value) || performance.now() > deadline) return value
    await new Promise((r) => setTimeout(r, 20))
  }
}
