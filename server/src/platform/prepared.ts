import { and, desc, eq, type SQL, sql } from 'drizzle-orm'
import { type PgColumn, type PgSelect, PgTransaction } from 'drizzle-orm/pg-core'
import type { Db } from './db'

/**
 * A hot statement built once per database handle and prepared on it: drizzle skips rebuilding the
 * SQL, and on PostgreSQL the statement is named, so each connection parses and plans it once instead
 * of on every request. Parameters are `sql.placeholder(name)`s filled by `execute({ name: value })`.
 * In a transaction it is built on the first transaction of its database and then bound to each
 * transaction's connection (`boundTo`).
 */
export function prepared<T>(build: (db: Db) => T): (db: Db) => T {
  const byHandle = new WeakMap<object, T>()
  return (db) => {
    const tx = transactionOf(db)
    const key = tx ? tx.session.options : db
    let statement = byHandle.get(key)
    if (!statement) {
      statement = build(db)
      byHandle.set(key, statement)
    }
    return tx ? boundTo(statement, tx) : statement
  }
}

/**
 * The driver session behind a transaction handle: both drivers (postgres.js, PGlite) give each
 * transaction a session of its own around the transaction's connection (`client`), sharing the
 * database's `options` (its logger among them). Drizzle keeps these unexported; api tests run
 * statements prepared this way inside transactions on both drivers, so an upgrade that moves them fails there.
 */
interface TxSession {
  session: { client: unknown; options: object }
}

const transactionOf = (db: Db): TxSession | undefined => (db instanceof PgTransaction ? (db as unknown as TxSession) : undefined)

/** The prepared statement, run on this transaction's connection (a shallow copy: the statement holds its client). */
function boundTo<T>(statement: T, tx: TxSession): T {
  return Object.assign(Object.create(Object.getPrototypeOf(statement) as object) as T & object, statement, { client: tx.session.client })
}

/**
 * A jsonb value in a prepared insert: passed as JSON text (`jsonText`) and cast in SQL, because an
 * insert maps its placeholders through the column, which would write a null as the JSON `null`.
 */
export const jsonParam = (name: string) => sql`${sql.placeholder(name)}::jsonb`
export const jsonText = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v))

/** A list's placeholders `name0`, `name1`… for a statement of its length (the shape counts it), and their values. */
export const listPlaceholders = (name: string, n: number) => Array.from({ length: n }, (_, i) => sql.placeholder(`${name}${i}`))
export const listValues = (name: string, values: readonly string[]) => Object.fromEntries(values.map((v, i) => [`${name}${i}`, v]))

/** More shapes than this (optional filters × list lengths) are built per request instead of kept. */
const MAX_SHAPES = 256

/**
 * `prepared` for a query whose shape varies with optional filters and list lengths: one statement
 * per shape (a key of flags and counts, never values), built on first use. Past MAX_SHAPES per
 * handle a shape is built each time, so odd filter combinations cannot grow memory without bound.
 */
export function preparedShapes<S, T>(keyOf: (shape: S) => string, build: (db: Db, shape: S, name: string) => T): (db: Db, shape: S) => T {
  const byHandle = new WeakMap<object, Map<string, T>>()
  return (db, shape) => {
    const key = keyOf(shape)
    const tx = transactionOf(db)
    const handle = tx ? tx.session.options : db
    let statements = byHandle.get(handle)
    if (!statements) {
      statements = new Map()
      byHandle.set(handle, statements)
    }
    let statement = statements.get(key)
    if (!statement) {
      statement = build(db, shape, key)
      if (statements.size < MAX_SHAPES) statements.set(key, statement)
    }
    return tx ? boundTo(statement, tx) : statement
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
