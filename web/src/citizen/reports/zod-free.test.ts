import { describe, expect, it } from 'vitest'

/**
 * The report form imports these shared modules for plate checks, limits and its map: they (and
 * everything they import at run time) must stay free of zod, or the form downloads and evaluates
 * the whole schema library on a phone before it can show anything.
 */
const ROOT = '../../../../shared/src/'
const sources = import.meta.glob<string>('../../../../shared/src/**/*.ts', { query: '?raw', import: 'default', eager: true })
const LIGHT = ['plate-format.ts', 'reports/limits.ts', 'reports/map-projection.ts']

function runtimeImports(file: string): string[] {
  const code = sources[ROOT + file]
  if (code === undefined) throw new Error(`no such shared module: ${file}`)
  return [...code.matchAll(/^(?:import|export)\s+(?!type\b)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1] as string)
}

function resolveRelative(from: string, spec: string): string {
  const parts = from.split('/').slice(0, -1)
  for (const seg of spec.split('/')) {
    if (seg === '..') parts.pop()
    else if (seg !== '.') parts.push(seg)
  }
  return `${parts.join('/')}.ts`
}

function reachable(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen
  seen.add(file)
  for (const spec of runtimeImports(file)) {
    if (spec.startsWith('.')) reachable(resolveRelative(file, spec), seen)
    else seen.add(spec)
  }
  return seen
}

describe('shared modules the report form loads', () => {
  it.each(LIGHT)('%s imports no zod, directly or through another module', (file) => {
    expect([...reachable(file)]).not.toContain('zod')
  })

  it('notices a run-time zod import and ignores type-only imports', () => {
    expect([...reachable('plate.ts')]).toContain('zod')
    expect(runtimeImports('reports/map-projection.ts')).not.toContain('./geo')
  })
})
