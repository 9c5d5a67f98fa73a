import { join } from 'node:path'
import type { Config } from '../config'
import type { AppDeps } from './context'
import { type Database, openDatabase } from './db'
import { createEventBus } from './events'
import { createLogger, type Logger } from './logger'
import { createSmsProvider } from './sms'
import { localStorage, type Storage } from './storage'
import { s3Storage } from './storage-s3'

/** Wires the long-lived collaborators from configuration (or an already-open database, in tests). */
export async function createDeps(config: Config, opts: { database?: Database; log?: Logger; clock?: () => Date } = {}): Promise<AppDeps> {
  const log = opts.log ?? createLogger(config.logLevel)
  const database =
    opts.database ?? (await openDatabase({ url: config.databaseUrl, replicaUrl: config.databaseReplicaUrl, dataDir: join(config.dataDir, 'pglite') }))
  const bus = await createEventBus(database, log)
  return {
    config,
    database,
    log,
    bus,
    storage: createStorage(config),
    sms: createSmsProvider(config, log),
    clock: opts.clock ?? (() => new Date()),
  }
}

/** The configured file store: the S3-compatible bucket when S3_BUCKET is set, else DATA_DIR/files. */
export function createStorage(config: Config): Storage {
  return config.s3 ? s3Storage(config.s3) : localStorage(join(config.dataDir, 'files'))
}
