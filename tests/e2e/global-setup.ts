import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { TestProject } from 'vitest/node'
import { startCommand } from '../support/start-command'

const ROOT = resolve(import.meta.dirname, '../..')

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => ok(port))
    })
    s.on('error', fail)
  })
}

/** Starts the real server (built web, embedded database, demo data) once for the e2e run. */
export default async function setup(project: TestProject) {
  for (const built of ['web/dist/index.html', 'server/dist/main.mjs'])
    if (!existsSync(join(ROOT, built))) throw new Error(`${built} is missing: run \`pnpm build\` before the e2e tests`)
  const dataDir = mkdtempSync(join(tmpdir(), 'tp-e2e-'))
  const port = await freePort()
  // The production bundle, as `pnpm start` runs it (its flags included).
  const start = startCommand()
  const child: ChildProcess = spawn(process.execPath, [...start.flags, start.entry], {
    cwd: join(ROOT, 'server'),
    env: { ...process.env, NODE_ENV: 'development', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 180_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`)
    try {
      if ((await fetch(`${base}/api/ready`)).ok) break
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error('server did not become ready in 180 s')
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  project.provide('baseUrl', base)
  return async () => {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
    rmSync(dataDir, { recursive: true, force: true })
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string
  }
}
