import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { testI18n } from '@/i18n/testing'
import EvaluatorPage from './EvaluatorPage.vue'
import { answer, failure, mockApi, ratingsConsoleI18n } from './test-helpers'

vi.mock('@/composables/useEvents', () => ({ useEvents: () => ({ connected: { value: true } }) }))
vi.mock('../layout/staff', () => ({ loadStaff: () => Promise.resolve(null) }))

const W = '0b7e3a4c-2222-4b4b-8c8c-000000000001'
const tags = [
  { code: 'warm', zh: '态度热情', en: 'Friendly', polarity: 'good' },
  { code: 'long_wait', zh: '等候时间长', en: 'Long wait', polarity: 'bad' },
]
const base = {
  window: { id: W, number: 1, label: '机动车登记', officeName: '市车辆管理所' },
  staff: { id: 's1', name: '李窗口' },
  tags,
  idleSeconds: 3,
  serverTime: '2026-03-10T02:00:00.000Z',
}
const idle = { ...base, ticket: null }
const ticket = (id: string, number: string) => ({
  ...base,
  ticket: { id, number, serviceName: '机动车注册登记', staffName: '李窗口', completedAt: '2026-03-10T02:00:00.000Z' },
})

async function setup(handler: Parameters<typeof mockApi>[0]) {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/evaluator/:windowId', component: EvaluatorPage, props: true }] })
  await router.push(`/evaluator/${W}`)
  await router.isReady()
  const api = mockApi(handler)
  const w = mount(EvaluatorPage, { props: { windowId: W }, global: { plugins: [router, testI18n('zh-CN', ratingsConsoleI18n)] }, attachTo: document.body })
  await flushPromises()
  return { w, api }
}

describe('the window evaluator tablet', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  it('asks for a binding when it has no token, and never calls the API', async () => {
    const { w, api } = await setup(() => answer(idle))
    expect(w.find('[data-test="unbound"]').text()).toContain('尚未绑定')
    expect(api.calls('GET', '/api/evaluator/windows/{windowId}')).toHaveLength(0)
  })

  it('shows the window and the staff member while idle, with the token in the header', async () => {
    localStorage.setItem(`tp.evaluator.${W}`, 'tok_1234567890')
    const { w, api } = await setup(() => answer(idle))
    expect(w.find('[data-test="idle"]').exists()).toBe(true)
    expect(w.find('[data-test="staff-name"]').text()).toBe('李窗口')
    expect(w.text()).toContain('1号窗口')
    expect(api.calls('GET', '/api/evaluator/windows/{windowId}')[0]?.init.params.header).toEqual({ 'x-evaluator-token': 'tok_1234567890' })
  })

  it('rates with five large buttons and a tag, thanks the citizen, and goes back to idle for the next one', async () => {
    localStorage.setItem(`tp.evaluator.${W}`, 'tok_1234567890')
    let current: unknown = ticket('t1', 'A012')
    let posted: any = null
    const { w } = await setup((method, _p, init) => {
      if (method === 'POST') {
        posted = init.body
        current = idle
        return answer({ ok: true, bad: false }, 201)
      }
      return answer(current)
    })
    expect(w.find('[data-test="ticket"]').text()).toContain('A012')
    const buttons = w.findAll('[role="radio"]')
    expect(buttons.map((b) => b.text())).toEqual(['非常满意', '满意', '基本满意', '不满意', '非常不满意'])
    vi.useFakeTimers()
    await buttons[0]?.trigger('click')
    await w.find('[data-tag="warm"]').trigger('click')
    expect(w.find('[data-tag="long_wait"]').exists()).toBe(false)
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(posted).toEqual({ ticketId: 't1', level: 'very_satisfied', tags: ['warm'] })
    expect(w.find('[data-test="thanks"]').text()).toContain('感谢您的评价')
    // Back to idle after the configured seconds, then the next citizen's service appears.
    current = ticket('t2', 'A013')
    await vi.advanceTimersByTimeAsync(3100)
    await flushPromises()
    expect(w.find('[data-test="thanks"]').exists()).toBe(false)
    expect(w.find('[data-test="ticket"]').text()).toContain('A013')
    expect(w.findAll('[aria-checked="true"]')).toHaveLength(0)
  })

  it('asks for a valid phone after a bad rating before sending it', async () => {
    localStorage.setItem(`tp.evaluator.${W}`, 'tok_1234567890')
    let posted: any = null
    const { w } = await setup((method, _p, init) => {
      if (method === 'POST') {
        posted = init.body
        return answer({ ok: true, bad: true }, 201)
      }
      return answer(ticket('t1', 'A012'))
    })
    await w.find('[data-level="dissatisfied"]').trigger('click')
    await w.find('input[name="phone"]').setValue('12345')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(posted).toBeNull()
    expect(w.text()).toContain('手机号格式不正确')
    await w.find('input[name="phone"]').setValue('139 1234 5678')
    await w.find('[data-tag="long_wait"]').trigger('click')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(posted).toEqual({ ticketId: 't1', level: 'dissatisfied', tags: ['long_wait'], contactPhone: '13912345678' })
    expect(w.find('[data-test="thanks"]').text()).toContain('回访整改')
  })

  it('says when the token was revoked', async () => {
    localStorage.setItem(`tp.evaluator.${W}`, 'tok_1234567890')
    const { w } = await setup(() => failure(401, 'evaluator_unbound'))
    expect(w.find('[data-test="unbound"]').exists()).toBe(true)
  })
})
