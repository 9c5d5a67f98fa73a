import { vi } from 'vitest'
import { api } from '@/api/client'
import citizenIdentity from './i18n'

/** Messages of this feature, as the shell merges them (under `identity`). */
export const identityMessages = { './identity/i18n.ts': { default: citizenIdentity } }

/** An openapi-fetch style answer. */
export function answer<T>(data: T, status = 200) {
  return { data, error: undefined, response: new Response(null, { status }) }
}

export function failure(status: number, error: { code: string; message: string; details?: { path: string; message: string }[] }) {
  return { data: undefined, error: { error }, response: new Response(null, { status }) }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT'

/** Replaces the API client's calls with a handler keyed by "METHOD path". */
export function mockApi(handler: (method: Method, path: string, init: unknown) => unknown) {
  const spies = (['GET', 'POST', 'PATCH', 'DELETE', 'PUT'] as const).map((m) =>
    vi.spyOn(api, m).mockImplementation(((path: string, init: unknown) => Promise.resolve(handler(m, path, init))) as never),
  )
  return {
    calls: (method: Method, path: string) =>
      spies
        .flatMap((s, i) => s.mock.calls.map((c) => ({ method: (['GET', 'POST', 'PATCH', 'DELETE', 'PUT'] as const)[i], path: c[0] as string, init: c[1] })))
        .filter((c) => c.method === method && c.path === path),
    restore: () => {
      for (const s of spies) s.mockRestore()
    },
  }
}
