/**
 * Page numbers over a keyset-paged list: the server pages by cursor, the console's table by
 * number. Remembers each visited page's cursor (and its neighbours' from the answers); a page
 * not reached yet is walked to from the nearest known one before it. Any change of filters, sort
 * or page size starts over.
 */
export interface KeysetPage<T> {
  items: T[]
  total: number
  nextCursor: string | null
  prevCursor: string | null
}

export function keysetPages<Q, T, R extends KeysetPage<T>>(fetchPage: (query: Q, cursor: string | undefined) => Promise<R>) {
  let signature = ''
  // Page number → the cursor that fetches it (undefined: the first page).
  let cursors = new Map<number, string | undefined>()

  /** Page `page` of `query` (everything but the position); may land on an earlier page when the list is shorter. */
  async function load(query: Q, page: number): Promise<R & { page: number }> {
    const sig = JSON.stringify(query)
    if (sig !== signature) {
      signature = sig
      cursors = new Map([[1, undefined]])
    }
    let known = Math.max(...[...cursors.keys()].filter((p) => p <= page))
    while (known < page) {
      const r = await fetchPage(query, cursors.get(known))
      if (!r.nextCursor) break
      cursors.set(known + 1, r.nextCursor)
      known++
    }
    const res = await fetchPage(query, cursors.get(known))
    if (res.nextCursor) cursors.set(known + 1, res.nextCursor)
    if (res.prevCursor && known > 1 && !cursors.has(known - 1)) cursors.set(known - 1, res.prevCursor)
    return { ...res, page: known }
  }

  return { load }
}
