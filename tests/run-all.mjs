#!/usr/bin/env node
// Runs every suite — typecheck, lint, unit, component, API (PGlite and PostgreSQL), build, end-to-end —
// and ends with one line `N passed, N failed` totalling them all. Exit code 1 if anything failed.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'tests/.artifacts/reports')
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

let passed = 0
let failed = 0
const lines = []
const started = Date.now()

function run(label, cmd, args, env = {}) {
  const t = Date.now()
  console.log(`\n▶ ${label}: ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  const secs = ((Date.now() - t) / 1000).toFixed(1)
  return { ok: r.status === 0, secs }
}

/** A check that is one test: it passes or fails as a whole. */
function check(label, cmd, args, env) {
  const { ok, secs } = run(label, cmd, args, env)
  ok ? passed++ : failed++
  lines.push(`${ok ? 'ok  ' : 'FAIL'} ${label} (${secs}s)`)
  return ok
}

/** A vitest run: counts its tests from the JSON report (a file that fails to load counts as a failure). */
function vitest(label, projects, env) {
  const file = join(out, `${label}.json`)
  const args = ['vitest', 'run', ...projects.flatMap((p) => ['--project', p]), '--reporter=default', '--reporter=json', `--outputFile.json=${file}`]
  const { ok, secs } = run(label, 'pnpm', ['exec', ...args], env)
  let p = 0
  let f = 0
  if (existsSync(file)) {
    const report = JSON.parse(readFileSync(file, 'utf8'))
    p = report.numPassedTests
    f = report.numFailedTests
    for (const suite of report.testResults) if (suite.status === 'failed' && suite.assertionResults.length === 0) f++
    if (report.numPendingTests || report.numTodoTests) {
      console.log(`✗ ${label}: skipped or todo tests are not allowed`)
      f += report.numPendingTests + report.numTodoTests
    }
  }
  if (!ok && f === 0) f = 1
  passed += p
  failed += f
  lines.push(`${f ? 'FAIL' : 'ok  '} ${label}: ${p} passed, ${f} failed (${secs}s)`)
}

for (const pkg of ['shared', 'server', 'web', 'tests']) check(`typecheck ${pkg}`, 'pnpm', ['--filter', `@tp/${pkg}`, 'typecheck'])
check('lint (biome)', 'pnpm', ['exec', 'biome', 'check', '.'])
const projects = ['unit', 'web', 'api-pglite', ...(process.env.TEST_DATABASE_URL ? ['api-pg'] : [])]
if (!process.env.TEST_DATABASE_URL) console.log('\nTEST_DATABASE_URL is not set: API tests run on the embedded PGlite only.')
if (check('build (web, server)', 'pnpm', ['build'])) {
  vitest('unit-web-api', projects)
  vitest('e2e', ['e2e'])
} else {
  vitest(
    'unit-web-api',
    projects.filter((p) => p !== 'web'),
  )
}

// Fault injection (tests/faults): real server processes killed with SIGKILL, stopped under load and cut
// off from their database, plus backup and restore — PGlite always, PostgreSQL with TEST_DATABASE_URL.
vitest('faults', ['faults'])

console.log(`\n${lines.join('\n')}\nTotal time ${((Date.now() - started) / 1000).toFixed(0)}s`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
