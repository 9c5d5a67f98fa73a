import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createApp } from '@tp/server/app'
import { loadConfig } from '@tp/server/config'
import { seedIdentity } from '@tp/server/modules/identity/identity.seed'
import { citizens, staff } from '@tp/server/modules/identity/identity.tables'
import { createSession } from '@tp/server/modules/identity/sessions'
import { modules } from '@tp/server/modules/index'
import { systemCtx } from '@tp/server/platform/context'
import { type Database, openDatabase } from '@tp/server/platform/db'
import { createDeps } from '@tp/server/platform/deps'
import { createLogger } from '@tp/server/platform/logger'
import { eq } from 'drizzle-orm'
import postgres from 'postgres'
import type { TestApp } from '../support/app'
import { startCommand } from '../support/start-command'

/**
 * Fault tests run the real server as a child process — the production bundle, `node
 * dist/main.mjs` from server/ (built by global-setup.ts), as `pnpm start` does — on its own database: a PGlite data directory, or a
 * PostgreSQL database of its own when TEST_DATABASE_URL is set. TRUST_PROXY is on, so each
 * simulated client can present its own address (X-Forwarded-For) to the per-address limits.
 */

export const ROOT = resolve(import.meta.dirname, '../..')
export const PG_URL = process.env.TEST_DATABASE_URL
export const KINDS: ('pglite' | 'pg')[] = PG_URL ? ['pglite', 'pg'] : ['pglite']

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

const withDatabase = (url: string, name: string) => {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/** A database for one server: created, migrated and seeded with the demo data from this process. */
export interface Store {
  kind: 'pglite' | 'pg'
  dataDir: string
  /** DATABASE_URL for the server ('' = the embedded store in DATA_DIR). */
  url: string
  /** Opens it here. On the embedded store only while no server runs on it (one process owns it). */
  open(): Promise<Database>
  /** An in-process app on an open handle, for setting things up through the API. */
  app(database: Database): Promise<TestApp>
  drop(): Promise<void>
}

export async function createStore(kind: 'pglite' | 'pg'): Promise<Store> {
  const dataDir = mkdtempSync(join(tmpdir(), `tp-fault-${kind}-`))
  let url = ''
  let name = ''
  if (kind === 'pg') {
    if (!PG_URL) throw new Error('TEST_DATABASE_URL is not set')
    name = `tp_fault_${randomBytes(5).toString('hex')}`
    const admin = postgres(PG_URL, { max: 1, onnotice: () => {} })
    await admin.unsafe(`create database ${name}`)
    await admin.end()
    url = withDatabase(PG_URL, name)
  }
  const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, WEB_DIST: join(dataDir, 'no-web'), LOG_LEVEL: 'silent', TRUST_PROXY: 'true' })
  const store: Store = {
    kind,
    dataDir,
    url,
    open: () => openDatabase({ url: url || undefined, dataDir: join(dataDir, 'pglite'), maxConnections: 5 }),
    async app(database) {
      const deps = await createDeps(config, { database, log: createLogger('silent') })
      return { app: createApp(deps), deps, now: { value: new Date() }, close: () => deps.bus.close() }
    },
    async drop() {
      if (kind === 'pg' && PG_URL) {
        const admin = postgres(PG_URL, { max: 1, onnotice: () => {} })
        await admin.unsafe(`drop database if exists ${name} with (force)`)
        await admin.end()
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
  const db = await store.open()
  await db.migrate()
  const t = await store.app(db)
  // The demo data of the features these tests write to (identity, reports, appeals, bookings).
  await db.db.transaction(async (tx) => {
    const ctx = systemCtx(t.deps, tx)
    const refs = await seedIdentity(ctx)
    for (const m of modules) if (['reports', 'appeals', 'bookings'].includes(m.name)) await m.seed?.(ctx, refs)
  })
  await t.close()
  await db.close()
  return store
}

export interface LogLine {
  level: number
  msg?: string
  [k: string]: unknown
}

export interface Server {
  base: string
  port: number
  child: ChildProcess
  /** Structured log lines (JSON) the server wrote, and everything else it printed. */
  logs: LogLine[]
  output: string[]
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Milliseconds from spawn until /api/ready answered 200. */
  startMs: number
}

/** Starts the real server on the store and waits until it is ready. */
export async function startServer(store: Store, env: Record<string, string> = {}): Promise<Server> {
  const s = await spawnServer(store, env)
  s.startMs = await s.ready()
  return s
}

/** Starts the real server on the store; `ready()` waits until /api/ready answers 200. */
export async function spawnServer(store: Store, env: Record<string, string> = {}): Promise<Server & { ready(): Promise<number> }> {
  const port = await freePort()
  const started = performance.now()
  const start = startCommand()
  const child = spawn(process.execPath, [...start.flags, start.entry], {
    cwd: join(ROOT, 'server'),
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: store.dataDir,
      DATABASE_URL: store.url,
      WEB_DIST: join(store.dataDir, 'no-web'),
      SEED_DEMO: 'false',
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: LogLine[] = []
  const output: string[] = []
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue
      output.push(line)
      if (line.startsWith('{')) {
        try {
          logs.push(JSON.parse(line) as LogLine)
        } catch {}
      }
    }
  }
  let buffered = ''
  child.stdout?.on('data', (c: Buffer) => {
    buffered += c.toString('utf8')
    const cut = buffered.lastIndexOf('\n')
    if (cut >= 0) {
      collect(Buffer.from(buffered.slice(0, cut)))
      buffered = buffered.slice(cut + 1)
    }
  })
  child.stderr?.on('data', (c: Buffer) => collect(c))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })))
  const base = `http://127.0.0.1:${port}`
  const ready = async () => {
    const deadline = Date.now() + 120_000
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`server exited (${child.exitCode ?? child.signalCode}):\n${output.slice(-20).join('\n')}`)
      try {
        if ((await fetch(`${base}/api/ready`)).ok) break
      } catch {}
      if (Date.now() > deadline) {
        child.kill('SIGKILL')
        throw new Error(`server did not become ready in 120 s:\n${output.slice(-20).join('\n')}`)
      }
      await new Promise((r) => setTimeout(r, 150))
    }
    return Math.round(performance.now() - started)
  }
  return { base, port, child, logs, output, exited, startMs: 0, ready }
}

