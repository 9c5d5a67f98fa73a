import { expect } from 'vitest'
import type { Client } from './client'

interface KeysetBody {
  items: { id: string }[]
  total: number
  nextCursor: string | null
  prevCursor: string | null
}

const withParams = (path: string, params: string) => `${path}${path.includes('?') ? '&' : '?'}${params}`

/**
 * Walks a keyset-paged list (`path` with its filters and sort) forward page by page to the end
 * and back again from the last page to the first; both walks must give the rows of one long page
 * in the same order, and the ends must say so (no prevCursor on the first page, no nextCursor on
 * the last). Returns the forward pages (ids).
 */
export async function expectKeysetWalk(client: Client, path: string, pageSize: number): Promise<string[][]> {
  const get = async (params: string) => {
    const res = await client.get<KeysetBody>(withParams(path, params))
    expect(res.status, `${params}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(200)
    return res.body
  }
  const all = await get('pageSize=200')
  expect(all.prevCursor).toBeNull()
  expect(all.nextCursor).toBeNull()
  const forward: string[][] = []
  let page = await get(`pageSize=${pageSize}`)
  expect(page.prevCursor).toBeNull()
  for (;;) {
    forward.push(page.items.map((r) => r.id))
    expect(page.total).toBe(all.total)
    if (!page.nextCursor || forward.length > 200) break
    const c = page.nextCursor
    page = await get(`pageSize=${pageSize}&cursor=${page.nextCursor}`)
    expect(page.prevCursor, `${path} ${Buffer.from(c, 'base64url')}`).not.toBeNull()
  }
  expect(forward.flat()).toEqual(all.items.map((r) => r.id))
  expect(forward.length).toBeGreaterThan(2)
  // Back from the last page to the first, page by page.
  const backward: string[][] = [forward[forward.length - 1] as string[]]
  while (page.prevCursor && backward.length <= forward.length) {
    page = await get(`pageSize=${pageSize}&cursor=${page.prevCursor}`)
    expect(page.nextCursor).not.toBeNull()
    backward.unshift(page.items.map((r) => r.id))
  }
  expect(backward).toEqual(forward)
  return forward
}
