import type { ErrorDetail } from '@tp/shared'
import type { z } from 'zod'

/** A failure the client caused or can act on; rendered as the one error envelope. */
export class AppError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    /** Extra fields for the envelope, e.g. a link to the conflicting resource. */
    readonly extra?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message)
  }
}

export const badRequest = (message: string, details?: ErrorDetail[]) => new AppError(400, 'bad_request', message, details)
export const unauthorized = (message = 'Please sign in') => new AppError(401, 'unauthorized', message)
export const forbidden = (message = 'You are not allowed to do this') => new AppError(403, 'forbidden', message)
export const notFound = (what = 'Resource') => new AppError(404, 'not_found', `${what} not found`)
export const conflict = (code: string, message: string, extra?: Record<string, unknown>) => new AppError(409, code, message, undefined, extra)
export const unprocessable = (code: string, message: string, details?: ErrorDetail[]) => new AppError(422, code, message, details)
export const tooManyRequests = (retryAfterSeconds: number, message = 'Too many requests, please try again later') =>
  new AppError(
    429,
    'rate_limited',
    message,
    undefined,
    { retryAfterSeconds },
    {
      'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
    },
  )

/** A transition the state machine does not allow for this actor. */
export const invalidTransition = (from: string, action: string) =>
  new AppError(409, 'invalid_transition', `Cannot ${action} a case that is ${from}`, undefined, { state: from, action })

export function zodDetails(error: z.ZodError, prefix?: string): ErrorDetail[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
    message: i.message,
    code: i.code,
  }))
}

export const validationError = (error: z.ZodError, target?: string) =>
  new AppError(400, 'validation_failed', 'Some fields are invalid', zodDetails(error, target))