export async function stopServer(s: Server, signal: NodeJS.Signals = 'SIGTERM') {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill(signal)
  return s.exited
}

// -------------------------------------------------------------------------------------------------
// A small HTTP client (node:http, so each request can also be sent slowly, and the client address
// is set per user through X-Forwarded-For).

export interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: any
  text: string
}

export interface Agent {
  cookie: string
  csrf: string
  ip: string
}

export function send(
  base: string,
  who: Agent | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  opts: { freshConnection?: boolean } = {},
): Promise<Reply> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
  return new Promise((ok, fail) => {
    const req = httpRequest(
      `${base}${path}`,
      {
        method,
        ...(opts.freshConnection ? { agent: false } : {}),
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          ...(who ? { cookie: who.cookie, 'x-csrf-token': who.csrf, 'x-forwarded-for': who.ip } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let parsed: unknown = text
          try {
            parsed = JSON.parse(text)
          } catch {}
          ok({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text })
        })
        res.on('error', fail)
      },
    )
    req.on('error', fail)
    req.end(payload)
  })
}

/**
 * A request whose body is sent in two halves, on a connection of its own. It asks
 * `Expect: 100-continue`: the server answers "100 Continue" once it has parsed the headers and
 * started the request, and only then is the first half sent — so when `sent` resolves, the request
 * is provably inside the server. `finish()` sends the rest.
 */
export function slowSend(base: string, who: Agent, method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const payload = Buffer.from(JSON.stringify(body))
  const half = Math.floor(payload.length / 2)
  const req = httpRequest(`${base}${path}`, {
    method,
    agent: false,
    headers: {
      expect: '100-continue',
      'content-type': 'application/json',
      'content-length': String(payload.length),
      cookie: who.cookie,
      'x-csrf-token': who.csrf,
      'x-forwarded-for': who.ip,
      ...headers,
    },
  })
  const reply = new Promise<Reply>((ok, fail) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let parsed: unknown = text
        try {
          parsed = JSON.parse(text)
        } catch {}
        ok({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text })
      })
    })
    req.on('error', fail)
  })
  const sent = new Promise<void>((ok) => {
    req.on('continue', () => req.write(payload.subarray(0, half), () => ok()))
    req.flushHeaders()
  })
  return { sent, reply, finish: () => req.end(payload.subarray(half)) }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The China calendar date `days` from now. */
export function chinaDate(days: number): string {
  return new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10)
}

/** Citizens (new, by phone) and staff (demo usernames) with a session each, written straight to the database. */
export async function sessionsFor(
  database: Database,
  who: { phones?: string[]; staff?: string[] },
  ipPrefix = '10.60',
): Promise<{ citizens: Agent[]; staff: Record<string, Agent> }> {
  const db = database.db
  const out: { citizens: Agent[]; staff: Record<string, Agent> } = { citizens: [], staff: {} }
  let n = 1
  for (const phone of who.phones ?? []) {
    const [c] = await db.insert(citizens).values({ phone, name: '故障测试' }).returning({ id: citizens.id })
    const s = await createSession(db, { type: 'citizen', id: c!.id }, 86_400_000, new Date())
    out.citizens.push({ cookie: `tp_sid=${s.token}`, csrf: s.csrfToken, ip: `${ipPrefix}.${Math.floor(n / 250)}.${n++ % 250}` })
  }
  for (const username of who.staff ?? []) {
    const [row] = await db.select({ id: staff.id }).from(staff).where(eq(staff.username, username))
    const s = await createSession(db, { type: 'staff', id: row!.id }, 86_400_000, new Date())
    out.staff[username] = { cookie: `tp_sid=${s.token}`, csrf: s.csrfToken, ip: `${ipPrefix}.${Math.floor(n / 250)}.${n++ % 250}` }
  }
  return out
}

/**
 * A live-event stream (SSE) held open; `events` collects the event names as they arrive, `received`
 * each event with its data and arrival time (ms since epoch, comparable with the bus's `at`).
 */
export function openStream(base: string, who: Agent) {
  const events: string[] = []
  const received: { event: string; data: string; at: number }[] = []
  let resolveReady!: () => void
  const ready = new Promise<void>((r) => {
    resolveReady = r
  })
  const ended = new Promise<'ended' | 'error'>((done) => {
    const req = httpRequest(`${base}/api/events`, { headers: { cookie: who.cookie, 'x-forwarded-for': who.ip, accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8')
      let buf = ''
      res.on('data', (chunk: string) => {
        buf += chunk
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i)
          buf = buf.slice(i + 2)
          const name = /^event: ?(.*)$/m.exec(block)?.[1]
          if (name) {
            events.push(name)
            received.push({ event: name, data: /^data: ?(.*)$/m.exec(block)?.[1] ?? '', at: Date.now() })
          }
          if (name === 'ready') resolveReady()
        }
      })
      res.on('end', () => done('ended'))
      res.on('error', () => done('error'))
    })
    req.on('error', () => done('error'))
    req.end()
  })
  return { events, received, ready, ended }
}
