import { flushPromises, mount } from '@vue/test-utils'
import { ElTableColumn } from 'element-plus'
import { describe, expect, it } from 'vitest'
import { h } from 'vue'
import { testI18n } from '@/i18n/testing'
import ServerTable from './ServerTable.vue'
import type { TableState } from './table-query'

const now = new Date('2026-03-10T02:00:00Z')
const rows = [
  { id: 'a1', number: 'SS-001', dueAt: '2026-03-08T15:59:59Z', open: true },
  { id: 'a2', number: 'SS-002', dueAt: '2026-03-11T15:59:59Z', open: true },
  { id: 'a3', number: 'SS-003', dueAt: '2026-03-30T15:59:59Z', open: true },
  { id: 'a4', number: 'SS-004', dueAt: '2026-03-01T15:59:59Z', open: false },
]

function mountTable(state: Partial<TableState> = {}, extra: Record<string, unknown> = {}) {
  return mount(ServerTable, {
    props: {
      rows,
      total: 45,
      state: { page: 1, pageSize: 20, filters: {}, ...state },
      dueKey: 'dueAt',
      doneOf: (r: Record<string, unknown>) => !r.open,
      now,
      ...extra,
    },
    slots: {
      default: () => [h(ElTableColumn, { prop: 'number', label: '编号', sortable: 'custom' })],
    },
    global: { plugins: [testI18n('zh-CN')] },
    attachTo: document.body,
  })
}

describe('ServerTable', () => {
  it('emits the new page when the pager moves', async () => {
    const w = mountTable()
    await flushPromises()
    await w.find('.el-pager li:nth-child(2)').trigger('click')
    expect(w.emitted('page-change')?.[0]).toEqual([2, 20])
    expect(w.emitted('update:state')?.[0]?.[0]).toMatchObject({ page: 2 })
    w.unmount()
  })

  it('emits server-side sorting and goes back to page 1', async () => {
    const w = mountTable({ page: 3 })
    await flushPromises()
    const table = w.findComponent({ name: 'ElTable' })
    table.vm.$emit('sort-change', { prop: 'number', order: 'descending', column: null })
    expect(w.emitted('sort-change')?.[0]).toEqual([{ sort: 'number', order: 'desc' }])
    expect(w.emitted('update:state')?.[0]?.[0]).toMatchObject({ page: 1, sort: 'number', order: 'desc' })
    table.vm.$emit('sort-change', { prop: 'number', order: null, column: null })
    const cleared = w.emitted('update:state')?.[1]?.[0] as TableState
    expect(cleared.sort).toBeUndefined()
    expect(cleared.order).toBeUndefined()
    w.unmount()
  })

  it('applies filters on search and clears them on reset', async () => {
    const w = mount(ServerTable, {
      props: { rows, total: 4, state: { page: 2, pageSize: 20, filters: {} } },
      slots: {
        default: () => [h(ElTableColumn, { prop: 'number', label: '编号' })],
        filters: ({ filters }: { filters: Record<string, string> }) => [
          h('input', { name: 'q', value: filters.q ?? '', onInput: (e: Event) => (filters.q = (e.target as HTMLInputElement).value) }),
        ],
      },
      global: { plugins: [testI18n('zh-CN')] },
      attachTo: document.body,
    })
    await w.find('input[name="q"]').setValue('川A')
    await w.find('form').trigger('submit')
    expect(w.emitted('search')?.[0]).toEqual([{ q: '川A' }])
    expect(w.emitted('update:state')?.[0]?.[0]).toMatchObject({ page: 1, filters: { q: '川A' } })
    await w.find('[data-test="table-reset"]').trigger('click')
    expect(w.emitted('update:state')?.[1]?.[0]).toMatchObject({ page: 1, filters: {} })
    w.unmount()
  })

  it('colours due rows and shows relative due times', async () => {
    const w = mountTable()
    await flushPromises()
    const trs = w.findAll('tbody tr')
    expect(trs[0]?.classes()).toContain('tp-due-row--overdue')
    expect(trs[0]?.text()).toContain('已超期 2 天')
    expect(trs[1]?.classes()).toContain('tp-due-row--due-soon')
    expect(trs[2]?.classes()).not.toContain('tp-due-row--due-soon')
    expect(trs[3]?.classes()).not.toContain('tp-due-row--overdue')
    expect(trs[3]?.find('.tp-due').exists()).toBe(false)
    w.unmount()
  })

  it('emits the clicked row', async () => {
    const w = mountTable()
    await flushPromises()
    await w.findAll('tbody tr')[1]?.find('td').trigger('click')
    expect(w.emitted('row-click')?.[0]?.[0]).toMatchObject({ id: 'a2' })
    w.unmount()
  })

  it('shows the total', async () => {
    const w = mountTable()
    await flushPromises()
    expect(w.find('.el-pagination').text()).toContain('45')
    w.unmount()
  })

  it('says when the total was only counted up to the cap, and not otherwise', async () => {
    const plain = mountTable()
    await flushPromises()
    expect(plain.find('[data-test="table-capped"]').exists()).toBe(false)
    plain.unmount()
    const capped = mountTable({}, { capped: true })
    await flushPromises()
    expect(capped.find('[data-test="table-capped"]').text()).toContain('1,000')
    capped.unmount()
  })
})
