import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { setMe } from '@/api/session'
import { answer, consoleMessages, mockApi, SilentEventSource } from '@/components/appeals/test-helpers'
import { testI18n } from '@/i18n/testing'
import AppealsWidget from './AppealsWidget.vue'

const counts = { open: 12, overdue: 2, dueSoon: 3, awaitingAcceptance: 4, pendingApproval: 1, pendingExtensions: 1, mine: 5 }

async function mountWidget(c: typeof counts, role: 'legal_officer' | 'unit_head') {
  setMe({
    kind: 'staff',
    id: 's1',
    username: 's1',
    name: 's1',
    role,
    unit: { id: 'u', parentId: null, name: '支队', kind: 'detachment' },
    csrfToken: 'x',
  } as never)
  mockApi((method, path) => (method === 'GET' && path === '/api/console/appeals/counts' ? answer(c) : answer({})))
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<p/>' } }] })
  const w = mount(AppealsWidget, { global: { plugins: [testI18n('zh-CN', consoleMessages), router] } })
  await flushPromises()
  return w
}

describe('the appeals dashboard widget', () => {
  beforeEach(() => vi.stubGlobal('EventSource', SilentEventSource))
  afterEach(() => vi.restoreAllMocks())

  it('counts overdue and due-soon cases, linking to the filtered queue', async () => {
    const w = await mountWidget(counts, 'legal_officer')
    expect(w.find('[data-test="appeals-count-overdue"]').text()).toBe('2')
    expect(w.find('[data-test="appeals-count-dueSoon"]').text()).toBe('3')
    expect(w.find('a[href="/appeals?due=overdue"]').classes()).toContain('tp-awidget__tile--overdue')
    expect(w.find('[data-test="appeals-count-pendingApproval"]').exists()).toBe(false)
    expect(w.find('[data-test="appeals-zero"]').exists()).toBe(false)
  })

  it('shows unit heads what waits for their approval, and celebrates zero overdue', async () => {
    const w = await mountWidget({ ...counts, overdue: 0 }, 'unit_head')
    expect(w.find('[data-test="appeals-count-pendingApproval"]').text()).toBe('1')
    expect(w.find('[data-test="appeals-zero"]').text()).toContain('零超期')
  })
})
