import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { testI18n } from '@/i18n/testing'
import { useSessionStore } from '../stores/session'
import LoginPage from './LoginPage.vue'

async function setup(query = '') {
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: { template: '<div>home</div>' } },
      { path: '/login', name: 'login', component: LoginPage },
      { path: '/cases', component: { template: '<div>cases</div>' } },
    ],
  })
  await router.push(`/login${query}`)
  await router.isReady()
  const session = useSessionStore()
  const requestCode = vi.spyOn(session, 'requestCode').mockResolvedValue({ sent: true, retryAfterSeconds: 60, expiresInSeconds: 300, devCode: '246810' })
  const signIn = vi
    .spyOn(session, 'signInWithCode')
    .mockResolvedValue({ kind: 'citizen', id: 'c1', phoneMasked: '138****8000', name: null, csrfToken: 'x' } as never)
  const w = mount(LoginPage, { global: { plugins: [pinia, router, testI18n('zh-CN')] }, attachTo: document.body })
  return { w, router, requestCode, signIn }
}

describe('citizen sign-in form', () => {
  beforeEach(() => vi.useFakeTimers({ shouldAdvanceTime: true }))
  afterEach(() => {
    vi.useRealTimers()
    document.body.innerHTML = ''
  })

  it('explains empty fields in plain Chinese and does not submit', async () => {
    const { w, signIn } = await setup()
    await w.find('form').trigger('submit')
    expect(w.text()).toContain('请输入手机号')
    expect(w.text()).toContain('请输入验证码')
    expect(signIn).not.toHaveBeenCalled()
  })

  it('rejects a malformed phone number before asking for a code', async () => {
    const { w, requestCode } = await setup()
    await w.find('input[name="phone"]').setValue('1380013')
    await w.find('[data-test="send-code"]').trigger('click')
    expect(w.text()).toContain('手机号格式不正确')
    expect(requestCode).not.toHaveBeenCalled()
  })

  it('rejects a code that is not six digits', async () => {
    const { w, signIn } = await setup()
    await w.find('input[name="phone"]').setValue('13800138000')
    await w.find('input[name="code"]').setValue('123')
    await w.find('form').trigger('submit')
    expect(w.text()).toContain('验证码是 6 位数字')
    expect(signIn).not.toHaveBeenCalled()
  })

  it('sends the code, shows the development code and counts down 60 s', async () => {
    const { w, requestCode } = await setup()
    await w.find('input[name="phone"]').setValue('138 0013 8000')
    await w.find('[data-test="send-code"]').trigger('click')
    await flushPromises()
    expect(requestCode).toHaveBeenCalledWith('13800138000')
    expect(w.find('[data-test="dev-code"]').text()).toContain('246810')
    expect(w.find('[data-test="send-code"]').text()).toContain('60 秒后重发')
    vi.advanceTimersByTime(5000)
    await flushPromises()
    expect(w.find('[data-test="send-code"]').text()).toContain('55 秒后重发')
  })

  it('signs in and returns to the page that needed it', async () => {
    const { w, router, signIn } = await setup('?redirect=/cases')
    await w.find('input[name="phone"]').setValue('13800138000')
    await w.find('input[name="code"]').setValue('246810')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(signIn).toHaveBeenCalledWith('13800138000', '246810')
    expect(router.currentRoute.value.fullPath).toBe('/cases')
  })

  it('never follows a redirect to another site', async () => {
    const { w, router } = await setup('?redirect=//evil.example/x')
    await w.find('input[name="phone"]').setValue('13800138000')
    await w.find('input[name="code"]').setValue('246810')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/')
  })
})
