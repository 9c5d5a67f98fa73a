import { afterEach, describe, expect, it, vi } from 'vitest'
import { earlyFetch } from './early'

const request = () => new Request('http://localhost/api/me')

describe('earlyFetch', () => {
  afterEach(() => {
    delete window.__tpEarly
    vi.unstubAllGlobals()
  })

  it('answers the first call with the early response and asks the server for the next', async () => {
    const early = new Response('{"kind":"citizen"}')
    window.__tpEarly = { '/api/me': Promise.resolve(early) }
    const fresh = new Response('{}')
    const fetch = vi.fn(async () => fresh)
    vi.stubGlobal('fetch', fetch)
    expect(await earlyFetch('/api/me')(request())).toBe(early)
    expect(fetch).not.toHaveBeenCalled()
    expect(await earlyFetch('/api/me')(request())).toBe(fresh)
    expect(fetch).toHaveBeenCalledTimes(1)
  })

  it.each([
    ['absent', undefined],
    ['failed', { '/api/me': Promise.resolve(null) }],
    ['not a success', { '/api/me': Promise.resolve(new Response('{}', { status: 401 })) }],
    ['for another path', { '/api/reports/kinds': Promise.resolve(new Response('[]')) }],
  ])('asks the server when the early request is %s', async (_case, early) => {
    window.__tpEarly = early
    const fresh = new Response('{}')
    const req = request()
    const fetch = vi.fn(async () => fresh)
    vi.stubGlobal('fetch', fetch)
    expect(await earlyFetch('/api/me')(req)).toBe(fresh)
    expect(fetch).toHaveBeenCalledWith(req)
  })
})
