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
