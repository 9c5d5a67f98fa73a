import { and, asc, desc, gt, isNotNull, isNull, lt, or, type SQL, sql } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import { z } from 'zod'
import { badRequest } from '../../platform/errors'

/**
 * Keyset paging over (timestamp key, id): a page is "the rows after (or before) this row",
 * however deep, never an OFFSET. Keys may be null (sorted last). The key travels as
 * PostgreSQL's own text of the timestamp, so it compares exactly (microseconds included).
 */
export interface Keyset {
  /** Which sort the cursor belongs to: a cursor of another sort is refused. */
  sort: string
  key: string | null
  id: string
  dir: 'next' | 'prev'
}

export interface KeysetSort {
  col: AnyPgColumn
  idCol: AnyPgColumn
  desc: boolean
  nullable: boolean
}

const Shape = z.object({ sort: z.string().max(20), key: z.string().max(64).nullable(), id: z.string().uuid(), dir: z.enum(['next', 'prev']) })

export const encodeKeyset = (c: Keyset) => Buffer.from(JSON.stringify(c)).toString('base64url')

export function decodeKeyset(raw: string, sort: string): Keyset {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString())
  } catch {}
  const c = Shape.safeParse(parsed)
  if (!c.success || c.data.sort !== sort || (c.data.key !== null && Number.isNaN(Date.parse(c.data.key))))
    throw badRequest('Invalid cursor', [{ path: 'query.cursor', message: 'Malformed, or from another sort order' }])
  return c.data
}

/** The key's text as the cursor carries it. */
export const keyText = (s: KeysetSort) => sql<string | null>`(${s.col})::text`

/** Rows strictly after (dir next) or before (dir prev) the cursor row, in the sort's order. */
export function keysetWhere(c: Keyset, s: KeysetSort): SQL {
  const forward = c.dir === 'next'
  // Whether we move towards larger keys (and ids).
  const up = forward !== s.desc
  const idPast = up ? gt(s.idCol, c.id) : lt(s.idCol, c.id)
  if (c.key === null) {
    // Null keys sort last (ascending only): after a null key only nulls with larger ids follow.
    return forward ? (and(isNull(s.col), idPast) as SQL) : (or(isNotNull(s.col), and(isNull(s.col), idPast)) as SQL)
  }
  const k = sql`${c.key}::timestamptz`
  const keyPast = up ? sql`${s.col} > ${k}` : sql`${s.col} < ${k}`
  const within = or(keyPast, and(sql`${s.col} = ${k}`, idPast)) as SQL
  if (!s.nullable) return within
  return forward ? (or(within, isNull(s.col)) as SQL) : (and(isNotNull(s.col), within) as SQL)
}

/** ORDER BY for the sort, or its reverse (to read a previous page backwards). Nulls stay last going forward. */
export function keysetOrder(s: KeysetSort, reverse: boolean): SQL[] {
  const d = s.desc !== reverse
  return [sql`${s.col} ${d ? sql`desc nulls first` : sql`asc nulls last`}`, d ? desc(s.idCol) : asc(s.idCol)]
}

/**
 * Cuts a page from rows fetched with limit pageSize + 1 (in keysetOrder(reverse = prev)) and
 * gives the cursors to its neighbours (null at either end).
 */
export function keysetPage<R>(fetched: R[], pageSize: number, cursor: Keyset | null, sort: string, at: (r: R) => { key: string | null; id: string }) {
  const more = fetched.length > pageSize
  const rows = fetched.slice(0, pageSize)
  const backwards = cursor?.dir === 'prev'
  if (backwards) rows.reverse()
  const cur = (r: R | undefined, dir: Keyset['dir']) => (r ? encodeKeyset({ sort, ...at(r), dir }) : null)
  return {
    rows,
    // Forward: more after the last row if the extra row came; backward: we came from there.
    nextCursor: backwards || more ? cur(rows[rows.length - 1], 'next') : null,
    // Backward: more before the first row if the extra row came; forward: only when we did not start at the top.
    prevCursor: (backwards ? more : !!cursor) ? cur(rows[0], 'prev') : null,
  }
}
