import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'

/**
 * Bundle budget of the citizen H5 (it loads over mobile networks inside WeChat): the first load
 * (entry chunk and everything it imports statically) stays within 120 KB of gzipped JS and 30 KB of
 * gzipped CSS, and nothing a citizen can ever load holds staff-console or Element Plus code.
 * Reads the Vite manifest of the built web; builds it first when missing (in CI the build must
 * already have run).
 */
const WEB = resolve(import.meta.dirname, '../../web')
const DIST = join(WEB, 'dist')
const MANIFEST = join(DIST, '.vite/manifest.json')
const KB = 1024
const BUDGET = { citizenJs: 120 * KB, citizenCss: 30 * KB }

interface Chunk {
  file: string
  src?: string
  isEntry?: boolean
  imports?: string[]
  dynamicImports?: string[]
  css?: string[]
}
type Manifest = Record<string, Chunk>

let manifest: Manifest

function graph(entry: string, dynamic: boolean): Chunk[] {
  const seen = new Set<string>()
  const walk = (key: string) => {
    if (seen.has(key) || !manifest[key]) return
    seen.add(key)
    const c = manifest[key]
    for (const k of c.imports ?? []) walk(k)
    if (dynamic) for (const k of c.dynamicImports ?? []) walk(k)
  }
  walk(entry)
  return [...seen].map((k) => manifest[k] as Chunk)
}

const gz = (file: string) => gzipSync(readFileSync(join(DIST, file)), { level: 9 }).length

function size(chunks: Chunk[]) {
  const css = new Set(chunks.flatMap((c) => c.css ?? []))
  return {
    js: chunks.reduce((n, c) => n + gz(c.file), 0),
    css: [...css].reduce((n, f) => n + gz(f), 0),
  }
}

const ELEMENT_PLUS = /\bEl(?:Table|ConfigProvider|Menu|Form|Button)\b/

describe('web bundle budget', () => {
  beforeAll(() => {
    if (!existsSync(MANIFEST)) {
      if (process.env.CI) throw new Error(`web/dist is missing (${MANIFEST}): run \`pnpm build\` before this test`)
      execFileSync('pnpm', ['--filter', '@tp/web', 'build'], { cwd: WEB, stdio: 'ignore', timeout: 280_000 })
    }
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest
  }, 300_000)

  it('keeps the citizen first load within 120 KB JS and 30 KB CSS (gzip)', () => {
    expect(manifest['index.html']?.isEntry).toBe(true)
    const first = size(graph('index.html', false))
    console.info(`citizen first load: JS ${(first.js / KB).toFixed(1)} KB, CSS ${(first.css / KB).toFixed(1)} KB gzip`)
    const consoleFirst = size(graph('console/index.html', false))
    console.info(`console first load: JS ${(consoleFirst.js / KB).toFixed(1)} KB, CSS ${(consoleFirst.css / KB).toFixed(1)} KB gzip`)
    expect(first.js).toBeLessThanOrEqual(BUDGET.citizenJs)
    expect(first.css).toBeLessThanOrEqual(BUDGET.citizenCss)
  })

  it('loads the citizen first load and the report form in a few files (HTTP/1.1: six at a time, a round trip each)', () => {
    // web/build/citizen-chunks.ts: the entry and one vendor chunk, then a page and citizen-common.
    const first = graph('index.html', false)
    const form = graph('src/citizen/reports/ReportNew.vue', false).filter((c) => !first.includes(c))
    expect(first.map((c) => c.file).length).toBeLessThanOrEqual(2)
    expect(form.map((c) => c.file).length).toBeLessThanOrEqual(4)
    expect(new Set(form.flatMap((c) => c.css ?? [])).size).toBeLessThanOrEqual(4)
  })

  it('never lets citizens download console or Element Plus code', () => {
    const citizen = graph('index.html', true)
    const consoleOnly = graph('console/index.html', true).filter((c) => !citizen.includes(c))
    expect(consoleOnly.length).toBeGreaterThan(0)
    // Chunks holding console modules are named console-* (web/vite.config.ts chunkFileNames).
    expect(citizen.map((c) => c.file).filter((f) => /(^|\/)console-/.test(f))).toEqual([])
    expect(citizen.filter((c) => c.src?.includes('src/console/'))).toEqual([])
    expect(citizen.filter((c) => ELEMENT_PLUS.test(readFileSync(join(DIST, c.file), 'utf8'))).map((c) => c.file)).toEqual([])
    // The content check can fail: the console's own graph does hold Element Plus.
    expect(consoleOnly.some((c) => ELEMENT_PLUS.test(readFileSync(join(DIST, c.file), 'utf8')))).toBe(true)
  })

  it('does not ship the vue-i18n message compiler', () => {
    const all = [...new Set([...graph('index.html', true), ...graph('console/index.html', true)])]
    // The compiler's tokenizer error domain survives minification (checked against a build with
    // the compiler left in); the runtime alone does not contain it.
    const withCompiler = all.filter((c) => /["']tokenizer["']/.test(readFileSync(join(DIST, c.file), 'utf8')))
    expect(withCompiler.map((c) => c.file)).toEqual([])
  })
})
