import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import http from 'node:http'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import autocannon from 'autocannon'
import { startCommand } from '../support/start-command'

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

export interface StartOptions {
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  nodeArgs?: string[]
  /** Working directory (tsx resolves from it); default the server package. */
  cwd?: string
  /** Show the child's stdout (default: ignored). */
  stdout?: boolean
  /** Plain JavaScript entry: run with node alone (no tsx). */
  plain?: boolean
}

/** The portal's production command: the server bundle that `pnpm start` runs with plain node, and its flags. */
const START = startCommand()
export const PORTAL_ENTRY = join(ROOT, 'server', START.entry)

/** Builds the server bundle (`pnpm --filter @tp/server build`); its size and build time. */
export function buildServer(): { kb: number; ms: number } {
  const t = performance.now()
  execFileSync('pnpm', ['--filter', '@tp/server', 'build'], { cwd: ROOT, stdio: 'ignore' })
  return { kb: Math.round(statSync(PORTAL_ENTRY).size / 1024), ms: Math.round(performance.now() - t) }
}

/** Starts the portal as in production (the bundle, plain node, `pnpm start`'s flags) and waits for its first 200. */
export function startPortal(name: string, env: Record<string, string>, opts: Omit<StartOptions, 'plain'> = {}): Promise<Server> {
  return startServer(name, PORTAL_ENTRY, env, '/api/health', { ...opts, nodeArgs: [...START.flags, ...(opts.nodeArgs ?? [])], plain: true })
}

/** Starts a TypeScript entry point (from the server package, so tsx resolves) and waits for its first 200. */
export async function startServer(
  name: string,
  entry: string,
  env: Record<string, string>,
  healthPath = '/api/health',
  opts: StartOptions = {},
): Promise<Server> {
  const port = await freePort()
  const t0 = performance.now()
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...(opts.plain ? [] : ['--import', 'tsx']), entry], {
    cwd: opts.cwd ?? join(ROOT, 'server'),
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', opts.stdout ? 'inherit' : 'ignore', 'inherit'],
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

/** Samples a server's RSS while `work` runs; returns the work's result and the peak in MB. */
export async function withRss<T>(servers: Server[], work: () => Promise<T>, everyMs = 200): Promise<{ result: T; peakMb: number }> {
  let peak = 0
  const sample = () => {
    for (const s of servers) peak = Math.max(peak, s.rssMb())
  }
  sample()
  const timer = setInterval(sample, everyMs)
  try {
    const result = await work()
    sample()
    return { result, peakMb: peak }
  } finally {
    clearInterval(timer)
  }
}

/** One HTTP request (method, path, headers, body). */
export interface Req {
  method: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  body?: string
}

export interface LoadSpec {
  url: string | string[]
  method?: 'GET' | 'POST'
  path?: string
  headers?: Record<string, string>
  body?: string
  /** Per-request customisation (e.g. a different cookie or Idempotency-Key each time). */
  setupRequest?: (req: any, context: any) => any
  /** The i-th request of the run (takes precedence over method/path/headers/body). */
  request?: (i: number) => Req
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
  /** Responses per HTTP status. */
  statuses?: Record<string, number>
  /** Wall-clock seconds from the first request to the last answer. */
  seconds?: number
}

export async function load(spec: LoadSpec): Promise<LoadResult> {
  let n = 0
  const first = spec.request?.(0)
  const setupRequest = spec.request
    ? (req: any) => {
        const r = (spec.request as (i: number) => Req)(n++)
        return { ...req, method: r.method, path: r.path, headers: { ...r.headers }, body: r.body }
      }
    : spec.setupRequest
  const started = performance.now()
  let lastAnswer = started
  const run = autocannon({
    url: spec.url as string,
    connections: spec.connections ?? 50,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.durationSec ?? 10 }),
    requests: [
      {
        method: first?.method ?? spec.method ?? 'GET',
        path: first?.path ?? spec.path ?? '/',
        headers: first ? { ...first.headers } : { 'content-type': 'application/json', ...spec.headers },
        body: first?.body ?? spec.body,
        setupRequest,
      },
    ],
  })
  run.on('response', () => {
    lastAnswer = performance.now()
  })
  const r = await run
  const statuses: Record<string, number> = {}
  for (const [code, v] of Object.entries((r as any).statusCodeStats ?? {})) statuses[code] = Number((v as { count: number }).count)
  // autocannon ends a run of `amount` requests at its next one-second tick (its own start and finish
  // times would make 1,000 answers in 1.1 s read as 500/s): the time to the last answer counts.
  const seconds = spec.amount ? (lastAnswer - started) / 1000 : (new Date(r.finish).getTime() - new Date(r.start).getTime()) / 1000
  return {
    rps: spec.amount ? Math.round(r.requests.total / Math.max(seconds, 0.001)) : Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    total: r.requests.total,
    statuses,
    seconds,
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

/** Sends one request with keep-alive (fetch), returning the status, the body and the milliseconds taken. */
export async function send(base: string, r: Req): Promise<{ status: number; body: string; ms: number }> {
  const t = performance.now()
  const res = await fetch(base + r.path, { method: r.method, headers: r.headers, body: r.body })
  const body = await res.text()
  return { status: res.status, body, ms: performance.now() - t }
}

// ---------------------------------------------------------------------------------------------
// Server-sent events

export interface SseClient {
  /** Receipt time minus the event's `at` (publish time), per received event of the watched type. */
  latencies: number[]
  ready: Promise<void>
  close(): void
}

/** An SSE subscriber on its own socket: records `Date.now() - data.at` for events of `type`. */
export function sseClient(url: string, type: string, headers: Record<string, string> = {}): SseClient {
  const latencies: number[] = []
  let markReady: () => void = () => {}
  let fail: (e: Error) => void = () => {}
  const ready = new Promise<void>((ok, ko) => {
    markReady = ok
    fail = ko
  })
  const req = http.get(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
    if (res.statusCode !== 200) return fail(new Error(`SSE ${res.statusCode}`))
    res.setEncoding('utf8')
    let buf = ''
    res.on('data', (chunk: string) => {
      const now = Date.now()
      buf += chunk
      let end = buf.indexOf('\n\n')
      while (end >= 0) {
        const block = buf.slice(0, end)
        buf = buf.slice(end + 2)
        const event = /^event: ?(.*)$/m.exec(block)?.[1]
        if (event === 'ready') markReady()
        else if (event === type) {
          const data = /^data: ?(.*)$/m.exec(block)?.[1]
          const at = data ? (JSON.parse(data) as { at?: number }).at : undefined
          if (typeof at === 'number') latencies.push(now - at)
        }
        end = buf.indexOf('\n\n')
      }
    })
  })
  req.on('error', (e) => fail(e))
  return { latencies, ready, close: () => req.destroy() }
}

