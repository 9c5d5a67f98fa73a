import { createRoute, OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi'
import { ErrorBody } from '@tp/shared'
import type { Context, MiddlewareHandler } from 'hono'
import { type Access, authorize } from './access'
import type { AppEnv } from './context'
import { validationError } from './errors'
import { type EarlyRefusal, idempotent } from './idempotency'
import { hitAll, type RouteLimit, routeLimits } from './rate-limit'

/** Every feature's router: validation failures become the one 400 error envelope. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const target = result.target === 'json' || result.target === 'form' ? 'body' : result.target
        throw validationError(result.error, target)
      }
    },
  })
}

/** A file answer in the OpenAPI document. */
export const binary = (type: string, description = 'File') => ({ description, content: { [type]: { schema: z.string().openapi({ format: 'binary' }) } } })

/** A file field of a multipart request body. */
export const FileField = z.any().openapi({ type: 'string', format: 'binary' })

/** `?thumb=1`: a stored image's thumbnail instead of the image. */
export const FileQuery = z.object({ thumb: z.enum(['1', '0']).optional() })

/** A stored upload shown inline (evidence, photos), cached by the browser only. */
export function inlineFile(c: Context, f: { bytes: Uint8Array; contentType: string; name: string }) {
  return c.body(new Uint8Array(f.bytes), 200, {
    'content-type': f.contentType,
    'cache-control': 'private, max-age=3600',
    'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(f.name)}`,
  })
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } })

const STANDARD_ERRORS = {
  400: errorResponse('Invalid input'),
  401: errorResponse('Not signed in'),
  403: errorResponse('Not allowed'),
  404: errorResponse('Not found'),
  409: errorResponse('Conflict with the current state'),
  422: errorResponse('Not processable'),
  429: errorResponse('Too many requests'),
} as const

type RouteInput = Omit<RouteConfig, 'middleware'> & {
  access: Access
  /** Honour `Idempotency-Key`: replay the first response, never create twice; optionally refuse early by a cheap read. */
  idempotent?: boolean | { refuseEarly: EarlyRefusal }
  /** Count every attempt per account and per address before anything else runs (429 + Retry-After). */
  rateLimit?: RouteLimit
  middleware?: MiddlewareHandler<AppEnv>[]
}

/**
 * createRoute with the access rule attached: it is enforced before validation and published as
 * `x-access`, so the authorization matrix test can walk every route.
 */
export function route<const R extends RouteInput>(r: R) {
  const { access, idempotent: idem, rateLimit, middleware = [], ...rest } = r
  const mw: MiddlewareHandler<AppEnv>[] = [
    authorize(access),
    ...(rateLimit ? [limited(rateLimit)] : []),
    ...(idem ? [idempotent(idem === true ? undefined : idem.refuseEarly)] : []),
    ...middleware,
  ]
  return createRoute({
    ...rest,
    middleware: mw,
    'x-access': access,
    responses: { ...STANDARD_ERRORS, ...rest.responses },
    ...(idem ? { 'x-idempotent': true } : {}),
    ...(rateLimit ? { 'x-rate-limit': rateLimit } : {}),
  } as Omit<R, 'access' | 'idempotent' | 'rateLimit' | 'middleware'> & { middleware: MiddlewareHandler<AppEnv>[] })
}

/** Runs on the shared handle, outside any transaction: the count stands even if the request then fails. */
function limited(limit: RouteLimit): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const ctx = c.get('ctx')
    await hitAll(ctx.deps.database.db, routeLimits(limit, ctx.ip, ctx.actor as { kind: string; id?: string }), ctx.now())
    await next()
  }
}

export const jsonContent = <T>(schema: T, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
})

export const jsonBody = <T>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
})
