import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { testI18n } from '@/i18n/testing'
import RatePage from './RatePage.vue'
import { answer, failure, mockApi, ratingsI18n } from './test-helpers'

const confirm = vi.hoisted(() => vi.fn())
vi.mock('vant/es/dialog', async (original) => ({ ...(await original<typeof import('vant/es/dialog')>()), showConfirmDialog: confirm }))
vi.mock('@/composables/useEvents', () => ({ useEvents: () => ({ connected: { value: true } }) }))

const TICKET = '8d0b3f4e-1111-4a4a-9a9a-000000000001'
const tags = [
  { code: 'warm', zh: '态度热情', en: 'Friendly', polarity: 'good' },
  { code: 'efficient', zh: '办事高效', en: 'Efficient', polarity: 'good' },
  { code: 'long_wait', zh: '等候时间长', en: 'Long wait', polarity: 'bad' },
  { code: 'rude', zh: '态度生硬', en: 'Unfriendly', polarity: 'bad' },
]
const ticket = {
  id: TICKET,
  number: 'C012',
  serviceName: '驾驶证换证、补证',
  officeName: '市车辆管理所',
  windowNumber: 3,
  staffName: '周窗口',
  completedAt: '2026-03-10T02:30:00.000Z',
  bookingId: null,
}
const open = { ticket, canRate: true, reason: null, rateBy: '2026-03-17T02:30:00.000Z', rating: null, followUp: null, tags }
const rated = {
  ...open,
  canRate: false,
  reason: 'rated',
  rating: { id: 'r1', level: 'dissatisfied', tags: ['long_wait'], comment: '等了很久', channel: 'app', ratedAt: '2026-03-10T03:00:00.000Z', bad: true },
  followUp: {
    number: 'HF20260310000001',
    state: 'opened',
    stateType: 'open',
    openedAt: '2026-03-10T03:00:00.000Z',
    dueAt: '2099-03-31T15:59:59.999Z',
    closedAt: null,
    outcome: null,
    timeline: [
      { id: 'e1', at: '2026-03-10T03:00:00.000Z', action: 'open', actorRole: 'system', fromState: null, toState: 'opened', note: null, attachments: [] },
    ],
  },
}

async function setup(handler: Parameters<typeof mockApi>[0]) {
  setActivePinia(createPinia())
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/ratings/:ticketId', component: RatePage }] })
  await router.push(`/ratings/${TICKET}`)
  await router.isReady()
  const api = mockApi(handler)
  const w = mount(RatePage, { global: { plugins: [router, testI18n('zh-CN', ratingsI18n)] }, attachTo: document.body })
  await flushPromises()
  return { w, api }
}

describe('the rate page', () => {
  beforeEach(() => {
    localStorage.clear()
    confirm.mockReset()
  })
  afterEach(() => {
    document.body.innerHTML = ''
    vi.restoreAllMocks()
  })

  it('shows five large labelled levels and no tags until a level is chosen', async () => {
    const { w } = await setup(() => answer(open))
    const levels = w.findAll('[role="radio"]')
    expect(levels.map((b) => b.text())).toEqual(['非常满意', '满意', '基本满意', '不满意', '非常不满意'])
    expect(w.findAll('[data-tag]')).toHaveLength(0)
    expect(w.find('[data-test="submit"]').attributes('disabled')).toBeDefined()
    expect(w.text()).toContain('3号窗口 周窗口')
  })

  it('offers complaint tags for 不满意 and submits the level, tags and comment after confirming', async () => {
    let posted: any = null
    confirm.mockResolvedValue('confirm')
    const { w, api } = await setup((method, _path, init) => {
      if (method === 'POST') {
        posted = init.body
        return answer(rated, 201)
      }
      return answer(open)
    })
    await w.find('[data-level="dissatisfied"]').trigger('click')
    expect(w.find('[data-level="dissatisfied"]').attributes('aria-checked')).toBe('true')
    expect(w.findAll('[data-tag]').map((c) => c.text())).toEqual(['等候时间长', '态度生硬'])
    expect(w.text()).toContain('单位负责人核实')
    await w.find('[data-tag="long_wait"]').trigger('click')
    await w.find('textarea').setValue('等了很久')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(confirm).toHaveBeenCalledTimes(1)
    expect(confirm.mock.calls[0]?.[0].message).toContain('不满意')
    expect(posted).toEqual({ level: 'dissatisfied', tags: ['long_wait'], comment: '等了很久' })
    expect(api.calls('POST', '/api/ratings/tickets/{ticketId}')[0]?.init.params.path.ticketId).toBe(TICKET)
    // Now the rating and its follow-up case.
    expect(w.find('[data-test="my-level"]').text()).toBe('不满意')
    expect(w.find('[data-test="follow-up"]').text()).toContain('HF20260310000001')
    expect(w.find('[data-test="follow-up-state"]').text()).toBe('已受理')
  })

  it('does not submit without confirming, and keeps what was typed', async () => {
    confirm.mockRejectedValue(new Error('cancel'))
    const { w, api } = await setup(() => answer(open))
    await w.find('[data-level="satisfied"]').trigger('click')
    await w.find('[data-tag="warm"]').trigger('click')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(api.calls('POST', '/api/ratings/tickets/{ticketId}')).toHaveLength(0)
    await new Promise((r) => setTimeout(r, 400)) // the draft is saved after a short pause
    expect(JSON.parse(localStorage.getItem(`tp.draft.ratings.${TICKET}`) ?? '{}').data).toMatchObject({ level: 'satisfied', tags: ['warm'] })
  })

  it('drops chosen praise tags when the level changes to a bad one', async () => {
    const { w } = await setup(() => answer(open))
    await w.find('[data-level="very_satisfied"]').trigger('click')
    await w.find('[data-tag="warm"]').trigger('click')
    await w.find('[data-level="very_dissatisfied"]').trigger('click')
    expect(w.find('[data-tag="warm"]').exists()).toBe(false)
    expect(w.findAll('[aria-pressed="true"]')).toHaveLength(0)
  })

  it('shows the outcome of a closed follow-up', async () => {
    const closed = {
      ...rated,
      followUp: { ...rated.followUp, state: 'closed', stateType: 'fixed', closedAt: '2026-03-20T03:00:00.000Z', outcome: '已对相关人员批评教育并增开窗口。' },
    }
    const { w } = await setup(() => answer(closed))
    expect(w.find('form').exists()).toBe(false)
    expect(w.find('[data-test="outcome"]').text()).toContain('已对相关人员批评教育并增开窗口。')
    expect(w.find('[data-test="follow-up-state"]').text()).toBe('已办结')
  })

  it('says when it is too late to rate, and when the service is not mine', async () => {
    const { w } = await setup(() => answer({ ...open, canRate: false, reason: 'expired' }))
    expect(w.find('[data-test="expired"]').text()).toContain('已超过评价期限')
    document.body.innerHTML = ''
    const other = await setup(() => failure(404, 'not_found'))
    expect(other.w.text()).toContain('不存在')
  })
})
