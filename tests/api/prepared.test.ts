import { units } from '@tp/server/modules/identity/identity.tables'
import { prepared, preparedShapes } from '@tp/server/platform/prepared'
import { count, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/app'

/**
 * Statements prepared once (platform/prepared.ts) are also used inside transactions, bound to each
 * transaction's connection through drizzle's unexported session fields: this holds them to it on
 * both drivers (a statement that ran on the pool instead would not see the transaction's own rows).
 */
let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ seed: true })
}, 300_000)
afterAll(() => t?.close())

const named = prepared((db) =>
  db
    .select({ n: count() })
    .from(units)
    .where(eq(units.name, sql.placeholder('name')))
    .prepare('test_units_named'),
)
const namedByShape = preparedShapes(
  (s: { name: boolean }) => String(s.name),
  (db, s, key) =>
    db
      .select({ n: count() })
      .from(units)
      .where(s.name ? eq(units.name, sql.placeholder('name')) : undefined)
      .prepare(`test_units_${key}`),
)
class Rollback extends Error {}

describe('prepared statements in transactions', () => {
  it("run on each transaction's own connection, however many transactions use them", async () => {
    const db = t.deps.database.db
    const [root] = await db.select({ id: units.id, path: units.path }).from(units).limit(1)
    for (const name of ['预备语句甲', '预备语句乙']) {
      await expect(
        db.transaction(async (tx) => {
          await tx.insert(units).values({ name, kind: 'station', parentId: root?.id, path: root?.path ?? [] })
          expect((await named(tx).execute({ name }))[0]?.n).toBe(1)
          expect((await namedByShape(tx, { name: true }).execute({ name }))[0]?.n).toBe(1)
          throw new Rollback()
        }),
      ).rejects.toThrow(Rollback)
      expect((await named(db).execute({ name }))[0]?.n).toBe(0)
    }
  })
})
