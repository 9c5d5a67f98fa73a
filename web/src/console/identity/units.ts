/** Pure helpers for the organisation tree (flat list with parentId → nested, labels with depth). */

export interface FlatUnit {
  id: string
  parentId: string | null
  name: string
  kind: string
}

export type TreeUnit<T extends FlatUnit> = T & { children: TreeUnit<T>[] }

export function buildTree<T extends FlatUnit>(list: readonly T[]): TreeUnit<T>[] {
  const byId = new Map<string, TreeUnit<T>>()
  for (const u of list) byId.set(u.id, { ...u, children: [] })
  const roots: TreeUnit<T>[] = []
  for (const u of byId.values()) {
    const parent = u.parentId ? byId.get(u.parentId) : undefined
    if (parent) parent.children.push(u)
    else roots.push(u)
  }
  return roots
}

/** Options for a unit select, in tree order, indented by depth. */
export function unitOptions<T extends FlatUnit>(list: readonly T[]): { value: string; label: string; kind: string; depth: number }[] {
  const out: { value: string; label: string; kind: string; depth: number }[] = []
  const walk = (nodes: TreeUnit<T>[], depth: number) => {
    for (const n of nodes) {
      out.push({ value: n.id, label: `${'　'.repeat(depth)}${n.name}`, kind: n.kind, depth })
      walk(n.children, depth + 1)
    }
  }
  walk(buildTree(list), 0)
  return out
}

/** Ids of a unit and everything below it (a unit cannot move under these). */
export function subtreeIds<T extends FlatUnit>(list: readonly T[], id: string): Set<string> {
  const out = new Set<string>([id])
  let grew = true
  while (grew) {
    grew = false
    for (const u of list) {
      if (u.parentId && out.has(u.parentId) && !out.has(u.id)) {
        out.add(u.id)
        grew = true
      }
    }
  }
  return out
}

/** Which kinds may sit under which: 支队 → 大队 → 中队 / 警务站 / 车管所 (as the server enforces). */
export const CHILD_KINDS: Record<string, readonly string[]> = {
  detachment: ['brigade', 'squadron', 'station', 'vehicle_office'],
  brigade: ['squadron', 'station', 'vehicle_office'],
  squadron: [],
  station: [],
  vehicle_office: [],
}
