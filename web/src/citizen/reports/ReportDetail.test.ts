import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { testI18n } from '@/i18n/testing'
import ReportDetail from './ReportDetail.vue'
import { answer, FakeEventSource, kinds, mockApi, reportsMessages } from './test-helpers'

const base = {
  id: 'r1',
  number: 'R26030100007',
  kind: 'zombie_car',
  course: 'zombie',
  state: 'moved',
  stateType: 'fixed',
  address: '建设北路小区门口',
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
  updatedAt: '2026-03-02T01:00:00Z',
  dueAt: null,
  dueReason: null,
  overdue: false,
  description: '车辆长期停放',
  attributes: { parked_for: 'gt30d' },
  locationSource: 'gps',
  photos: [{ id: 'p1', url: '/api/reports/files/p1', thumbUrl: '/api/reports/files/p1/thumb', name: 'a.jpg' }],
  timeline: [
    { id: 'e1', at: '2026-03-01T01:00:00Z', action: 'submit', actorRole: 'citizen', fromState: null, toState: 'submitted', note: null, attachments: [] },
    {
      id: 'e2',
      at: '2026-03-01T02:00:00Z',
      action: 'dispatch',
      actorRole: 'dispatcher',
      fromState: 'submitted',
      toState: 'dispatched',
      note: null,
      attachments: [],
    },
    {
      id: 'e3',
      at: '2026-03-02T01:00:00Z',
      action: 'owner_moved',
      actorRole: 'dispatcher',
      fromState: 'dispatched',
      toState: 'moved',
      note: '车主已驶离',
      attachments: [],
    },
  ],
  actions: ['rate', 'dispute'],
  canDispute: true,
  canRate: true,
  rating: null,
  mergedInto: null,
  meToo: false,
  noticeDueAt: null,
  publicNoticeEndsAt: null,
  finishedAt: '2026-03-02T01:00:00Z',
}

const mounted: { unmount(): void }[] = []

async function setup(report: Record<string, unknown>) {
  let current = report
  const api = mockApi((method, path, init) => {
    if (method === 'GET' && path === '/api/reports/{id}') return answer(current)
    if (method === 'GET' && path === '/api/reports/kinds') return answer({ items: kinds })
    if (method === 'POST' && path === '/api/reports/{id}/rate') {
      const body = (init as { body: { score: number; comment?: string } }).body
      current = {
        ...current,
        state: 'closed',
        stateType: 'closed',
        actions: ['dispute'],
        rating: { score: body.score, comment: body.comment ?? null, at: '2026-03-03T00:00:00Z' },
      }
      return answer(current)
    }
    throw new Error(`unexpected ${method} ${path}`)
  })
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/reports/:id', component: ReportDetail }] })
  await router.push('/reports/r1')
  await router.isReady()
  const w = mount(ReportDetail, { global: { plugins: [testI18n('zh-CN', reportsMessages), router] }, attachTo: document.body })
  mounted.push(w)
  await flushPromises()
  return { w, api, set: (r: Record<string, unknown>) => (current = r) }
}

describe('my report', () => {
  beforeEach(() => {
    FakeEventSource.instances = []
    vi.stubGlobal('EventSource', FakeEventSource)
  })
  afterEach(() => {
    // Unmounting releases the shared SSE stream, so the next test opens its own.
    for (const w of mounted.splice(0)) w.unmount()
    document.body.innerHTML = ''
    vi.unstubAllGlobals()
  })

  it('shows the state, the handler, the photos and every step of the timeline', async () => {
    const { w, api } = await setup(base)
    expect(w.find('[data-test="state"]').text()).toBe('车主已驶离')
    expect(w.find('[data-test="officer"]').text()).toContain('张路警')
    expect(w.findAll('.tp-report-detail__photo img')).toHaveLength(1)
    const text = w.text()
    for (const step of ['提交上报', '派警处置', '车主已驶离']) expect(text).toContain(step)
    api.restore()
  })

  it('offers only the actions the state machine gives the citizen now', async () => {
    const { w, api } = await setup({ ...base, state: 'submitted', stateType: 'open', actions: ['withdraw'], canRate: false, canDispute: false })
    expect(w.find('[data-test="withdraw"]').exists()).toBe(true)
    expect(w.find('[data-test="rate"]').exists()).toBe(false)
    expect(w.find('[data-test="dispute"]').exists()).toBe(false)
    api.restore()
    const closed = await setup({ ...base, state: 'withdrawn', stateType: 'closed', actions: [] })
    expect(closed.w.find('.tp-report-detail__bar').exists()).toBe(false)
    closed.api.restore()
  })

  it('rates the handling 1–5 with a comment', async () => {
    const { w, api } = await setup(base)
    await w.find('[data-test="rate"]').trigger('click')
    await flushPromises()
    const stars = document.body.querySelectorAll('[data-test="rate-stars"] [role="radio"]')
    ;(stars[3] as HTMLElement).click()
    await flushPromises()
    const textarea = document.body.querySelector('.tp-report-detail__sheet textarea') as HTMLTextAreaElement
    textarea.value = '处理及时'
    textarea.dispatchEvent(new Event('input'))
    ;(document.body.querySelector('[data-test="rate-submit"]') as HTMLElement).click()
    await flushPromises()
    expect(api.calls('POST', '/api/reports/{id}/rate')[0]?.init).toMatchObject({ body: { score: 4, comment: '处理及时' } })
    expect(w.text()).toContain('您的评价')
    expect(w.find('[data-test="rate"]').exists()).toBe(false)
    api.restore()
  })

  it('reloads when the server pushes a state change for this report', async () => {
    const { w, api, set } = await setup({ ...base, state: 'dispatched', stateType: 'open', actions: [] })
    set({ ...base, state: 'on_scene', stateType: 'open', actions: [] })
    FakeEventSource.instances.at(-1)?.emit('report.updated', { id: 'r1', state: 'on_scene' })
    await flushPromises()
    expect(w.find('[data-test="state"]').text()).toBe('民警到场')
    api.restore()
  })
})
