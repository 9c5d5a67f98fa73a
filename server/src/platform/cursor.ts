import { LIST_TOTAL_CAP } from '@tp/shared'
import { type AnyColumn, and, count, isNotNull, isNull, or, type Placeholder, type SQL, sql } from 'drizzle-orm'
import type { PgSelect } from 'drizzle-orm/pg-core'
import { z } from 'zod'
import type { Db } from './db'
import { badRequest } from './errors'

/** Opaque keyset cursor over (timestamp, id): lists that grow page by position, not offset. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url')
}

/** Null for anything malformed: the caller answers 400 or starts from the top. */
export function decodeCursor(cursor: string): { at: Date; id: string } | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|')
  const date = new Date(at ?? '')
  return Number.isNaN(date.getTime()) || !id || !/^[0-9a-f-]{36}$/.test(id) ? null : { at: date, id }
}

// ---------------------------------------------------------------------------------------------
// Keyset paging both ways over any sort (console tables)

/**
 * One key of a keyset sort. The id (unique, never null) is the last key, so every row has its
 * own position. Keys travel as PostgreSQL's own text of the value and are cast back, so they
 * compare exactly (timestamps to the microsecond). Nullable keys sort last in the forward order.
 */
export interface KeyPart {
  expr: SQL | AnyColumn
  type: 'timestamptz' | 'text' | 'boolean' | 'uuid'
  desc?: boolean
  nullable?: boolean
}

/** A decoded cursor: the keys of the row it stands on, and which way to read from it. */
export interface KeysetPosition {
  keys: (string | null)[]
  dir: 'next' | 'prev'
}

const CursorShape = z.object({
  sort: z.string().max(40),
  keys: z.array(z.string().max(100).nullable()).min(1).max(4),
  dir: z.enum(['next', 'prev']),
})

/** PostgreSQL's text of a timestamptz (ISO date style), a real calendar date and time. */
function isTimestampText(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/.exec(v)
  if (!m) return false
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const day = new Date(Date.UTC(y, mo - 1, d))
  return day.getUTCMonth() === mo - 1 && day.getUTCDate() === d && h < 24 && mi < 60 && s < 60
}

const VALID: Record<KeyPart['type'], (v: string) => boolean> = {
  timestamptz: isTimestampText,
  text: () => true,
  boolean: (v) => v === 'true' || v === 'false',
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v),
}

/**
 * A key back in its type, cast from text in the database: the parameter is sent as the text it
 * came as (a driver that learns the parameter's type would otherwise convert it itself, e.g.
 * a timestamp through a JavaScript Date, losing its microseconds).
 */
const typed = (key: string | Placeholder, p: KeyPart) => sql`${key}::text::${sql.raw(p.type)}`

/**
 * Keyset paging over `parts` (the last one the id): a page is "the rows after (or before) this
 * row", however deep, never an OFFSET. The cursor names the sort it was made for (`name`); a
 * cursor of another sort, or anything malformed, is a 400.
 */
