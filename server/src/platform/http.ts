import { randomUUID } from 'node:crypto'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { ErrorHandler, MiddlewareHandler, NotFoundHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ANONYMOUS, type AppDeps, type AppEnv } from './context'
import { AppError } from './errors'
import { discardUnreferenced } from './uploads'

function clientIp(c: Parameters<MiddlewareHandler>[0], trustProxy: boolean): string {
  if (trustProxy) {
    // The proxy appends the address that connected to it: the last hop is the one to trust.
    const last = c.req
      .header('x-forwarded-for')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .pop()
    if (last) return last.slice(0, 64)
  }
  try {
    return getConnInfo(c).remote.address ?? ''
  } catch {
    // app.request() in tests has no socket.
    return c.req.header('x-test-ip') ?? '127.0.0.1'
  }
}

/**
 * Request id, a fresh service context, timing logs, and the outbox: events the work emitted are
 * published only once the response is a success (so a rolled-back write announces nothing).
 */
export function requestContext(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now()
    const requestId = c.req.header('x-request-id')?.slice(0, 64) || randomUUID()
    const outbox: AppEnv['Variables']['outbox'] = []
    const storageWrites: string[] = []
    c.set('requestId', requestId)
    c.set('outbox', outbox)
    c.set('actor', ANONYMOUS)
    c.set('ctx', {
      deps,
      db: deps.database.db,
      actor: ANONYMOUS,
      requestId,
      ip: clientIp(c, deps.config.trustProxy),
      now: deps.clock,
      emit: (e) => outbox.push(e),
      storageWrites,
    })
    c.header('x-request-id', requestId)
    await next()
    if (c.res.status >= 400 && storageWrites.length) {
      await discardUnreferenced(deps, storageWrites).catch((err) => deps.log.warn({ err, requestId, keys: storageWrites }, 'could not discard stored upload'))
    }
    if (c.res.status < 400) {
      for (const e of outbox) deps.bus.publish(e).catch((err) => deps.log.error({ err, requestId }, 'event publish failed'))
    }
    const ms = Math.round((performance.now() - started) * 10) / 10
    if (c.req.path.startsWith('/api') || c.req.path.startsWith('/open311')) {
      deps.log.info({ requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms }, 'request')
    }
  }
}

export function errorHandler(deps: AppDeps): ErrorHandler<AppEnv> {
  return (err, c) => {
    const requestId = c.get('requestId')
    // `details` is always there (possibly empty), so clients can read it without checking.
    const send = (status: ContentfulStatusCode, error: { code: string; message: string; details?: unknown; [k: string]: unknown }) =>
      // Open311 clients expect the GeoReport error shape, also for refusals before its router (e.g. 413).
      c.req.path.startsWith('/open311/')
        ? c.json([{ code: status, description: error.message }], status)
        : c.json({ error: { details: [], ...error, requestId } }, status)
    if (err instanceof AppError) {
      for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v)
      return send(err.status, { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}), ...err.extra })
    }
    if (err instanceof HTTPException) {
      const status = err.status
      const code = status === 413 ? 'payload_too_large' : status === 400 ? 'bad_request' : `http_${status}`
      const message = status === 400 && /JSON/i.test(err.message) ? 'Malformed JSON in request body' : err.message || 'Request failed'
      return send(status, { code, message })
    }
    const invalid = invalidInputCode(err)
    if (invalid) {
      // The database refused a value the validation let through (NUL characters, out-of-range numbers,
      // an index entry too large): the client's input, so 400 — logged, to close the validation gap.
      deps.log.warn({ err, requestId, path: c.req.path, pgCode: invalid }, 'input refused by the database')
      return send(400, {
        code: 'invalid_input',
        message: 'Some input contains characters or values that cannot be stored',
        details: [{ path: 'body', message: `Refused by the database (${invalid})` }],
      })
    }
    const unavailable = isDatabaseUnavailable(err)
    deps.log.error({ err, requestId, path: c.req.path }, unavailable ? 'database unavailable' : 'unhandled error')
    if (unavailable) {
      c.header('Retry-After', '5')
      return send(503, { code: 'service_unavailable', message: 'The service is temporarily unavailable; please try again shortly' })
    }
    return send(500, { code: 'internal_error', message: 'Something went wrong on our side' })
  }
}

export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } }
  if (/PGlite is closed/.test(`${e?.message} ${e?.cause?.message}`)) return true
  const code = e?.code ?? e?.cause?.code
  return ['ECONNREFUSED', 'ECONNRESET', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', '57P01', '57P03'].includes(code ?? '')
}

