/** Writes the OpenAPI document (for the web's typed client) without opening a database. */
import { writeFileSync } from 'node:fs'
import { createApp } from '../app'
import { loadConfig } from '../config'
import type { AppDeps } from './context'
import { createLogger } from './logger'

const out = process.argv[2]
if (!out) throw new Error('usage: openapi-export <file>')
// Any property reads as another stand-in; only calling one fails (the document needs no I/O).
const unused: object = new Proxy(() => {}, {
  get: () => unused,
  apply: () => {
    throw new Error('not available while exporting the document')
  },
})
const deps = {
  config: loadConfig({ NODE_ENV: 'test' }),
  log: createLogger('silent'),
  database: unused,
  bus: unused,
  storage: unused,
  sms: unused,
  clock: () => new Date(),
} as unknown as AppDeps
const res = await createApp(deps).request('/api/openapi.json')
writeFileSync(out, `${JSON.stringify(await res.json(), null, 2)}\n`)
