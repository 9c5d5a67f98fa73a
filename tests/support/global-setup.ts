import { randomBytes } from 'node:crypto'
import { openDatabase } from '@tp/server/platform/db'
import postgres from 'postgres'
import type { TestProject } from 'vitest/node'
import { adminUrl, withDatabase } from './database'

/** On PostgreSQL: one migrated template database per run; each test file clones it. */
export default async function setup(project: TestProject) {
  const name = `tp_tpl_${randomBytes(5).toString('hex')}`
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  const db = await openDatabase({ url: withDatabase(adminUrl(), name), maxConnections: 1 })
  await db.migrate()
  await db.close()
  project.provide('pgTemplate', name)
  return async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`)
    await admin.end()
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string
  }
}
