import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Database, openDatabase } from './db'

let database: Database
beforeAll(async () => {
  database = await openDatabase({})
}, 30_000)
afterAll(() => database.close())

describe('embedded store upkeep', () => {
  it('vacuums and analyses the tables (PGlite runs no autovacuum)', async () => {
    await database.db.execute(sql`create table upkeep (id int primary key, v text)`)
    await database.db.execute(sql`insert into upkeep select g, 'x' from generate_series(1, 500) g`)
    await database.db.execute(sql`delete from upkeep where id % 2 = 0`)
    const stats = async () =>
      (
        (await database.db.execute(
          sql`select last_vacuum, last_analyze, n_dead_tup::int as dead from pg_stat_user_tables where relname = 'upkeep'`,
        )) as unknown as {
          rows: { last_vacuum: unknown; last_analyze: unknown; dead: number }[]
        }
      ).rows[0]
    expect(await stats()).toMatchObject({ last_vacuum: null, last_analyze: null })
    await database.maintain?.()
    const after = await stats()
    expect(after?.last_vacuum).not.toBeNull()
    expect(after?.last_analyze).not.toBeNull()
    expect(after?.dead).toBe(0)
  })
})
