import createClient, { type Middleware } from 'openapi-fetch'
import type { paths } from './schema'
import { clearSession, csrf, me } from './session'

export type { paths } from './schema'

/** One field problem from the error envelope, e.g. `{ path: 'body.phone', message }`. */
export interface FieldDetail {
  path: string
  message: string
  code?: string
}

/**
 * An API failure as the one error envelope describes it: `{"error":{"code","message","details"}}`.
 * `fields` maps the last path segment (`body.phone` → `phone`) to the first message for it, for
 * inline form messages. `status` is 0 when the network failed.
 */
export class ApiError extends Error {
  readonly fields: Record<string, string>
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldDetail[] = [],
    readonly requestId?: string,
    /** Extra envelope fields such as `retryAfterSeconds`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'ApiError'
    this.fields = {}
    for (const d of details) {
      const field = d.path.split('.').pop() ?? d.path
      this.fields[field] ??= d.message
    }
  }

  get retryAfterSeconds(): number | undefined {
    const v = this.extra.retryAfterSeconds
    return typeof v === 'number' ? v : undefined
  }
}

/** Builds an ApiError from whatever came back (envelope, other JSON, or nothing). */
export function toApiError(body: unknown, response?: Response): ApiError {
  const status = response?.status ?? 0
  const env = (body as { error?: Record<string, unknown> } | null)?.error
  if (env && typeof env === 'object' && typeof env.code === 'string') {
    const { code, message, details, requestId, ...extra } = env
    return new ApiError(
      status,
      code,
      typeof message === 'string' ? message : code,
      Array.isArray(details) ? (details as FieldDetail[]) : [],
      typeof requestId === 'string' ? requestId : undefined,
      extra,
    )
  }
  if (status === 0) return new ApiError(0, 'network_error', 'Network request failed')
  return new ApiError(status, `http_${status}`, response?.statusText || `HTTP ${status}`)
}

type Unauthorized = (info: { path: string; wasSignedIn: boolean }) => void
let onUnauthorized: Unauthorized = () => {}
let onPasswordChangeRequired: () => void = () => {}

/** Each shell says what a 401 means for it (usually: go to sign-in if the page needs it). */
export function setUnauthorizedHandler(handler: Unauthorized): void {
  onUnauthorized = handler
}

/** Staff with a temporary password get 403 `password_change_required` until they change it. */
export function setPasswordChangeHandler(handler: () => void): void {
  onPasswordChangeRequired = handler
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])

const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    const token = csrf()
    if (token && !SAFE.has(request.method)) request.headers.set('x-csrf-token', token)
    return request
  },
}

const authMiddleware: Middleware = {
  async onResponse({ request, response }) {
    if (response.status === 403) {
      const body = (await response
        .clone()
        .json()
        .catch(() => null)) as { error?: { code?: string } } | null
      if (body?.error?.code === 'password_change_required') onPasswordChangeRequired()
      return undefined
    }
    if (response.status !== 401) return undefined
    const path = new URL(request.url, location.origin).pathname
    // A wrong password or code is a 401 too; only a lost session matters here.
    if (path.startsWith('/api/auth/')) return undefined
    const wasSignedIn = me.value !== null
    clearSession()
    onUnauthorized({ path, wasSignedIn })
    return undefined
  },
}

/**
 * The typed API client. Types come only from the generated `schema.d.ts` (`pnpm api:generate`).
 *
 * ```ts
 * const { items } = await unwrap(api.GET('/api/me/cases'))
 * ```
 */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' })
api.use(csrfMiddleware, authMiddleware)

/** Resolves to `data`, or throws an ApiError (also for network failures). */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response }
  try {
    result = await call
  } catch (err) {
    if (err instanceof ApiError) throw err
    throw new ApiError(0, 'network_error', err instanceof Error ? err.message : 'Network request failed')
  }
  if (result.error !== undefined || !result.response.ok) throw toApiError(result.error, result.response)
  return result.data as T
}

/** The i18n key for an error: `errors.<code>` (shell messages), falling back to a generic one. */
export function errorKey(err: unknown, te: (key: string) => boolean): string {
  if (err instanceof ApiError) {
    const key = `errors.${err.code}`
    if (te(key)) return key
    if (err.status >= 500) return 'errors.internal_error'
    if (err.status === 0) return 'errors.network_error'
  }
  return 'errors.generic'
}
