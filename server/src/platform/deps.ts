import { join } from 'node:path'
import type { Config } from '../config'
import type { AppDeps } from './context'
import { type Database, openDatabase } from './db'
import { createEventBus } from './events'
import { createLogger, type Logger } from './logger'
import { createSmsProvider } from './sms'
import { localStorage } from './storage'

/** Wires the long-lived collaborators from configuration (or an already-open database, in tests). */
export async function createDeps(config: Config, opts: { database?: Database; log?: Logger; clock?: () => Date } = {}): Promise<AppDeps> {
  const log = opts.log ?? createLogger(config.logLevel)
  const database = opts.database ?? (await openDatabase({ url: config.databaseUrl, dataDir: join(config.dataDir, 'pglite') }))
  const bus = await createEventBus(database, log)
  return {
    config,
    database,
    log,
    bus,
    storage: localStorage(join(config.dataDir, 'files')),
    sms: createSmsProvider(config, log),
    clock: opts.clock ?? (() => new Date()),
  }
}
