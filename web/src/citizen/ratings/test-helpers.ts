import { vi } from 'vitest'
import { api } from '@/api/client'
import ratingsMessages from './i18n'

/** This feature's messages as the shell merges them (under `ratings`). */
export const ratingsI18n = { './ratings/i18n.ts': { default: ratingsMessages } }

export function answer<T>(data: T, status = 200) {
  return { data, error: undefined, response: new Response(null, { status }) }
}

export function failure(status: number, code: string) {
  return { data: undefined, error: { error: { code, message: code } }, response: new Response(null, { status }) }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** Replaces the API client's calls with `handler(method, path, init)`; records the calls. */
export function mockApi(handler: (method: Method, path: string, init: any) => unknown) {
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
  const calls: { method: Method; path: string; init: any }[] = []
  const spies = methods.map((m) =>
    vi.spyOn(api, m).mockImplementation(((path: string, init: unknown) => {
      calls.push({ method: m, path, init })
      return Promise.resolve(handler(m, path, init))
    }) as never),
  )
  return {
    calls: (method: Method, path: string) => calls.filter((c) => c.method === method && c.path === path),
    restore: () => {
      for (const s of spies) s.mockRestore()
    },
  }
}
