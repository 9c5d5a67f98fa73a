import { randomUUID } from 'node:crypto'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { ErrorHandler, MiddlewareHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { ANONYMOUS, type AppDeps, type AppEnv } from './context'
import { AppError } from './errors'

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
    })
    c.header('x-request-id', requestId)
    await next()
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
    if (err instanceof AppError) {
      for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v)
      return c.json({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}), ...err.extra, requestId } }, err.status)
    }
    if (err instanceof HTTPException) {
      const status = err.status
      const code = status === 413 ? 'payload_too_large' : status === 400 ? 'bad_request' : `http_${status}`
      const message = status === 400 && /JSON/i.test(err.message) ? 'Malformed JSON in request body' : err.message || 'Request failed'
      return c.json({ error: { code, message, requestId } }, status)
    }
    const unavailable = isDatabaseUnavailable(err)
    deps.log.error({ err, requestId, path: c.req.path }, unavailable ? 'database unavailable' : 'unhandled error')
    if (unavailable) {
      c.header('Retry-After', '5')
      return c.json({ error: { code: 'service_unavailable', message: 'The service is temporarily unavailable; please try again shortly', requestId } }, 503)
    }
    return c.json({ error: { code: 'internal_error', message: 'Something went wrong on our side', requestId } }, 500)
  }
}

function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } }
  if (/PGlite is closed/.test(`${e?.message} ${e?.cause?.message}`)) return true
  const code = e?.code ?? e?.cause?.code
  return ['ECONNREFUSED', 'ECONNRESET', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', '57P01', '57P03'].includes(code ?? '')
}

export const apiNotFound: NotFoundHandler<AppEnv> = (c) =>
  c.json({ error: { code: 'not_found', message: `No route for ${c.req.method} ${c.req.path}`, requestId: c.get('requestId') } }, 404)

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
    c.header('Content-Security-Policy', csp)
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('Referrer-Policy', 'strict-origin-when-cross-origin')
    c.header('Permissions-Policy', 'geolocation=(self), camera=(self), microphone=()')
    c.header('Cross-Origin-Opener-Policy', 'same-origin')
  }
}
