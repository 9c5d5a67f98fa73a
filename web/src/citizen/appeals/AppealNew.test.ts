import { APPEAL_TYPES, GROUNDS, LEGAL_BASES, REFUSE_REASONS, REMEDIES, REPLY_TEMPLATES } from '@tp/shared/appeals/config'
import { flushPromises, mount } from '@vue/test-utils'
import { closeDialog } from 'vant/es/dialog'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { answer, citizenAppeal, citizenMessages, failure, mockApi } from '@/components/appeals/test-helpers'
import { testI18n } from '@/i18n/testing'
import AppealNew from './AppealNew.vue'

const configured = <T extends object>(list: readonly T[]) => list.map((o, position) => ({ ...o, retired: false, position }))
const config = {
  types: [
    ...APPEAL_TYPES.map((x) => ({ ...x, retired: false })),
    // Added by an admin, and one retired: only the active one is offered.
    {
      ...APPEAL_TYPES[1]!,
      key: 'plate_review',
      label: { 'zh-CN': '号牌识别复核', en: 'Plate reading review' },
      appliesTo: ['camera'],
      clock: { ...APPEAL_TYPES[1]!.clock, days: 10, unit: 'working', rollToWorkingDay: false },
      retired: false,
    },
    { ...APPEAL_TYPES[1]!, key: 'old_type', label: { 'zh-CN': '旧类型', en: 'Old type' }, retired: true },
  ],
  grounds: [
    ...configured(GROUNDS),
    { key: 'towed_before', label: { 'zh-CN': '车辆此前已被拖移', en: 'Vehicle had been towed' }, retired: false, position: 6 },
    { key: 'retired_ground', label: { 'zh-CN': '已停用的理由', en: 'Retired ground' }, retired: true, position: 7 },
  ],
  refuseReasons: configured(REFUSE_REASONS),
  legalBases: configured(LEGAL_BASES),
  templates: configured(REPLY_TEMPLATES),
  remedies: REMEDIES,
  limits: { maxFiles: 9, maxTotalBytes: 20 * 1024 * 1024, statementMin: 10, statementMax: 2000 },
}
const ticket = { ...citizenAppeal().ticket, openAppeal: null }

const mounted: { unmount(): void }[] = []
async function setup(onPost: (init: any) => unknown) {
  const mock = mockApi((method, path, init) => {
    if (method === 'GET' && path === '/api/tickets/lookup') return answer(ticket)
    if (method === 'GET' && path === '/api/appeals/config') return answer(config)
    if (method === 'POST' && path === '/api/appeals') return onPost(init)
    throw new Error(`unexpected ${method} ${path}`)
  })
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/appeals/new', component: AppealNew },
      { path: '/appeals/:id', component: { template: '<p>detail</p>' } },
    ],
  })
  await router.push(`/appeals/new?ticket=${ticket.decisionNo}&plate=${encodeURIComponent(ticket.plate)}`)
  await router.isReady()
  const w = mount(AppealNew, { global: { plugins: [testI18n('zh-CN', citizenMessages), router] }, attachTo: document.body })
  mounted.push(w)
  await flushPromises()
  return { w, mock, router }
}

async function confirmDialog() {
  await flushPromises()
  const btn = document.querySelector<HTMLButtonElement>('.van-dialog__confirm')
  btn?.click()
  await flushPromises()
}

async function fill(w: Awaited<ReturnType<typeof setup>>['w']) {
  await w.find('[data-test="grounds-camera_misread"]').trigger('click')
  await w.find('[data-test="statement"] textarea').setValue('抓拍照片中的车辆不是我的车，号牌尾号识别错误，请核实。')
  await w.find('[data-test="contact-phone"] input').setValue('13800138000')
}