export function keysetSort(name: string, parts: KeyPart[]) {
  const keysText = sql`json_build_array(${sql.join(
    parts.map((p) => sql`(${p.expr})::text`),
    sql`, `,
  )})::text`.mapWith((v: string) => JSON.parse(v) as (string | null)[])

  function decode(raw: string | undefined): KeysetPosition | null {
    if (!raw) return null
    let parsed: unknown
    try {
      parsed = JSON.parse(Buffer.from(raw, 'base64url').toString())
    } catch {}
    const c = CursorShape.safeParse(parsed)
    const fits =
      c.success &&
      c.data.sort === name &&
      c.data.keys.length === parts.length &&
      c.data.keys.every((k, i) => {
        const p = parts[i] as KeyPart
        return k === null ? !!p.nullable : VALID[p.type](k)
      })
    if (!fits) throw badRequest('Invalid cursor', [{ path: 'query.cursor', message: 'Malformed, or from another sort order' }])
    return { keys: c.data.keys, dir: c.data.dir }
  }

  const encode = (keys: (string | null)[], dir: KeysetPosition['dir']) => Buffer.from(JSON.stringify({ sort: name, keys, dir })).toString('base64url')

  /**
   * Rows strictly after (dir next) or before (dir prev) the cursor row, in the sort's order. With
   * `bound`, the keys are placeholders `key0`, `key1`… (filled from `boundKeys(pos)`), for a
   * prepared statement of this position's shape (`shapeOf(pos)`).
   */
  function where(pos: KeysetPosition | null, bound = false): SQL | undefined {
    if (!pos) return undefined
    const forward = pos.dir === 'next'
    let past: SQL = sql`false`
    for (let i = parts.length - 1; i >= 0; i--) {
      const p = parts[i] as KeyPart
      const k = pos.keys[i] ?? null
      // Whether we move towards larger values of this key.
      const up = forward !== !!p.desc
      let beyond: SQL | undefined
      let equal: SQL
      if (k === null) {
        // Nulls sort last: nothing is beyond a null going forward, every non-null going back.
        beyond = forward ? undefined : isNotNull(p.expr)
        equal = isNull(p.expr)
      } else {
        const v = bound ? typed(sql.placeholder(`key${i}`), p) : typed(k, p)
        beyond = up ? sql`${p.expr} > ${v}` : sql`${p.expr} < ${v}`
        if (p.nullable && forward) beyond = or(beyond, isNull(p.expr))
        equal = sql`${p.expr} = ${v}`
      }
      past = (beyond ? or(beyond, and(equal, past)) : and(equal, past)) as SQL
    }
    // The first key's bound on its own as well, so an index on it starts the scan at the cursor.
    const [first] = parts
    const k0 = pos.keys[0] ?? null
    if (!first || k0 === null || (first.nullable && forward)) return past
    const v0 = bound ? typed(sql.placeholder('key0'), first) : typed(k0, first)
    return and(forward !== !!first.desc ? sql`${first.expr} >= ${v0}` : sql`${first.expr} <= ${v0}`, past)
  }

  /** The sort's ORDER BY, reversed when reading backwards (the page is turned round afterwards). */
  function orderBy(pos: KeysetPosition | null): SQL[] {
    const reverse = pos?.dir === 'prev'
    return parts.map((p) => {
      const d = !!p.desc !== reverse
      const nulls = p.nullable ? (reverse ? sql` nulls first` : sql` nulls last`) : sql``
      return sql`${p.expr} ${d ? sql`desc` : sql`asc`}${nulls}`
    })
  }

  /**
   * The page from `pageSize + 1` fetched rows (each with its `keys` as selected by `keys`), in
   * the sort's order, with the cursors to either side (null at either end).
   */
  function page<R>(fetched: R[], pageSize: number, pos: KeysetPosition | null, keysOf: (r: R) => (string | null)[]) {
    const more = fetched.length > pageSize
    const rows = fetched.slice(0, pageSize)
    const backwards = pos?.dir === 'prev'
    if (backwards) rows.reverse()
    const at = (r: R | undefined, dir: KeysetPosition['dir']) => (r ? encode(keysOf(r), dir) : null)
    return {
      rows,
      // Forward: more after the last row if the extra row came; backward: we came from there.
      nextCursor: backwards || more ? at(rows[rows.length - 1], 'next') : null,
      // Backward: more before the first row if the extra row came; forward: only when we did not start at the top.
      prevCursor: (backwards ? more : !!pos) ? at(rows[0], 'prev') : null,
    }
  }

  /** What a position changes in the statement (direction, which keys are null): part of a prepared statement's shape. */
  const shapeOf = (pos: KeysetPosition | null) => (pos ? `${pos.dir}${pos.keys.map((k) => (k === null ? 'n' : 'v')).join('')}` : '')

  /** A stand-in position of that shape, to build `where(…, true)` from (its key values are not used). */
  const positionOf = (shape: string): KeysetPosition | null =>
    shape ? { dir: shape.startsWith('next') ? 'next' : 'prev', keys: [...shape.slice(4)].map((c) => (c === 'n' ? null : '')) } : null

  /** The placeholder values of `where(pos, true)`. */
  const boundKeys = (pos: KeysetPosition | null): Record<string, string> =>
    Object.fromEntries((pos?.keys ?? []).flatMap((k, i) => (k === null ? [] : [[`key${i}`, k]])))

  /**
   * How many rows the filtered list (`rows`: a dynamic select of its rows) holds, counted up to
   * LIST_TOTAL_CAP in the sort's order, so the index that serves the pages serves the count as well.
   * `countQuery` is the statement (to prepare), `totalOf` reads its answer.
   */
  const countQuery = (db: Db, rows: PgSelect) =>
    db.select({ n: count() }).from(
      rows
        .orderBy(...orderBy(null))
        .limit(LIST_TOTAL_CAP + 1)
        .as('capped'),
    )
  const totalOf = (counted: { n: number }[]) => {
    const n = counted[0]?.n ?? 0
    return { total: Math.min(n, LIST_TOTAL_CAP), totalCapped: n > LIST_TOTAL_CAP }
  }
  const total = async (db: Db, rows: PgSelect) => totalOf(await countQuery(db, rows))

  return { name, keys: keysText, decode, where, shapeOf, positionOf, boundKeys, orderBy, page, countQuery, totalOf, total }
}
