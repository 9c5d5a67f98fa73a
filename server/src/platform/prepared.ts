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
