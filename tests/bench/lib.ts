import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import autocannon from 'autocannon'

export const ROOT = resolve(import.meta.dirname, '../..')

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => ok(port))
    })
    s.on('error', fail)
  })
}

export interface Server {
  name: string
  url: string
  child: ChildProcess
  /** Milliseconds from spawn to the first 200 on /api/health (or /health). */
  coldStartMs: number
  rssMb(): number
  stop(): Promise<void>
}

/** Starts a TypeScript entry point (from the server package, so tsx resolves) and waits for its first 200. */
export async function startServer(name: string, entry: string, env: Record<string, string>, healthPath = '/api/health'): Promise<Server> {
  const port = await freePort()
  const t0 = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: join(ROOT, 'server'),
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 120_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`)
    try {
      if ((await fetch(url + healthPath)).ok) break
    } catch {}
    if (Date.now() > deadline) throw new Error(`${name} did not start`)
    await new Promise((r) => setTimeout(r, 10))
  }
  const coldStartMs = Math.round(performance.now() - t0)
  return {
    name,
    url,
    child,
    coldStartMs,
    rssMb() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
        return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024)
      } catch {
        return 0
      }
    },
    async stop() {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    },
  }
}

export interface LoadSpec {
  url: string
  method?: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  body?: string
  /** Per-request customisation (e.g. a different cookie or Idempotency-Key each time). */
  setupRequest?: (req: any, context: any) => any
  connections?: number
  durationSec?: number
  /** Stop after this many requests instead of a duration. */
  amount?: number
}

export interface LoadResult {
  rps: number
  p50: number
  p99: number
  errors: number
  non2xx: number
  total: number
}

export async function load(spec: LoadSpec): Promise<LoadResult> {
  const r = await autocannon({
    url: spec.url,
    connections: spec.connections ?? 50,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.durationSec ?? 10 }),
    requests: [
      {
        method: spec.method ?? 'GET',
        path: spec.path,
        headers: { 'content-type': 'application/json', ...spec.headers },
        body: spec.body,
        setupRequest: spec.setupRequest,
      },
    ],
  })
  return {
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    total: r.requests.total,
  }
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? 0
}

export function medianResult(rs: LoadResult[]): LoadResult {
  return {
    rps: median(rs.map((r) => r.rps)),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    errors: rs.reduce((a, r) => a + r.errors, 0),
    non2xx: rs.reduce((a, r) => a + r.non2xx, 0),
    total: rs.reduce((a, r) => a + r.total, 0),
  }
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0
}
