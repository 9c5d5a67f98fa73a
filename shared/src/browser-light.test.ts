import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The citizen report form imports these modules for plate checks, limits and its map: they (and
 * everything they import at run time) must stay free of zod, or the form downloads and evaluates
 * the whole schema library on a phone before it can show anything.
 */
const LIGHT = ['plate-format.ts', 'reports/limits.ts', 'reports/map-projection.ts']

function runtimeImports(file: string): string[] {
  const code = readFileSync(join(import.meta.dirname, file), 'utf8')
  return [...code.matchAll(/^(?:import|export)\s+(?!type\b)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1] as string)
}

function reachable(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen
  seen.add(file)
  for (const spec of runtimeImports(file)) {
    if (spec.startsWith('.')) reachable(join(dirname(file), `${spec}.ts`), seen)
    else seen.add(spec)
  }
  return seen
}

describe('modules the citizen report form loads', () => {
  it.each(LIGHT)('%s imports no zod, directly or through another module', (file) => {
    expect([...reachable(file)]).not.toContain('zod')
  })

  it('notices a run-time zod import (and ignores type-only imports)', () => {
    expect(runtimeImports('plate.ts')).toContain('zod')
    expect(runtimeImports('reports/map-projection.ts')).not.toContain('./geo')
  })
})
