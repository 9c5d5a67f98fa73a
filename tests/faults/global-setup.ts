import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'

/** The fault tests run the production server bundle: build it fresh (esbuild, about a second). */
export default function setup() {
  execFileSync('pnpm', ['--filter', '@tp/server', 'build'], { cwd: resolve(import.meta.dirname, '../..'), stdio: 'ignore' })
}
