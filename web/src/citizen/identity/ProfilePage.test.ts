import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { testI18n } from '@/i18n/testing'
import ProfilePage from './ProfilePage.vue'
import { answer, identityMessages, mockApi } from './test-helpers'

const profile = {
  id: 'c1',
  phoneMasked: '138****8000',
  name: '张三',
  idNumberMasked: '1101**********002X',
  preferences: { notifyInApp: true, notifySms: true, locale: 'zh-CN' },
  wechatBound: false,
  vehicles: [],
  createdAt: '2026-01-01T00:00:00Z',
}

async function setup() {
  setActivePinia(createPinia())
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/me/profile', component: ProfilePage }] })
  await router.push('/me/profile')
  await router.isReady()
  const api = mockApi((method, path, init) => {
    if (method === 'GET' && path === '/api/me/profile') return answer(profile)
    if (method === 'GET' && path === '/api/auth/providers') return answer({ wechat: false })
    if (method === 'GET' && path === '/api/me') return answer({ kind: 'citizen', id: 'c1', phoneMasked: '138****8000', name: '李四', csrfToken: 't' })
    if (method === 'PATCH' && path === '/api/me/profile') {
      const body = (init as { body: { name?: string } }).body
      return answer({ ...profile, name: body.name ?? profile.name, idNumberMasked: '5101**********0032' })
    }
    throw new Error(`unexpected ${method} ${path}`)
  })
  const w = mount(ProfilePage, { global: { plugins: [router, testI18n('zh-CN', identityMessages)] }, attachTo: document.body })
  await flushPromises()
  return { w, api }
}

describe('my profile', () => {
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('shows the masked phone and ID number, never the full one', async () => {
    const { w, api } = await setup()
    expect(w.find('[data-test="phone"]').text()).toContain('138****8000')
    expect(w.text()).toContain('已填写 1101**********002X')
    expect((w.find('input[name="name"]').element as HTMLInputElement).value).toBe('张三')
    expect((w.find('input[name="idNumber"]').element as HTMLInputElement).value).toBe('')
    api.restore()
  })

  it('refuses an ID number with a wrong checksum without calling the server', async () => {
    const { w, api } = await setup()
    await w.find('input[name="idNumber"]').setValue('110105194912310021')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(w.text()).toContain('身份证号码不正确')
    expect(api.calls('PATCH', '/api/me/profile')).toHaveLength(0)
    api.restore()
  })

  it('saves name, a new ID number and notification choices', async () => {
    const { w, api } = await setup()
    await w.find('input[name="name"]').setValue('李四')
    await w.find('input[name="idNumber"]').setValue('510104198506120032')
    await w.find('[data-test="notify-sms"]').trigger('click')
    await w.find('form').trigger('submit')
    await flushPromises()
    const [call] = api.calls('PATCH', '/api/me/profile')
    expect((call?.init as { body?: unknown } | undefined)?.body).toEqual({
      name: '李四',
      idNumber: '510104198506120032',
      preferences: { notifyInApp: true, notifySms: false, locale: 'zh-CN' },
    })
    expect(w.text()).toContain('已填写 5101**********0032')
    api.restore()
  })
})
