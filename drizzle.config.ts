import { defineConfig } from 'drizzle-kit'

// Tables live with their feature (`*.tables.ts`); migrations are generated into ./drizzle.
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./server/src/platform/*.tables.ts', './server/src/modules/*/*.tables.ts'],
  out: './drizzle',
})
