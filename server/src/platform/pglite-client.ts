import { messages, type PGlite, protocol, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite'

/**
 * The embedded store's client as drizzle sees it. `PGlite.query` runs every statement as six
 * protocol round trips into WebAssembly (parse, describe, bind, describe, execute, sync), parses and
 * plans it afresh, and, since drizzle passes its own date parsers per query, copies the whole
 * type-parser table for each one. Here each distinct statement text is parsed once as a named
 * statement of the one backend (its parameter types and columns described then), and every run
 * after is one message, Bind + Execute + Sync: a my-cases statement went from ~1.5 ms to ~0.4 ms of
 * CPU (bench README, PGlite). Plans are cached as on PostgreSQL (custom plans first, then a generic
 * one when it is no worse), and PostgreSQL re-plans a statement when the tables under it change.
 *
 * Locking is PGlite's own: a statement outside a transaction takes the transaction mutex and then
 * the query mutex, as `PGlite.query` does, so it never lands inside someone else's transaction; a
 * statement inside `transaction()` takes the query mutex only. Anything but `query` and
 * `transaction` is PGlite's.
 */
export function preparingClient(pg: PGlite, capacity = 256): PGlite {
  const statements = new StatementCache(pg, capacity)
  const query = async <T>(text: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<T>> => {
    await pg._checkReady()
    return pg._runExclusiveTransaction(() => pg._runExclusiveQuery(() => statements.run<T>(text, params, options, true)))
  }
  const transaction = <T>(callback: (tx: Transaction) => Promise<T>): Promise<T> =>
    pg.transaction((tx) =>
      callback(
        overriding(tx, {
          query: async <R>(text: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<R>> => {
            if (tx.closed) throw new Error('Transaction is closed')
            return pg._runExclusiveQuery(() => statements.run<R>(text, params, options, false))
          },
        }),
      ),
    )
  return overriding(pg, { query, transaction })
}

/** `target` with some members replaced; every other member is the target's own (bound: PGlite has private fields). */
function overriding<T extends object>(target: T, members: Partial<T>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.hasOwn(members, prop)) return members[prop as keyof T]
      const value = Reflect.get(t, prop) as unknown
      return typeof value === 'function' ? value.bind(t) : value
    },
  })
}

interface Statement {
  name: string
  paramTypes: number[]
  fields: { name: string; dataTypeID: number }[]
}

const { serialize } = protocol
/** Statement names are the backend's: unique across every client in the process. */
let named = 0

/** Named statements by text, least recently used first; at capacity the oldest is closed. */
class StatementCache {
  readonly #byText = new Map<string, Statement>()
  /** Statements to close with the next Parse (evicted, or failed in a way that may be stale). */
  readonly #closing: string[] = []

  constructor(
    private readonly pg: PGlite,
    private readonly capacity: number,
  ) {}

  /** Runs one statement; the caller holds PGlite's lock. `last`: outside a transaction (sync the file system after). */
  async run<T>(text: string, params: unknown[], options: QueryOptions | undefined, last: boolean, retried = false): Promise<Results<T>> {
    try {
      return await this.#run<T>(text, params, options, last)
    } catch (err) {
      if (!(err instanceof messages.DatabaseError)) throw err
      // A column changed under a cached statement: describe it afresh. Outside a transaction run it
      // again at once; inside one the error has aborted the transaction, as it would on PostgreSQL.
      if (err.message === 'cached plan must not change result type' && this.#byText.has(text)) {
        this.#forget(text)
        if (last && !retried) return this.run<T>(text, params, options, last, true)
      }
      // The same error PGlite.query throws: the database's, with the statement attached.
      throw Object.assign(err, { query: text, params, queryOptions: options })
    }
  }

