import { defineConfig } from 'vitest/config'

const api = ['tests/api/**/*.test.ts', 'server/src/**/*.api.test.ts']
const withPg = !!process.env.TEST_DATABASE_URL

/**
 * Projects: pure rules and units; web components (web/vite.config.ts); API integration tests on
 * the embedded store and, when TEST_DATABASE_URL is set, again on PostgreSQL; end-to-end in
 * Chromium (run by tests/run-all.mjs after the web build).
 */
export default defineConfig({
  test: {
    // Vitest's default outside watch mode is one worker fewer than the CPUs: a single worker on the
    // 2-core CI machine, which leaves a core idle while PGlite or PostgreSQL work.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['shared/src/**/*.test.ts', 'server/src/**/*.test.ts'],
          exclude: ['**/*.api.test.ts', '**/node_modules/**'],
          environment: 'node',
        },
      },
      'web/vite.config.ts',
      {
        test: {
          name: 'api-pglite',
          include: api,
          env: { TEST_DB: 'pglite' },
          globalSetup: ['tests/support/global-setup-pglite.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      ...(withPg
        ? [
            {
              test: {
                name: 'api-pg',
                include: api,
                env: { TEST_DB: 'pg' },
                globalSetup: ['tests/support/global-setup.ts'],
                testTimeout: 30_000,
                hookTimeout: 60_000,
              },
            },
          ]
        : []),
      {
        test: {
          // Real server processes killed, stopped and cut off from their database (tests/faults):
          // one file at a time, on PGlite and — with TEST_DATABASE_URL — on PostgreSQL.
          name: 'faults',
          include: ['tests/faults/**/*.fault.ts'],
          globalSetup: ['tests/faults/global-setup.ts'],
          testTimeout: 900_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.e2e.ts'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
