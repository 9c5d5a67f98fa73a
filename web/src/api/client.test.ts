import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, api, errorKey, setUnauthorizedHandler, toApiError, unwrap } from './client'
import { csrf, me, setMe } from './session'

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

describe('API client', () => {
  afterEach(() => {
    setMe(null)
    vi.unstubAllGlobals()
  })

  it('sends the CSRF token on state-changing requests only', async () => {
    setMe({ kind: 'citizen', id: 'c1', phoneMasked: '138****8000', name: null, csrfToken: 'tok-1' } as never)
    const seen: Request[] = []
    const fetch = vi.fn(async (req: Request) => {
      seen.push(req)
      return json(200, { updated: 0 })
    })
    await api.POST('/api/notifications/read', { body: {}, fetch })
    await api.GET('/api/notifications', { params: { query: { limit: 1 } }, fetch })
    expect(seen[0]?.headers.get('x-csrf-token')).toBe('tok-1')
    expect(seen[1]?.headers.get('x-csrf-token')).toBeNull()
    expect(csrf()).toBe('tok-1')
  })

  it('turns the error envelope into an ApiError with field messages', async () => {
    const fetch = vi.fn(async () =>
      json(400, {
        error: { code: 'validation_failed', message: 'Some fields are invalid', details: [{ path: 'body.phone', message: 'bad phone' }], requestId: 'r1' },
      }),
    )
    const err = await unwrap(api.POST('/api/auth/otp', { body: { phone: 'x' }, fetch })).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 400, code: 'validation_failed', requestId: 'r1' })
    expect(err.fields).toEqual({ phone: 'bad phone' })
  })

  it('keeps extra envelope fields such as retryAfterSeconds', () => {
    const err = toApiError({ error: { code: 'account_locked', message: 'locked', retryAfterSeconds: 600 } }, new Response(null, { status: 429 }))
    expect(err.retryAfterSeconds).toBe(600)
  })

  it('reports a network failure as status 0', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch')
    })
    const err = await unwrap(api.GET('/api/me/cases', { fetch })).catch((e) => e)
    expect(err).toMatchObject({ status: 0, code: 'network_error' })
  })

  it('forgets the session and calls the shell on 401, but not for a wrong sign-in', async () => {
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    setMe({ kind: 'citizen', id: 'c1', phoneMasked: '', name: null, csrfToken: 't' } as never)
    const fetch401 = vi.fn(async () => json(401, { error: { code: 'unauthorized', message: 'Please sign in' } }))
    await unwrap(api.POST('/api/auth/otp/verify', { body: { phone: '13800138000', code: '000000' }, fetch: fetch401 })).catch(() => {})
    expect(handler).not.toHaveBeenCalled()
    await unwrap(api.GET('/api/me/cases', { fetch: fetch401 })).catch(() => {})
    expect(handler).toHaveBeenCalledWith({ path: '/api/me/cases', wasSignedIn: true })
    expect(me.value).toBeNull()
  })

  it('maps error codes to shell messages', () => {
    const known = (k: string) => ['errors.rate_limited'].includes(k)
    expect(errorKey(new ApiError(429, 'rate_limited', ''), known)).toBe('errors.rate_limited')
    expect(errorKey(new ApiError(503, 'weird', ''), known)).toBe('errors.internal_error')
    expect(errorKey(new ApiError(0, 'x', ''), known)).toBe('errors.network_error')
    expect(errorKey(new Error('x'), known)).toBe('errors.generic')
  })
})
