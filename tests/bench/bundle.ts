import { readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT } from './lib'

/**
 * The server bundled with esbuild (the copy tsx ships) into server/dist/bench-main.mjs: the
 * workspace code (server and @tp/shared) in one file, npm packages left external. Not how the
 * portal starts today (`tsx src/main.ts`); measured beside it to show what a build step buys at
 * cold start and in memory.
 */
export async function bundleServer(): Promise<{ entry: string; ms: number; kb: number }> {
  const t = performance.now()
  const tsx = createRequire(join(ROOT, 'tests/package.json')).resolve('tsx/package.json')
  const esbuild = (await import(pathToFileURL(createRequire(tsx).resolve('esbuild')).href)) as {
    build(o: Record<string, unknown>): Promise<unknown>
  }
  const pkg = JSON.parse(readFileSync(join(ROOT, 'server/package.json'), 'utf8')) as { dependencies: Record<string, string> }
  const external = Object.keys(pkg.dependencies)
    .filter((n) => !n.startsWith('@tp/'))
    .flatMap((n) => [n, `${n}/*`])
  const entry = join(ROOT, 'server/dist/bench-main.mjs')
  await esbuild.build({
    entryPoints: [join(ROOT, 'server/src/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: entry,
    external,
    logLevel: 'error',
    // config.ts finds the repository root from its own URL: server/dist/… resolves the same as server/src/….
    banner: { js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);" },
  })
  return { entry, ms: Math.round(performance.now() - t), kb: Math.round(statSync(entry).size / 1024) }
}
