import { describe, expect, it } from 'vitest'
import { buildTree, subtreeIds, unitOptions } from './units'

const list = [
  { id: 'd', parentId: null, name: '支队', kind: 'detachment' },
  { id: 'b1', parentId: 'd', name: '一大队', kind: 'brigade' },
  { id: 's1', parentId: 'b1', name: '一中队', kind: 'squadron' },
  { id: 'b2', parentId: 'd', name: '二大队', kind: 'brigade' },
]

describe('unit tree helpers', () => {
  it('nests a flat list under its parents', () => {
    const tree = buildTree(list)
    expect(tree).toHaveLength(1)
    expect(tree[0]?.children.map((c) => c.id)).toEqual(['b1', 'b2'])
    expect(tree[0]?.children[0]?.children[0]?.id).toBe('s1')
  })

  it('treats units whose parent is out of scope as roots (a brigade head sees a subtree)', () => {
    expect(buildTree(list.slice(1)).map((u) => u.id)).toEqual(['b1', 'b2'])
  })

  it('lists select options in tree order, indented by depth', () => {
    expect(unitOptions(list).map((o) => [o.value, o.depth])).toEqual([
      ['d', 0],
      ['b1', 1],
      ['s1', 2],
      ['b2', 1],
    ])
    expect(unitOptions(list)[2]?.label).toBe('　　一中队')
  })

  it('finds a unit and everything below it', () => {
    expect([...subtreeIds(list, 'b1')].sort()).toEqual(['b1', 's1'])
    expect(subtreeIds(list, 'd').size).toBe(4)
  })
})
