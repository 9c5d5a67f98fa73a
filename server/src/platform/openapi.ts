import { createRoute, OpenAPIHono, type RouteConfig } from '@hono/zod-openapi'
import { ErrorBody } from '@tp/shared'
import type { MiddlewareHandler } from 'hono'
import { type Access, authorize } from './access'
import type { AppEnv } from './context'
import { validationError } from './errors'
import { idempotent } from './idempotency'

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
  /** Honour `Idempotency-Key`: replay the first response, never create twice. */
  idempotent?: boolean
  middleware?: MiddlewareHandler<AppEnv>[]
}

/**
 * createRoute with the access rule attached: it is enforced before validation and published as
 * `x-access`, so the authorization matrix test can walk every route.
 */
export function route<const R extends RouteInput>(r: R) {
  const { access, idempotent: idem, middleware = [], ...rest } = r
  const mw: MiddlewareHandler<AppEnv>[] = [authorize(access), ...(idem ? [idempotent()] : []), ...middleware]
  return createRoute({
    ...rest,
    middleware: mw,
    'x-access': access,
    responses: { ...STANDARD_ERRORS, ...rest.responses },
    ...(idem ? { 'x-idempotent': true } : {}),
  } as Omit<R, 'access' | 'idempotent' | 'middleware'> & { middleware: MiddlewareHandler<AppEnv>[] })
}

export const jsonContent = <T>(schema: T, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
})

export const jsonBody = <T>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
})
