// Bundles the server (its own code and @tp/shared) into dist/main.mjs with esbuild; npm packages
// stay external and load from node_modules. `start` runs the bundle with plain node: no TypeScript
// transpiling at start-up, so a cold start is about the database and nothing else.
import { readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const { dependencies } = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'))
const external = Object.keys(dependencies)
  .filter((name) => !name.startsWith('@tp/'))
  .flatMap((name) => [name, `${name}/*`])

/** Builds dist/main.mjs; returns its size and the build time. */
export async function buildServer() {
  const started = performance.now()
  const outfile = join(here, 'dist/main.mjs')
  await build({
    entryPoints: [join(here, 'src/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external,
    sourcemap: 'linked',
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
