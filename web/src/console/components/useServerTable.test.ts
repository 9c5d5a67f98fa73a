import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { TableState } from './table-query'
import { useServerTable } from './useServerTable'

async function setup(url: string) {
  const fetcher = vi.fn(async (s: TableState) => ({ items: [{ id: `p${s.page}` }], total: 55 }))
  let table!: ReturnType<typeof useServerTable<{ id: string }>>
  const Page = defineComponent({
    setup() {
      table = useServerTable(fetcher, { defaults: { sort: 'dueAt', order: 'asc' } })
      return () => h('div')
    },
  })
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/list', component: Page }] })
  await router.push(url)
  mount(Page, { global: { plugins: [router] } })
  await flushPromises()
  return { fetcher, router, table: () => table }
}

describe('useServerTable', () => {
  it('starts from the URL and loads once', async () => {
    const { fetcher, table } = await setup('/list?page=2&state=open')
    expect(fetcher).toHaveBeenCalledTimes(1)
    expect(fetcher.mock.calls[0]?.[0]).toEqual({ page: 2, pageSize: 20, sort: 'dueAt', order: 'asc', filters: { state: 'open' } })
    expect(table().rows.value).toEqual([{ id: 'p2' }])
    expect(table().total.value).toBe(55)
  })

  it('writes changes to the URL and reloads', async () => {
    const { fetcher, router, table } = await setup('/list')
    table().state.value = { ...table().state.value, page: 3 }
    await flushPromises()
    expect(router.currentRoute.value.query).toMatchObject({ page: '3', sort: 'dueAt', order: 'asc' })
    expect(fetcher).toHaveBeenCalledTimes(2)
    expect(table().rows.value).toEqual([{ id: 'p3' }])
  })

  it('follows back and forward', async () => {
    const { fetcher, router, table } = await setup('/list')
    await router.push('/list?page=4')
    await flushPromises()
    expect(table().state.value.page).toBe(4)
    expect(fetcher).toHaveBeenLastCalledWith(expect.objectContaining({ page: 4 }))
  })
})