/**
 * PostgreSQL's data exceptions (class 22: invalid text such as NUL bytes, values out of range, bad
 * date/time) and "program limit exceeded" (54000: e.g. an index entry too large) are caused by
 * input values; division by zero (22012) is a server bug and stays a 500.
 */
function invalidInputCode(err: unknown): string | null {
  const e = err as { code?: unknown; cause?: { code?: unknown } }
  const code = [e?.code, e?.cause?.code].find((x): x is string => typeof x === 'string' && /^(22[0-9A-Z]{3}|54000)$/.test(x))
  return code && code !== '22012' ? code : null
}

const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** At most this many parts (fields and files together) in one multipart request. */
export const MAX_MULTIPART_PARTS = 40

/**
 * Request size limits for the API: the body limit (413), and for multipart bodies at most
 * MAX_MULTIPART_PARTS parts (413 `too_many_parts`), counted on the raw bytes before anything parses
 * them. Routes further limit the files they accept (e.g. 9 pieces of evidence).
 */
export function requestLimits(config: { bodyLimitBytes: number }): MiddlewareHandler<AppEnv>[] {
  const tooLarge = () => {
    throw new AppError(413, 'payload_too_large', `Request body is larger than ${Math.floor(config.bodyLimitBytes / 1048576)} MB`)
  }
  const bodyLimited = bodyLimit({ maxSize: config.bodyLimitBytes, onError: tooLarge })
  // Hono's bodyLimit looks at `raw.body`, which makes the node adapter build a full fetch Request
  // (streams, abort signal) — most of a GET's cost, and a third of a small POST's. No route reads the
  // body of a GET, HEAD or OPTIONS request; a declared Content-Length is checked from the header
  // (node's parser reads exactly that many bytes), so the body is later read straight from the socket.
  // Only a chunked body goes through the counting stream.
  const limit: MiddlewareHandler<AppEnv> = (c, next) => {
    if (BODYLESS_METHODS.has(c.req.method)) return next()
    const length = c.req.header('content-length')
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return bodyLimited(c, next)
    return Number(length) > config.bodyLimitBytes ? tooLarge() : next()
  }
  const parts: MiddlewareHandler<AppEnv> = async (c, next) => {
    const type = c.req.header('content-type') ?? ''
    if (/^\s*multipart\/form-data/i.test(type)) {
      const m = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(type)
      const boundary = m?.[1] ?? m?.[2]
      if (!boundary) throw new AppError(400, 'bad_request', 'Multipart request without a valid boundary')
      const body = Buffer.from(await c.req.arrayBuffer())
      const delimiter = Buffer.from(`--${boundary}`)
      let count = -1 // the closing delimiter ends the last part
      for (let i = body.indexOf(delimiter); i >= 0 && count <= MAX_MULTIPART_PARTS; i = body.indexOf(delimiter, i + delimiter.length)) count++
      if (count > MAX_MULTIPART_PARTS)
        throw new AppError(413, 'too_many_parts', `A request may carry at most ${MAX_MULTIPART_PARTS} fields and files`, [
          { path: 'body', message: `More than ${MAX_MULTIPART_PARTS} parts` },
        ])
    }
    await next()
  }
  return [limit, parts]
}

export const apiNotFound: NotFoundHandler<AppEnv> = (c) => {
  const message = `No route for ${c.req.method} ${c.req.path}`
  if (c.req.path.startsWith('/open311/')) return c.json([{ code: 404, description: message }], 404)
  return c.json({ error: { code: 'not_found', message, details: [], requestId: c.get('requestId') } }, 404)
}

/** CSP for the H5 and console; framing only by the WeChat mini-program web-view origin(s). */
export function securityHeaders(frameAncestors: readonly string[]): MiddlewareHandler<AppEnv> {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "connect-src 'self'",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors 'self' ${frameAncestors.join(' ')}`,
  ].join('; ')
  return async (c, next) => {
    await next()
    // On the response's own headers: `c.header()` after the handler would copy the response
    // through a full fetch Response and a body stream on every request.
    const headers = c.res.headers
    headers.set('Content-Security-Policy', csp)
    headers.set('X-Content-Type-Options', 'nosniff')
    headers.set('Referrer-Policy', 'strict-origin-when-cross-origin')
    headers.set('Permissions-Policy', 'geolocation=(self), camera=(self), microphone=()')
    headers.set('Cross-Origin-Opener-Policy', 'same-origin')
  }
}
