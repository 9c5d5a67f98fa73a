import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { setMe } from '@/api/session'
import { testI18n } from '@/i18n/testing'
import { answer, FakeEventSource, kinds, mockApi } from '../../citizen/reports/test-helpers'
import consoleReports from './i18n'
import QueuePage from './QueuePage.vue'

const chime = vi.hoisted(() => vi.fn())
vi.mock('./api', async (original) => ({ ...(await original<typeof import('./api')>()), chime }))

const messages = { './reports/i18n.ts': { default: consoleReports } }
const row = (n: number, over: Partial<Record<string, unknown>> = {}) => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  number: `R2603010000${n}`,
  kind: 'congestion',
  state: 'submitted',
  stateType: 'open',
  address: `春熙路 ${n} 号`,
  roadName: '春熙路',
  lat: 30.67,
  lng: 104.06,
  plate: null,
  gridName: '春熙网格',
  unitName: '城区一大队',
  officerName: null,
  meTooCount: 0,
  thumbUrl: null,
  createdAt: '2026-03-01T02:00:00Z',
  updatedAt: '2026-03-01T02:00:00Z',
  dueAt: new Date(Date.now() + 4 * 60_000).toISOString(),
  dueReason: 'accepted',
  overdue: false,
  ...over,
})

const UNIT = '00000000-0000-4000-8000-0000000000aa'
const mounted: { unmount(): void }[] = []

async function setup(path = '/reports') {
  let items = [row(1), row(2, { overdue: true, dueAt: new Date(Date.now() - 590_000).toISOString() })]
  setMe({
    kind: 'staff',
    id: 'd',
    username: 'dispatcher',
    name: '陈调度',
    role: 'dispatcher',
    unit: { id: 'u', parentId: null, name: '支队', kind: 'detachment' },
    onDuty: false,
    mustChangePassword: false,
    csrfToken: 't',
  } as never)
  const api = mockApi((method, path) => {
    if (method === 'GET' && path === '/api/console/reports') return answer({ items, nextCursor: null })
    if (method === 'GET' && path === '/api/console/reports/counts')
      return answer({ open: items.length, submitted: items.length, overdue: 1, dueSoon: 1, mine: 0, today: items.length })
    if (method === 'GET' && path === '/api/console/grids') return answer({ items: [] })
    if (method === 'GET' && path === '/api/console/report-kinds') return answer({ items: kinds })
    if (method === 'GET' && path === '/api/console/units') return answer({ items: [{ id: UNIT, name: '城区一大队' }] })
    if (method === 'POST' && path === '/api/console/reports/merge') return answer({ merged: 1, intoId: row(1).id })
    throw new Error(`unexpected ${method} ${path}`)
  })
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/reports', component: QueuePage }] })
  await router.push(path)
  await router.isReady()
  const w = mount(QueuePage, { global: { plugins: [testI18n('zh-CN', messages), router] }, attachTo: document.body })
  mounted.push(w)
  await flushPromises()
  return { w, api, add: (r: ReturnType<typeof row>) => (items = [r, ...items]) }
}

describe('live queue', { timeout: 30_000 }, () => {
  beforeEach(() => {
    FakeEventSource.instances = []
    vi.stubGlobal('EventSource', FakeEventSource)
    localStorage.clear()
  })
  afterEach(() => {
    for (const w of mounted.splice(0)) w.unmount()
    document.body.innerHTML = ''
    vi.unstubAllGlobals()
    chime.mockReset()
  })

  it('lists reports with state, grid and a minute-precise due time, overdue in red', async () => {
    const { w, api } = await setup()
    const numbers = w.findAll('[data-test="row-number"]').map((n) => n.text())
    expect(numbers).toEqual(['R26030100001', 'R26030100002'])
    expect(w.text()).toContain('剩余 4 分钟')
    expect(w.find('.tp-queue__due--overdue').text()).toBe('超期 10 分钟')
    expect(w.find('[data-test="counts"]').text()).toContain('超期 1')
    api.restore()
  })

  it('shows a new report pushed over SSE without reload, with a chime', async () => {
    const { w, api, add } = await setup()
    add(row(3, { address: '东大街 3 号' }))
    FakeEventSource.instances.at(-1)?.emit('report.created', { id: row(3).id, number: row(3).number, address: '东大街 3 号' })
    await new Promise((r) => setTimeout(r, 450))
    await flushPromises()
    expect(chime).toHaveBeenCalledTimes(1)
    expect(w.findAll('[data-test="row-number"]')[0]?.text()).toBe('R26030100003')
    expect(w.find('.tp-queue__row--new').exists()).toBe(true)
    api.restore()
  })

  it('stays quiet when the sound is switched off', async () => {
    localStorage.setItem('tp.reports.sound', 'off')
    const { api } = await setup()
    FakeEventSource.instances.at(-1)?.emit('report.created', { id: 'x', number: 'R1', address: '' })
    await flushPromises()
    expect(chime).not.toHaveBeenCalled()
    api.restore()
  })

  it('opens filtered to overdue reports from the dashboard link, and sends the filters to the server', async () => {
    const { api } = await setup('/reports?overdue=true')
    const last = api.calls('GET', '/api/console/reports').at(-1)
    expect((last!.init as { params: { query: Record<string, unknown> } }).params.query).toMatchObject({ overdue: 'true', stateType: 'open' })
    api.restore()
  })

  it('names kinds from the configuration and offers the units in scope as a filter', async () => {
    const { w, api } = await setup()
    expect(w.find('[data-test="queue-table"]').text()).toContain('拥堵')
    expect(w.find('[data-test="filter-unit"]').exists()).toBe(true)
    expect(api.calls('GET', '/api/console/units')).toHaveLength(1)
    api.restore()
  })
})