describe('the appeal form', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => {
    for (const w of mounted.splice(0)) w.unmount()
    // Vant keeps one dialog instance in the body: close it rather than wiping the body.
    closeDialog()
    vi.restoreAllMocks()
  })

  it('offers the ticket’s appeal types with their clock rule and citation', async () => {
    const { w } = await setup(() => answer(citizenAppeal(), 201))
    expect(w.find('[data-test="type-camera_objection"]').text()).toContain('自提出之日起 5 个工作日内答复')
    expect(w.find('[data-test="type-statement"]').text()).toContain('受理后 15 个自然日内答复')
    expect(w.find('[data-test="citation"]').text()).toContain('第五条第三款')
  })

  it('offers the configured types and grounds, without retired ones', async () => {
    const { w } = await setup(() => answer(citizenAppeal(), 201))
    expect(w.find('[data-test="type-plate_review"]').text()).toContain('受理后 10 个工作日内答复')
    expect(w.find('[data-test="type-old_type"]').exists()).toBe(false)
    expect(w.find('[data-test="grounds-towed_before"]').text()).toContain('车辆此前已被拖移')
    expect(w.find('[data-test="grounds-retired_ground"]').exists()).toBe(false)
  })

  it('files with an admin-added ground and type', async () => {
    let sent: FormData | undefined
    const { w } = await setup((init) => {
      sent = init.body
      return answer(citizenAppeal(), 201)
    })
    await fill(w)
    await w.find('[data-test="grounds-towed_before"]').trigger('click')
    await w.find('[data-test="type-plate_review"]').trigger('click')
    await w.find('form').trigger('submit')
    await confirmDialog()
    expect(sent?.get('grounds')).toBe('towed_before')
    expect(sent?.get('type')).toBe('plate_review')
  })

  it('says what is missing, in plain words, before sending anything', async () => {
    const { w, mock } = await setup(() => answer(citizenAppeal(), 201))
    await w.find('[data-test="statement"] textarea').setValue('太短')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(w.text()).toContain('请选择申诉理由')
    expect(w.text()).toContain('情况说明至少 10 个字')
    expect(w.text()).toContain('请输入 11 位手机号码')
    expect(mock.calls('POST', '/api/appeals')).toHaveLength(0)
  })

  it('files the appeal as multipart with an Idempotency-Key and opens the tracker', async () => {
    const { w, mock, router } = await setup(() => answer(citizenAppeal({ id: 'new1' }), 201))
    await fill(w)
    await w.find('form').trigger('submit')
    await confirmDialog()
    const call = mock.calls('POST', '/api/appeals')[0]!
    const form = call.init.body as FormData
    expect(form.get('decisionNo')).toBe(ticket.decisionNo)
    expect(form.get('grounds')).toBe('camera_misread')
    expect(form.get('type')).toBe('camera_objection')
    expect(form.get('contactPhone')).toBe('13800138000')
    expect(call.init.headers['idempotency-key']).toEqual(expect.any(String))
    expect(router.currentRoute.value.path).toBe('/appeals/new1')
  })

  it('links to the first appeal when the ticket already has one (409)', async () => {
    const { w, router } = await setup(() => failure(409, 'appeal_exists', { appeal: { id: 'old1', number: 'SS20260301000001', link: '/appeals/old1' } }))
    await fill(w)
    await w.find('form').trigger('submit')
    await confirmDialog()
    for (let i = 0; i < 50 && !document.body.textContent?.includes('SS20260301000001'); i++) await new Promise((r) => setTimeout(r, 10))
    expect(document.body.textContent).toContain('已有正在办理的申诉（SS20260301000001）')
    await confirmDialog()
    expect(router.currentRoute.value.path).toBe('/appeals/old1')
  })

  it('keeps what was typed as a draft', async () => {
    const first = await setup(() => answer(citizenAppeal(), 201))
    await first.w.find('[data-test="statement"] textarea').setValue('我当时在避让救护车，属于紧急避险。')
    await new Promise((r) => setTimeout(r, 350))
    first.w.unmount()
    const again = await setup(() => answer(citizenAppeal(), 201))
    expect((again.w.find('[data-test="statement"] textarea').element as HTMLTextAreaElement).value).toBe('我当时在避让救护车，属于紧急避险。')
  })
})