  async #run<T>(text: string, params: unknown[], options: QueryOptions | undefined, last: boolean): Promise<Results<T>> {
    const statement = this.#byText.get(text) ?? (await this.#prepare(text))
    this.#byText.delete(text)
    this.#byText.set(text, statement)
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null
      const oid = statement.paramTypes[i] as number
      const serializer = options?.serializers?.[oid] ?? this.pg.serializers[oid]
      return serializer ? serializer(value) : String(value)
    })
    // Raw bytes, parsed below: PGlite's parser copies every column into an ArrayBuffer of its own
    // before decoding it (~4 µs a column, a tenth of a my-cases request).
    const chunks: Uint8Array[] = []
    await this.pg.execProtocolRawStream(frame([serialize.bind({ statement: statement.name, values }), serialize.execute({}), serialize.sync()]), {
      syncToFs: last,
      onRawData: (bytes) => {
        chunks.push(bytes.slice()) // a view into WebAssembly memory: copy it out
      },
    })
    return this.#results<T>(chunks.length === 1 ? (chunks[0] as Uint8Array) : frame(chunks), statement, options)
  }

  async #prepare(text: string): Promise<Statement> {
    if (this.#byText.size >= this.capacity) {
      const oldest = this.#byText.keys().next().value as string
      this.#forget(oldest)
    }
    const name = `tp_${++named}`
    const closes = this.#closing.splice(0).map((n) => serialize.close({ type: 'S', name: n }))
    const replies = await this.pg.execProtocolStream(
      frame([...closes, serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]),
      { syncToFs: false },
    )
    const statement: Statement = { name, paramTypes: [], fields: [] }
    for (const m of replies) {
      if (m instanceof messages.ParameterDescriptionMessage) statement.paramTypes = m.dataTypeIDs
      else if (m instanceof messages.RowDescriptionMessage) statement.fields = m.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID }))
    }
    this.#byText.set(text, statement)
    return statement
  }

  #forget(text: string) {
    const statement = this.#byText.get(text)
    if (!statement) return
    this.#byText.delete(text)
    this.#closing.push(statement.name)
  }

  /**
   * What `PGlite.query` returns, from the reply to Bind/Execute/Sync: rows (each column parsed with
   * the query's parser, else the client's), the command and its counts; an error reply is thrown as
   * PGlite's parser makes it. Notices and notifications are dropped (nothing LISTENs on this store).
   */
  #results<T>(reply: Uint8Array, { fields }: Statement, options: QueryOptions | undefined): Results<T> {
    const parsers = fields.map((f) => options?.parsers?.[f.dataTypeID] ?? this.pg.parsers[f.dataTypeID])
    const asArrays = options?.rowMode === 'array'
    const rows: unknown[] = []
    const result: Results<T> = { rows: rows as Results<T>['rows'], fields, affectedRows: 0 }
    const buf = Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength)
    for (let at = 0; at + 5 <= buf.length; at += 1 + buf.readInt32BE(at + 1)) {
      const type = String.fromCharCode(buf[at] as number)
      if (type === 'D') {
        const row: unknown[] | Record<string, unknown> = asArrays ? [] : {}
        let p = at + 7
        for (let i = 0; i < fields.length; i++) {
          const length = buf.readInt32BE(p)
          p += 4
          let value: unknown = null
          if (length >= 0) {
            const text = buf.toString('utf8', p, p + length)
            p += length
            const field = fields[i] as Statement['fields'][number]
            value = parsers[i] ? (parsers[i] as (x: string, oid: number) => unknown)(text, field.dataTypeID) : text
          }
          if (asArrays) (row as unknown[]).push(value)
          else (row as Record<string, unknown>)[(fields[i] as Statement['fields'][number]).name] = value
        }
        rows.push(row)
      } else if (type === 'C') {
        // "SELECT 2", "UPDATE 3", "INSERT 0 5": the count is the last word; other tags end in a word.
        const words = buf.toString('utf8', at + 5, at + buf.readInt32BE(at + 1)).split(' ')
        const count = Number.parseInt(words[words.length - 1] as string, 10)
        if (['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY'].includes(words[0] as string)) result.affectedRows = count
        if (!Number.isNaN(count)) result.rowCount = count
        result.command = words[0]
      } else if (type === 'E') {
        let error: unknown
        new protocol.Parser().parse(reply, (m) => {
          error ??= m instanceof messages.DatabaseError ? m : undefined
        })
        throw error
      }
    }
    return result
  }
}

/** One protocol message of several. */
function frame(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
