import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

/**
 * How `pnpm start` runs the server (server/package.json `scripts.start`: `node <flags> <entry>`), so
 * the bench, e2e and fault suites start the bundle with the production flags (the V8 memory settings
 * among them) instead of a copy that could drift. `entry` is relative to server/.
 */
export function startCommand(): { flags: string[]; entry: string } {
  const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../server/package.json'), 'utf8')) as { scripts: { start: string } }
  const [node, ...args] = pkg.scripts.start.trim().split(/\s+/)
  const entry = args.pop()
  if (node !== 'node' || !entry || args.some((a) => !a.startsWith('--')))
    throw new Error(`server start script is not \`node <flags> <entry>\`: ${pkg.scripts.start}`)
  return { flags: args, entry }
}
