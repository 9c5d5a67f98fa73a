import { describe, expect, it } from 'vitest'
import { keysetPages } from './keyset'

/** A fake keyset API over 0..n-1, pages of 3: the cursor is the next index as text. */
function fakeApi(n: number) {
  const calls: (string | undefined)[] = []
  const fetchPage = async (_query: { q: string }, cursor: string | undefined) => {
    calls.push(cursor)
    const from = cursor ? Number(cursor) : 0
    const items = Array.from({ length: Math.max(0, Math.min(3, n - from)) }, (_, i) => from + i)
    return { items, total: n, nextCursor: from + 3 < n ? String(from + 3) : null, prevCursor: from > 0 ? String(Math.max(0, from - 3)) : null }
  }
  return { fetchPage, calls }
}

describe('keysetPages', () => {
  it('follows next cursors page by page and reuses them going back', async () => {
    const api = fakeApi(10)
    const pages = keysetPages(api.fetchPage)
    expect((await pages.load({ q: 'a' }, 1)).items).toEqual([0, 1, 2])
    expect((await pages.load({ q: 'a' }, 2)).items).toEqual([3, 4, 5])
    expect((await pages.load({ q: 'a' }, 1)).items).toEqual([0, 1, 2])
    expect(api.calls).toEqual([undefined, '3', undefined])
  })

  it('walks to a page never visited, and stops at the last one', async () => {
    const api = fakeApi(10)
    const pages = keysetPages(api.fetchPage)
    const third = await pages.load({ q: 'a' }, 3)
    expect(third).toMatchObject({ page: 3, items: [6, 7, 8] })
    const beyond = await pages.load({ q: 'a' }, 9)
    expect(beyond).toMatchObject({ page: 4, items: [9] })
  })

  it('starts over when the query changes', async () => {
    const api = fakeApi(10)
    const pages = keysetPages(api.fetchPage)
    await pages.load({ q: 'a' }, 2)
    api.calls.length = 0
    await pages.load({ q: 'b' }, 2)
    expect(api.calls).toEqual([undefined, '3'])
  })
})