// ---------------------------------------------------------------------------------------------
// Web bundle (Vite manifest)

interface Chunk {
  file: string
  imports?: string[]
  dynamicImports?: string[]
  css?: string[]
}

/** First-load gzip sizes (entry + static imports) of a manifest entry, in bytes. */
export function firstLoadSize(dist: string, entry: string): { js: number; css: number; files: number } | null {
  const path = join(dist, '.vite/manifest.json')
  if (!existsSync(path)) return null
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Chunk>
  if (!manifest[entry]) return null
  const seen = new Set<string>()
  const walk = (k: string) => {
    if (seen.has(k) || !manifest[k]) return
    seen.add(k)
    for (const i of manifest[k]?.imports ?? []) walk(i)
  }
  walk(entry)
  const chunks = [...seen].map((k) => manifest[k] as Chunk)
  const gz = (f: string) => gzipSync(readFileSync(join(dist, f)), { level: 9 }).length
  const css = new Set(chunks.flatMap((c) => c.css ?? []))
  return { js: chunks.reduce((n, c) => n + gz(c.file), 0), css: [...css].reduce((n, f) => n + gz(f), 0), files: chunks.length + css.size }
}

// ---------------------------------------------------------------------------------------------
// CPU profiles (node --cpu-prof)

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}

/**
 * Self time by function and by package/file from a .cpuprofile, as percentages of the busy samples
 * (idle excluded). `window`: only samples between `fromEndMs` and `toEndMs` before the profile's
 * end (the load run, without start-up and shutdown).
 */
export function summariseProfile(
  path: string,
  window?: { fromEndMs: number; toEndMs: number },
  top = 25,
): { functions: { name: string; pct: number }[]; modules: { name: string; pct: number }[]; samples: number; idlePct: number } {
  const p = JSON.parse(readFileSync(path, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; endTime: number }
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const hits = new Map<number, number>()
  let ts = (p as { startTime?: number }).startTime ?? 0
  let idle = 0
  let kept = 0
  for (let i = 0; i < p.samples.length; i++) {
    ts += p.timeDeltas[i] ?? 0
    if (window && (ts < p.endTime - window.fromEndMs * 1000 || ts > p.endTime - window.toEndMs * 1000)) continue
    const id = p.samples[i] as number
    kept++
    if (byId.get(id)?.callFrame.functionName === '(idle)') {
      idle++
      continue
    }
    hits.set(id, (hits.get(id) ?? 0) + 1)
  }
  const total = kept - idle || 1
  const fn = new Map<string, number>()
  const mod = new Map<string, number>()
  for (const [id, h] of hits) {
    const n = byId.get(id)
    if (!n) continue
    const url = n.callFrame.url
    const file = url.replace(/^file:\/\//, '').replace(ROOT, '')
    const pkg = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1]
    const where = pkg ?? (file || n.callFrame.functionName || '(native)')
    const name = `${n.callFrame.functionName || '(anonymous)'} ${pkg ? `[${pkg}]` : file ? `${file}:${n.callFrame.lineNumber + 1}` : ''}`.trim()
    fn.set(name, (fn.get(name) ?? 0) + h)
    mod.set(where, (mod.get(where) ?? 0) + h)
  }
  const sorted = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, h]) => ({ name, pct: Math.round((h / total) * 1000) / 10 }))
  return { functions: sorted(fn), modules: sorted(mod), samples: kept, idlePct: Math.round((idle / (kept || 1)) * 1000) / 10 }
}
