import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { setMe } from '@/api/session'
import { testI18n } from '@/i18n/testing'
import FollowUpDetailPage from './FollowUpDetailPage.vue'
import { answer, failure, mockApi, ratingsConsoleI18n } from './test-helpers'

vi.mock('@/composables/useEvents', () => ({ useEvents: () => ({ connected: { value: true } }) }))

const ID = '5f1c0d2e-3333-4c4c-9d9d-000000000001'
const unit = { id: 'u1', parentId: null, name: '市公安局交通警察支队', kind: 'detachment' as const }
const detail = {
  id: ID,
  number: 'HF20260310000001',
  state: 'verified',
  stateType: 'open',
  level: 'dissatisfied',
  tags: ['long_wait'],
  comment: '等了很久',
  channel: 'evaluator',
  officeName: '市车辆管理所',
  windowNumber: 1,
  staffName: '李窗口',
  serviceName: '机动车注册登记',
  ticketNumber: 'A012',
  ratedAt: '2026-03-10T02:00:00.000Z',
  openedAt: '2026-03-10T02:00:00.000Z',
  dueAt: '2099-03-31T15:59:59.999Z',
  closedAt: null,
  overdue: false,
  contactMasked: '139****5678',
  version: 1,
  ticketId: 't1',
  ratedStaffId: 's-clerk',
  completedAt: '2026-03-10T01:58:00.000Z',
  waitMinutes: 25,
  verification: '情况属实',
  rectification: null,
  outcome: null,
  callBacks: [],
  contest: null,
  hasContact: true,
  timeline: [],
  actions: ['call_back'],
}

async function setup(role: 'unit_head' | 'window_staff', handler: Parameters<typeof mockApi>[0]) {
  setMe({ kind: 'staff', id: 'me', username: role, name: '王队长', role, unit, onDuty: false, mustChangePassword: false, csrfToken: 't' } as never)
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/ratings/followups/:id', component: FollowUpDetailPage }] })
  await router.push(`/ratings/followups/${ID}`)
  await router.isReady()
  const api = mockApi(handler)
  const w = mount(FollowUpDetailPage, { global: { plugins: [router, testI18n('zh-CN', ratingsConsoleI18n)] }, attachTo: document.body })
  await flushPromises()
  return { w, api }
}

describe('a follow-up case', { timeout: 30_000 }, () => {
  beforeEach(() => {
    document.body.innerHTML = ''
  })
  afterEach(() => vi.restoreAllMocks())

  it('offers only the actions the case allows: a verified case is called back next', async () => {
    const { w } = await setup('unit_head', (_m, path) =>
      path === '/api/console/ratings/config'
        ? answer({ tags: [{ code: 'long_wait', zh: '等候时间长', en: 'Long wait', polarity: 'bad', active: true }] })
        : answer(detail),
    )
    expect(w.find('[data-test="tags"]').text()).toBe('等候时间长')
    expect(w.find('[data-test="number"]').text()).toBe('HF20260310000001')
    expect(w.find('[data-test="state"]').text()).toBe('已核实')
    expect(w.find('[data-test="form-call-back"]').exists()).toBe(true)
    for (const f of ['verify', 'rectify', 'close', 'decide', 'contest']) expect(w.find(`[data-test="form-${f}"]`).exists()).toBe(false)
    expect(w.find('[data-test="contact"]').text()).toBe('139****5678')
    expect(w.find('[data-test="show-contact"]').exists()).toBe(true)
  })

  it('records a call-back with the version it saw, and shows the new state', async () => {
    let body: any = null
    const { w } = await setup('unit_head', (method, _path, init) => {
      if (method === 'POST') {
        body = init.body
        return answer({
          ...detail,
          state: 'called_back',
          version: 2,
          actions: ['call_back', 'rectify'],
          callBacks: [
            { id: 'c1', calledAt: '2026-03-11T02:00:00.000Z', method: 'phone', reached: true, feedback: 'basic', note: '已致歉', recordedBy: '王队长' },
          ],
        })
      }
      return answer(detail)
    })
    await w.find('[data-test="do-call-back"]').trigger('submit')
    await w.find('[data-test="form-call-back"]').trigger('submit')
    await flushPromises()
    expect(body).toBeNull()
    expect(w.text()).toContain('请填写此项')
    await w.find('textarea[name="callNote"]').setValue('已致歉')
    await w.find('[data-test="form-call-back"]').trigger('submit')
    await flushPromises()
    expect(body).toEqual({ version: 1, method: 'phone', reached: true, note: '已致歉' })
    expect(w.find('[data-test="state"]').text()).toBe('已回访')
    expect(w.find('[data-test="callbacks"]').text()).toContain('已致歉')
    expect(w.find('[data-test="form-rectify"]').exists()).toBe(true)
  })

  it('reloads when someone else changed the case meanwhile', async () => {
    let gets = 0
    const { w } = await setup('unit_head', (method, path) => {
      if (method === 'POST') return failure(409, 'version_conflict')
      if (path === '/api/console/ratings/config') return answer({ tags: [] })
      gets++
      return answer(gets > 1 ? { ...detail, state: 'called_back', version: 2, actions: ['call_back', 'rectify'] } : detail)
    })
    await w.find('textarea[name="callNote"]').setValue('第二次回访')
    await w.find('[data-test="form-call-back"]').trigger('submit')
    await flushPromises()
    expect(gets).toBe(2)
    expect(w.find('[data-test="state"]').text()).toBe('已回访')
  })

  it('lets the rated clerk contest with a reason and evidence files', async () => {
    let sent: FormData | null = null
    const { w } = await setup('window_staff', (method, _path, init) => {
      if (method === 'POST') {
        sent = init.bodySerializer(init.body)
        return answer({ ...detail, state: 'contested', actions: [] })
      }
      return answer({ ...detail, state: 'opened', actions: ['contest'], hasContact: false })
    })
    expect(w.find('[data-test="show-contact"]').exists()).toBe(false)
    await w.find('textarea[name="reason"]').setValue('当事人情绪激动，录像显示全程文明用语。')
    await w.find('[data-test="form-contest"]').trigger('submit')
    await flushPromises()
    expect(sent).toBeNull()
    expect(w.text()).toContain('请上传证据')
    const input = w.find('input[type="file"]')
    Object.defineProperty(input.element, 'files', { value: [new File(['x'], 'still.png', { type: 'image/png' })] })
    await input.trigger('change')
    await w.find('[data-test="form-contest"]').trigger('submit')
    await flushPromises()
    expect(sent).toBeInstanceOf(FormData)
    const fd = sent as unknown as FormData
    expect(fd.get('version')).toBe('1')
    expect(fd.get('reason')).toBe('当事人情绪激动，录像显示全程文明用语。')
    expect((fd.get('evidence') as File).name).toBe('still.png')
    expect(w.find('[data-test="state"]').text()).toBe('申辩待裁定')
  })
})
