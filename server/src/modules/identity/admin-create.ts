/**
 * Creates the first administrator of a production installation (nothing is seeded there):
 *
 *   ADMIN_PASSWORD='…' pnpm --filter @tp/server admin:create -- --username chen --name 陈管理 --unit "某市公安局交通警察支队"
 *   printf '%s\n' "$PASSWORD" | pnpm --filter @tp/server admin:create -- --username chen --unit "某市公安局交通警察支队"
 *
 * The password comes from ADMIN_PASSWORD or the first line of standard input (typed without echo on
 * a terminal), never from the command line. It uses the same DATABASE_URL / DATA_DIR as the server,
 * applies pending migrations, creates the root unit when the database has none, and refuses when an
 * active administrator already exists.
 */
import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import { parseArgs } from 'node:util'
import { loadConfig } from '../../config'
import { createDeps } from '../../platform/deps'
import { createLogger } from '../../platform/logger'
import { BootstrapError, createFirstAdmin } from './bootstrap'

async function readPassword(): Promise<string> {
  const fromEnv = process.env.ADMIN_PASSWORD
  if (fromEnv) return fromEnv
  const tty = !!process.stdin.isTTY
  if (tty) process.stdout.write('Password for the new administrator: ')
  // On a terminal, readline echoes into a sink: the password is not shown.
  const sink = new Writable({ write: (_chunk, _enc, done) => done() })
  const rl = createInterface({ input: process.stdin, output: tty ? sink : undefined, terminal: tty })
  const line = await new Promise<string>((resolve) => {
    rl.once('line', resolve)
    rl.once('close', () => resolve(''))
  })
  rl.close()
  if (tty) process.stdout.write('\n')
  return line
}

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: { username: { type: 'string' }, name: { type: 'string', default: '系统管理员' }, unit: { type: 'string' } },
  })
  if (!values.username || !values.unit) {
    console.error('usage: admin:create -- --username <name> --unit <root unit name> [--name <display name>]   (password: ADMIN_PASSWORD or stdin)')
    process.exit(2)
  }
  const password = await readPassword()
  const config = loadConfig()
  const deps = await createDeps(config, { log: createLogger('warn') })
  try {
    await deps.database.migrate()
    const admin = await createFirstAdmin(deps, { username: values.username, name: values.name ?? '', unitName: values.unit, password })
    console.log(`Created administrator "${admin.username}" in ${admin.unit.name}. Sign in at /console/.`)
  } catch (err) {
    if (!(err instanceof BootstrapError)) throw err
    console.error(err.message)
    process.exitCode = 1
  } finally {
    await deps.bus.close()
    await deps.database.close()
  }
}

await main()
