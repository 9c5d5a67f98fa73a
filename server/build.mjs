// Bundles the server (its own code, @tp/shared and the pure-JavaScript packages listed in BUNDLED)
// into dist/main.mjs with esbuild; other npm packages stay external and load from node_modules. `start` runs the bundle with plain node: no TypeScript
// transpiling at start-up, so a cold start is about the database and nothing else.
import { readFileSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const { dependencies } = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'))
/**
 * Pure-JavaScript packages bundled in: node's ESM loader resolves, reads and compiles each of their
 * hundreds of files one by one at start-up (~0.2 s of CPU); bundled, it is one file. Whatever imports
 * zod or hono must be bundled with them (one copy of each). Every other dependency stays external:
 * native modules (sharp, argon2), packages that read files next to their own code (PGlite's
 * WebAssembly, swagger-ui-dist's assets, pino's worker transports), and those loaded at first use
 * (exceljs, heic-decode, file-type), which would only enlarge the bundle.
 */
const BUNDLED = new Set(['@hono/node-server', '@hono/zod-openapi', 'aws4fetch', 'drizzle-orm', 'hono', 'ical-generator', 'postgres', 'qrcode', 'zod'])
const external = Object.keys(dependencies)
  .filter((name) => !name.startsWith('@tp/') && !BUNDLED.has(name))
  .flatMap((name) => [name, `${name}/*`])

/** Builds dist/main.mjs (and the chunks it imports at first use); returns its size and the build time. */
export async function buildServer() {
  const started = performance.now()
  const outdir = join(here, 'dist')
  const outfile = join(outdir, 'main.mjs')
  rmSync(outdir, { recursive: true, force: true })
  await build({
    entryPoints: { main: join(here, 'src/main.ts') },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir,
    outExtension: { '.js': '.mjs' },
    // What is imported with import() becomes a chunk of its own, loaded then: the embedded store's
    // driver (and with it PGlite itself) is never loaded by a PostgreSQL deployment.
    splitting: true,
    // Next to main.mjs: code that finds files relative to its own import.meta.url (ROOT_DIR, the
    // migrations, swagger-ui-dist) resolves the same from whichever chunk it lands in.
    chunkNames: '[name]-[hash]',
    external,
    sourcemap: 'linked',
    // Stack traces need the mappings only; `--enable-source-maps` holds the whole map in memory.
    sourcesContent: false,
    logLevel: 'error',
    // Some bundled CommonJS helpers call require(); ESM output has none of its own.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  })
  return { entry: outfile, ms: Math.round(performance.now() - started), kb: Math.round(statSync(outfile).size / 1024) }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { kb, ms } = await buildServer()
  console.log(`server/dist/main.mjs: ${kb} KB in ${ms} ms`)
}
