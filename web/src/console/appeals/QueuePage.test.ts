import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { answer, consoleMessages, mockApi, SilentEventSource } from '@/components/appeals/test-helpers'
import { testI18n } from '@/i18n/testing'
import QueuePage from './QueuePage.vue'

const row = (i: number, over: Record<string, unknown> = {}) => ({
  id: `a${i}`,
  number: `SS2026030100000${i}`,
  state: 'in_review',
  stateType: 'open',
  type: 'statement',
  grounds: 'camera_misread',
  plate: '川A12345',
  decisionNo: `510104100001234${i}`,
  unitId: 'u1',
  unitName: '城区一大队',
  assignee: { id: 's1', name: '刘法制' },
  citizenNameMasked: '张*',
  submittedAt: '2026-03-01T02:00:00.000Z',
  dueDate: '2026-03-16',
  dueAt: '2026-03-16T15:59:59.999Z',
  daysLeft: 2,
  dueStatus: 'soon',
  outcome: null,
  version: 2,
  ...over,
})
const counts = { open: 3, overdue: 1, dueSoon: 2, awaitingAcceptance: 0, pendingApproval: 0, pendingExtensions: 0, mine: 3 }

async function setup() {
  const mock = mockApi((method, path) => {
    if (path === '/api/console/appeals')
      return answer({ items: [row(1, { dueStatus: 'overdue' }), row(2), row(3)], total: 3, totalCapped: false, nextCursor: null, prevCursor: null })
    if (path === '/api/console/appeals/counts') return answer(counts)
    if (path === '/api/console/appeals/reviewers') return answer({ items: [] })
    if (path === '/api/console/units') return answer({ items: [] })
    throw new Error(`unexpected ${method} ${path}`)
  })
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/appeals', component: QueuePage },
      { path: '/appeals/:id', component: { template: '<p>review</p>' } },
    ],
  })
  await router.push('/appeals')
  await router.isReady()
  // The filter row's selects and date pickers are not under test here (and slow to render in happy-dom).
  const stubs = { ElSelect: true, ElOption: true, ElDatePicker: true }
  const w = mount(QueuePage, { global: { plugins: [testI18n('zh-CN', consoleMessages), router], stubs }, attachTo: document.body })
  await flushPromises()
  return { w, mock, router }
}

const press = (key: string) => window.dispatchEvent(new KeyboardEvent('keydown', { key }))

describe('the appeals queue', { timeout: 60_000 }, () => {
  beforeEach(() => vi.stubGlobal('EventSource', SilentEventSource))
  afterEach(() => {
    vi.restoreAllMocks()
    document.body.innerHTML = ''
  })

  it('asks for the open cases sorted by due date and shows the overdue and due-soon counts', async () => {
    const { w, mock } = await setup()
    const first = mock.calls('GET', '/api/console/appeals')[0]!.init.params.query
    // The first page: no keyset cursor.
    expect(first).toMatchObject({ sort: 'due', pageSize: 20 })
    expect(first).not.toHaveProperty('cursor')
    expect(w.find('[data-test="chip-overdue"]').text()).toBe('超期 1')
    expect(w.find('[data-test="chip-soon"]').text()).toBe('临期 2')
    expect(w.findAll('[data-test="row-number"]').map((r) => r.text())).toEqual(['SS20260301000001', 'SS20260301000002', 'SS20260301000003'])
    w.unmount()
  })

  it('filters to the overdue cases from the chip', async () => {
    const { w, mock } = await setup()
    await w.find('[data-test="chip-overdue"]').trigger('click')
    await flushPromises()
    const last = mock.calls('GET', '/api/console/appeals').at(-1)!
    expect(last.init.params.query).toMatchObject({ due: 'overdue' })
    w.unmount()
  })

  it('moves through the queue with the keyboard and opens a case with Enter', async () => {
    const { w, router } = await setup()
    const cursorRow = () => w.findAll('tbody tr.el-table__row').findIndex((r) => r.classes().includes('tp-appeal-row--cursor'))
    // The most urgent case is selected first.
    expect(cursorRow()).toBe(0)
    press('j')
    await flushPromises()
    press('ArrowDown')
    await flushPromises()
    expect(cursorRow()).toBe(2)
    press('j')
    await flushPromises()
    expect(cursorRow()).toBe(2)
    press('k')
    await flushPromises()
    press('k')
    await flushPromises()
    expect(cursorRow()).toBe(0)
    expect(w.find('tbody tr.tp-appeal-row--cursor').attributes('aria-selected')).toBe('true')
    press('Enter')
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/appeals/a1')
    w.unmount()
  })
})
