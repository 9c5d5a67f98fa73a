import { and, desc, eq, type SQL, sql } from 'drizzle-orm'
import type { PgColumn, PgSelect } from 'drizzle-orm/pg-core'
import type { Db } from './db'

/**
 * A hot read built once per database handle and prepared on it: drizzle skips rebuilding the SQL,
 * and on PostgreSQL the statement is named, so each connection parses and plans it once instead of
 * on every request. Parameters are `sql.placeholder(name)`s filled by `execute({ name: value })`.
 */
export function prepared<T>(build: (db: Db) => T): (db: Db) => T {
  const byHandle = new WeakMap<Db, T>()
  return (db) => {
    let statement = byHandle.get(db)
    if (!statement) {
      statement = build(db)
      byHandle.set(db, statement)
    }
    return statement
  }
}

/** More shapes than this (optional filters × list lengths) are built per request instead of kept. */
const MAX_SHAPES = 256

/**
 * `prepared` for a query whose shape varies with optional filters and list lengths: one statement
 * per shape (a key of flags and counts, never values), built on first use. Past MAX_SHAPES per
 * handle a shape is built each time, so odd filter combinations cannot grow memory without bound.
 */
export function preparedShapes<S, T>(keyOf: (shape: S) => string, build: (db: Db, shape: S, name: string) => T): (db: Db, shape: S) => T {
  const byHandle = new WeakMap<Db, Map<string, T>>()
  return (db, shape) => {
    const key = keyOf(shape)
    let statements = byHandle.get(db)
    if (!statements) {
      statements = new Map()
      byHandle.set(db, statements)
    }
    let statement = statements.get(key)
    if (!statement) {
      statement = build(db, shape, key)
      if (statements.size < MAX_SHAPES) statements.set(key, statement)
    }
    return statement
  }
}

/**
 * One citizen's rows, newest first (e.g. the rows of "我的办事"), prepared as `name`: the query `from`
 * builds (columns and joins, then `$dynamic()`), filtered to `citizen = :citizenId` and the `where`
 * conditions, ordered by `newest` descending, at most `limit` rows. Execute with `{ citizenId, … }`.
 */
export function citizenRows<Q extends PgSelect>(
  rows: { name: string; citizen: PgColumn; newest: PgColumn; where?: SQL[]; limit?: number },
  from: (db: Db) => Q,
) {
  return prepared((db) =>
    from(db)
      .where(and(eq(rows.citizen, sql.placeholder('citizenId')), ...(rows.where ?? [])))
      .orderBy(desc(rows.newest))
      .limit(rows.limit ?? 50)
      .prepare(rows.name),
  )
}
