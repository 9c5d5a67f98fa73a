import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { testI18n } from '@/i18n/testing'
import { answer, FakeEventSource, kinds, mockApi } from '../../citizen/reports/test-helpers'
import consoleReports from './i18n'
import OfficerPage from './OfficerPage.vue'

const messages = { './reports/i18n.ts': { default: consoleReports } }
const report = {
  id: 'r1',
  number: 'R26030100009',
  kind: 'zombie_car',
  course: 'zombie',
  state: 'dispatched',
  stateType: 'open',
  address: '建设北路',
  roadName: '建设北路',
  lat: 30.68,
  lng: 104.09,
  plate: '川A12345',
  gridName: '东湖网格',
  unitName: '城区一大队',
  officerName: '张路警',
  meTooCount: 0,
  thumbUrl: null,
  createdAt: '2026-03-01T01:00:00Z',
  updatedAt: '2026-03-01T01:00:00Z',
  dueAt: null,
  dueReason: null,
  overdue: false,
  description: '长期停放',
  attributes: {},
  locationSource: 'gps',
  photos: [],
  timeline: [],
  actions: ['acknowledge', 'arrive', 'owner_moved', 'reassign'],
  version: 3,
}
const mounted: { unmount(): void }[] = []

describe('officer view', () => {
  beforeEach(() => {
    FakeEventSource.instances = []
    vi.stubGlobal('EventSource', FakeEventSource)
  })
  afterEach(() => {
    for (const w of mounted.splice(0)) w.unmount()
    document.body.innerHTML = ''
    vi.unstubAllGlobals()
  })

  it('shows my dispatched reports with big buttons for the field steps only, and sends the version', async () => {
    const api = mockApi((method, path) => {
      if (method === 'GET' && path === '/api/console/reports') return answer({ items: [report], nextCursor: null })
      if (method === 'GET' && path === '/api/console/reports/{id}') return answer(report)
      if (method === 'GET' && path === '/api/console/report-kinds') return answer({ items: kinds })
      if (method === 'POST' && path === '/api/console/reports/{id}/actions') return answer({ ...report, state: 'on_scene', actions: [] })
      throw new Error(`unexpected ${method} ${path}`)
    })
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/reports/officer', component: OfficerPage }] })
    await router.push('/reports/officer')
    await router.isReady()
    const w = mount(OfficerPage, { global: { plugins: [testI18n('zh-CN', messages), router] }, attachTo: document.body })
    mounted.push(w)
    await flushPromises()
    expect((api.calls('GET', '/api/console/reports')[0]!.init as { params: { query: Record<string, unknown> } }).params.query).toMatchObject({
      mine: 'true',
      stateType: 'open',
    })
    const buttons = w.findAll('[data-test^="officer-"]').map((b) => b.attributes('data-test'))
    expect(buttons).toEqual(['officer-card', 'officer-acknowledge', 'officer-arrive', 'officer-owner_moved'])
    await w.find('[data-test="officer-acknowledge"]').trigger('click')
    await flushPromises()
    expect(api.calls('POST', '/api/console/reports/{id}/actions')[0]?.init).toMatchObject({ body: { action: 'acknowledge', version: 3 } })
    api.restore()
  })
})
