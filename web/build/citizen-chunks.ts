import type { Rollup } from 'vite'

type ManualChunkMeta = Rollup.ManualChunkMeta

/**
 * Fewer, larger chunks for the citizen H5, which loads over mobile networks and HTTP/1.1 (six
 * requests at a time, a round trip each). Left to itself Rollup makes one chunk per combination of
 * entries and pages that share a module: the first load was 6 JS and 4 CSS files, and the report
 * form then loaded ~30 more files of 0.2–4 KB. Here:
 *
 * - `citizen`: the first load that the console never reaches (the entry, the home, its Vant parts);
 * - `vendor`: the first load that the console reaches too (Vue, router, i18n, shared components);
 * - `citizen-common`: what two or more citizen pages import beyond the first load (Vant components,
 *   toasts, drafts…), when the console never reaches it and everything it imports is in the first
 *   load or in this chunk too, so it never pulls in a page's own larger dependency (zod, which the
 *   report pages stay free of, keeps its own chunk);
 * - everything else (each page, the console) as Rollup splits it.
 *
 * Needs `onlyExplicitManualChunks`: otherwise Rollup moves a manual chunk's other static
 * dependencies into it. The graph here is the import graph before tree-shaking, where a module
 * imported through an index that re-exports a whole library counts as importing all of it; so
 * Vant is imported from its component folders (`vant/es/dialog`), never from `vant`, which the
 * build refuses for citizen code.
 */
export function citizenChunks(citizenHtml: string, consoleHtml: string) {
  let chunkOf: Map<string, string> | null = null
  return (id: string, meta: ManualChunkMeta): string | undefined => {
    chunkOf ??= assign(citizenHtml, consoleHtml, meta)
    return chunkOf.get(id)
  }
}

const VANT_INDEX = /[\\/]node_modules[\\/]vant[\\/](es|lib)[\\/]index\.m?js$/

function assign(citizenHtml: string, consoleHtml: string, { getModuleInfo }: ManualChunkMeta): Map<string, string> {
  const closure = (from: readonly string[], withDynamic: boolean, stop: ReadonlySet<string> = new Set()) => {
    const seen = new Set<string>()
    const queue = from.filter((id) => !stop.has(id))
    while (queue.length) {
      const id = queue.pop() as string
      if (seen.has(id)) continue
      seen.add(id)
      const info = getModuleInfo(id)
      for (const next of [...(info?.importedIds ?? []), ...(withDynamic ? (info?.dynamicallyImportedIds ?? []) : [])])
        if (!seen.has(next) && !stop.has(next)) queue.push(next)
    }
    return seen
  }

  const firstLoad = closure([citizenHtml], false)
  const consoleReach = closure([consoleHtml], true)
  // Pages (and any other lazily imported module) the citizen can reach, with what each loads on top of the first load.
  const perPage = new Map<string, Set<string>>()
  const pending = [...firstLoad].flatMap((id) => getModuleInfo(id)?.dynamicallyImportedIds ?? [])
  while (pending.length) {
    const page = pending.pop() as string
    if (perPage.has(page) || firstLoad.has(page)) continue
    const own = closure([page], false, firstLoad)
    perPage.set(page, own)
    for (const id of own) pending.push(...(getModuleInfo(id)?.dynamicallyImportedIds ?? []))
  }

  const barrel = [...firstLoad, ...[...perPage.values()].flatMap((own) => [...own])].find((id) => VANT_INDEX.test(id))
  if (barrel) {
    const by = [...(getModuleInfo(barrel)?.importers ?? [])].filter((id) => !consoleReach.has(id) || firstLoad.has(id))
    throw new Error(`Citizen code imports Vant's index (${by.join(', ')}): import from the component's folder instead, e.g. 'vant/es/dialog'`)
  }

  const users = new Map<string, number>()
  for (const own of perPage.values()) for (const id of own) users.set(id, (users.get(id) ?? 0) + 1)
  const common = new Set([...users].filter(([id, n]) => n >= 2 && !perPage.has(id) && !consoleReach.has(id)).map(([id]) => id))
  // Drop modules that import something outside the first load and this chunk, until none is left.
  for (let changed = true; changed; ) {
    changed = false
    for (const id of common) {
      if ((getModuleInfo(id)?.importedIds ?? []).every((dep) => firstLoad.has(dep) || common.has(dep))) continue
      common.delete(id)
      changed = true
    }
  }

  const chunkOf = new Map<string, string>()
  for (const id of firstLoad) chunkOf.set(id, consoleReach.has(id) ? 'vendor' : 'citizen')
  for (const id of common) chunkOf.set(id, 'citizen-common')
  return chunkOf
}
