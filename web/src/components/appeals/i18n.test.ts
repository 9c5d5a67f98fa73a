import { describe, expect, it } from 'vitest'
import citizen from '@/citizen/appeals/i18n'
import consoleMessages from '@/console/appeals/i18n'

type Tree = { [k: string]: string | Tree }

function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`)))
}

const sources = {
  citizen: import.meta.glob<string>('/src/citizen/appeals/*.{vue,ts}', { query: '?raw', import: 'default', eager: true }),
  console: import.meta.glob<string>('/src/console/appeals/*.{vue,ts}', { query: '?raw', import: 'default', eager: true }),
  components: import.meta.glob<string>('/src/components/appeals/*.{vue,ts}', { query: '?raw', import: 'default', eager: true }),
}
const serverSources = import.meta.glob<string>('../../../../server/src/modules/appeals/{workflow.service,jobs,appeals.service}.ts', {
  query: '?raw',
  import: 'default',
  eager: true,
})

/** Every literal `t('appeals.…')` key in a folder's sources (tests and message files aside). */
function usedKeys(dir: keyof typeof sources): string[] {
  const out = new Set<string>()
  for (const [path, src] of Object.entries(sources[dir])) {
    if (/\.test\.|test-helpers|i18n\.ts|messages\.ts/.test(path)) continue
    for (const m of src.matchAll(/\bt\(\s*'(appeals\.[A-Za-z0-9_.]+)'/g)) out.add(m[1] as string)
  }
  return [...out]
}

describe('appeal messages', () => {
  it('have the same keys in Chinese and English, in both shells', () => {
    for (const m of [citizen, consoleMessages]) expect(keys(m.en as Tree).sort()).toEqual(keys(m['zh-CN'] as Tree).sort())
  })

  it('define every key the pages use', () => {
    const has = (m: typeof citizen | typeof consoleMessages) => new Set(keys(m['zh-CN'] as Tree).map((k) => `appeals.${k}`))
    const c = has(citizen)
    const k = has(consoleMessages)
    for (const key of usedKeys('citizen')) expect(c, key).toContain(key)
    for (const key of usedKeys('console')) expect(k, key).toContain(key)
    // Shared components render in both shells.
    for (const key of usedKeys('components')) {
      expect(c, key).toContain(key)
      expect(k, key).toContain(key)
    }
  })

  it('translate every notification the server sends', () => {
    expect(Object.keys(serverSources)).toHaveLength(3)
    const server = Object.values(serverSources).join('\n')
    const sent = new Set([...server.matchAll(/notify(?:Citizen|Staff)\([^']*'([a-z_]+)'/g)].map((m) => m[1] as string))
    expect(sent.size).toBeGreaterThan(10)
    for (const k of ['approval_needed', 'reminder', 'overdue', 'extension_requested', 'material_requested']) expect(sent).toContain(k)
    for (const key of sent) {
      expect(Object.keys((citizen['zh-CN'] as Tree).notify as Tree), key).toContain(key)
      expect(Object.keys((consoleMessages.en as Tree).notify as Tree), key).toContain(key)
    }
  })
})
