import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { answer, citizenAppeal, citizenMessages, decidedAppeal, failure, mockApi, SilentEventSource } from '@/components/appeals/test-helpers'
import { testI18n } from '@/i18n/testing'
import AppealDetail from './AppealDetail.vue'

const mounted: { unmount(): void }[] = []

async function setup(appeal: Record<string, unknown>, onPost?: (path: string, init: any) => unknown) {
  const mock = mockApi((method, path, init) => {
    if (method === 'GET' && path === '/api/appeals/{id}') return answer(appeal)
    if (method === 'POST' && onPost) return onPost(path, init)
    throw new Error(`unexpected ${method} ${path}`)
  })
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/appeals/:id', component: AppealDetail },
      { path: '/appeals/:id/letter', component: { template: '<p>letter</p>' } },
    ],
  })
  await router.push('/appeals/a1')
  await router.isReady()
  const w = mount(AppealDetail, { global: { plugins: [testI18n('zh-CN', citizenMessages), router] }, attachTo: document.body })
  mounted.push(w)
  await flushPromises()
  return { w, mock, router }
}

describe('the appeal tracker', () => {
  beforeEach(() => vi.stubGlobal('EventSource', SilentEventSource))
  afterEach(() => {
    for (const w of mounted.splice(0)) w.unmount()
    document.body.innerHTML = ''
    vi.restoreAllMocks()
  })

  it('shows the case number, the stage, the reply-due date and that the clock is paused', async () => {
    const { w } = await setup(citizenAppeal())
    expect(w.find('[data-test="case-number"]').text()).toBe('SS20260302000123')
    expect(w.find('[data-test="state"]').text()).toBe('待补充材料')
    expect(w.find('[data-test="due-date"]').text()).toBe('2026年3月19日')
    expect(w.find('[data-test="paused"]').text()).toContain('计时已暂停（已暂停 2 天）')
    // Paused: no "days left" count running.
    expect(w.find('[data-test="days-left"]').exists()).toBe(false)
    expect(w.text()).toContain('法制室将在 2026年3月19日 前答复您')
  })

  it('shows the days left while the clock runs', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-03-16T02:00:00Z'))
    const running = citizenAppeal({
      state: 'in_review',
      due: { ...citizenAppeal().due, status: 'soon', paused: false, daysLeft: 3 },
      materialRequests: [],
      actions: ['withdraw'],
    })
    const { w } = await setup(running)
    expect(w.find('[data-test="days-left"]').text()).toBe('剩余 3 天')
    expect(w.find('[data-test="material-request"]').exists()).toBe(false)
    vi.useRealTimers()
  })

  it('answers a request for material in the app, with files', async () => {
    const { w, mock } = await setup(citizenAppeal(), () =>
      answer(
        citizenAppeal({
          state: 'in_review',
          actions: ['withdraw'],
          materialRequests: [{ ...citizenAppeal().materialRequests[0], answeredAt: '2026-03-06T03:00:00.000Z', answerNote: '已上传' }],
          due: { ...citizenAppeal().due, paused: false, status: 'ok' },
        }),
      ),
    )
    expect(w.find('[data-test="material-request"]').text()).toContain('请补充行驶证照片')
    await w.find('[data-test="supply-note"] textarea').setValue('已上传行驶证照片')
    const input = w.find('[data-test="supply-files"] input[type="file"]')
    const photo = new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], 'licence.jpg', { type: 'image/jpeg' })
    Object.defineProperty(input.element, 'files', { value: [photo], configurable: true })
    await input.trigger('change')
    // The uploader reads the file (FileReader) before it lists it.
    for (let i = 0; i < 50 && !w.find('.van-uploader__preview').exists(); i++) await new Promise((r) => setTimeout(r, 10))
    expect(w.find('.van-uploader__preview').exists()).toBe(true)
    await w.find('[data-test="supply-submit"]').trigger('click')
    await flushPromises()
    const call = mock.calls('POST', '/api/appeals/{id}/material')[0]!
    const form = call.init.body as FormData
    expect(form.get('version')).toBe('4')
    expect(form.get('note')).toBe('已上传行驶证照片')
    expect((form.getAll('files')[0] as File).name).toBe('licence.jpg')
    expect(w.find('[data-test="material-request"]').exists()).toBe(false)
    expect(w.find('[data-test="state"]').text()).toBe('审查中')
  })

  it('reloads when the case changed meanwhile (409)', async () => {
    const { w, mock } = await setup(citizenAppeal(), () => failure(409, 'version_conflict', { current: { state: 'in_review', version: 5 } }))
    const gets = mock.calls('GET', '/api/appeals/{id}').length
    await w.find('[data-test="supply-note"] textarea').setValue('已上传')
    await w.find('[data-test="supply-submit"]').trigger('click')
    await flushPromises()
    expect(mock.calls('GET', '/api/appeals/{id}').length).toBeGreaterThan(gets)
  })

  it('shows the decision and the way to the reply letter; no actions once decided', async () => {
    const { w } = await setup(decidedAppeal())
    expect(w.find('[data-test="outcome"]').text()).toBe('撤销原处罚决定')
    expect(w.find('[data-test="decision"]').text()).toContain('原处罚决定予以撤销')
    expect(w.find('[data-test="open-letter"]').exists()).toBe(true)
    expect(w.find('[data-test="withdraw"]').exists()).toBe(false)
    expect(w.find('[data-test="due"]').exists()).toBe(false)
    expect(w.text()).toContain('已撤销')
  })

  it('lists every step with the role that acted, never a name', async () => {
    const { w } = await setup(citizenAppeal())
    const text = w.find('.tp-timeline').text()
    expect(text).toContain('要求补充材料')
    expect(text).toContain('法制员')
    expect(text).toContain('群众')
  })
})
