import { PGlite, types } from '@electric-sql/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { preparingClient } from './pglite-client'

let pg: PGlite
beforeAll(async () => {
  pg = await PGlite.create()
  await pg.exec(`
    create table t (id serial primary key, name text not null unique, at timestamptz, tags text[], doc jsonb, n bigint);
    insert into t (name, at, tags, doc, n) values ('a', '2026-01-02T03:04:05Z', '{x,y}', '{"k": 1}', 9007199254740993), ('b', null, null, null, null);
  `)
}, 30_000)
afterAll(() => pg.close())

const prepared = () => (pg.query('select count(*)::int as n from pg_prepared_statements') as Promise<{ rows: { n: number }[] }>).then((r) => r.rows[0]?.n)
// What drizzle passes with every statement: dates stay strings.
const drizzleLike = { rowMode: 'array' as const, parsers: { [types.TIMESTAMPTZ]: (v: string) => v } }

describe('preparingClient', () => {
  it('answers as PGlite.query does: rows, fields, parsers, counts', async () => {
    const client = preparingClient(pg)
    for (const [text, params, options] of [
      ['select * from t where id > $1 order by id', [0], undefined],
      ['select * from t where name = any($1) order by id', [['a', 'b']], drizzleLike],
      ['select $1::jsonb as doc, $2::timestamptz as at', [{ a: [1] }, new Date('2026-05-06T07:08:09Z')], undefined],
      ['update t set n = n where id > $1', [0], undefined],
    ] as const) {
      const ours = await client.query(text, [...params], options)
      const theirs = await pg.query(text, [...params], options)
      expect(ours).toEqual(theirs)
    }
  })

  it('prepares a statement once and keeps at most `capacity` of them', async () => {
    const before = await prepared()
    const client = preparingClient(pg, 2)
    await client.query('select 1')
    await client.query('select 1')
    expect(await prepared()).toBe((before ?? 0) + 1)
    for (let i = 0; i < 6; i++) expect((await client.query(`select ${i} as i`)).rows).toEqual([{ i }])
    // The evicted ones are closed with the next Parse: the two kept plus at most one pending.
    expect(await prepared()).toBeLessThanOrEqual((before ?? 0) + 3)
  })

  it('throws the database error with the statement, and carries on', async () => {
    const client = preparingClient(pg)
    const err = await client.query('insert into t (name) values ($1)', ['a']).catch((e) => e)
    expect(err).toMatchObject({ code: '23505', query: 'insert into t (name) values ($1)', params: ['a'] })
    await expect(client.query('select nope from t')).rejects.toMatchObject({ code: '42703' })
    expect((await client.query('select count(*)::int as n from t')).rows).toEqual([{ n: 2 }])
  })

  it('runs a transaction alone: a statement from outside waits for it and never joins it', async () => {
    const client = preparingClient(pg)
    let release!: () => void
    const held = new Promise<void>((r) => {
      release = r
    })
    const tx = client.transaction(async (t) => {
      await t.query('insert into t (name) values ($1)', ['in-tx'])
      await held
      throw new Error('roll back')
    })
    const outside = client.query<{ n: number }>('select count(*)::int as n from t where name = $1', ['in-tx'])
    release()
    await expect(tx).rejects.toThrow('roll back')
    expect((await outside).rows).toEqual([{ n: 0 }])
    expect((await client.query('select count(*)::int as n from t')).rows).toEqual([{ n: 2 }])
  })

  it('describes a statement afresh when a column changes under it', async () => {
    const client = preparingClient(pg)
    await client.query('select * from t order by id')
    await pg.exec('alter table t add column extra int')
    const { rows } = await client.query<Record<string, unknown>>('select * from t order by id')
    expect(rows[0]).toHaveProperty('extra', null)
  })
})
