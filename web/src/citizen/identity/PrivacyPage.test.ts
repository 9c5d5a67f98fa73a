import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { me, setMe } from '@/api/session'
import { testI18n } from '@/i18n/testing'
import PrivacyPage from './PrivacyPage.vue'
import { answer, identityMessages, mockApi } from './test-helpers'

const confirm = vi.hoisted(() => vi.fn())
vi.mock('vant/es/dialog', async (original) => ({ ...(await original<typeof import('vant/es/dialog')>()), showConfirmDialog: confirm }))

async function setup() {
  setActivePinia(createPinia())
  setMe({ kind: 'citizen', id: 'c1', phoneMasked: '138****8000', name: '张三', csrfToken: 'tok' })
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: { template: '<div>home</div>' } },
      { path: '/me/privacy', component: PrivacyPage },
    ],
  })
  await router.push('/me/privacy')
  await router.isReady()
  const api = mockApi((method, path) => {
    if (method === 'DELETE' && path === '/api/me') return answer({ ok: true })
    if (method === 'GET' && path === '/api/me/export') return answer({ format: 'traffic-portal-personal-data/1', account: { phone: '13800138000' } })
    throw new Error(`unexpected ${method} ${path}`)
  })
  const w = mount(PrivacyPage, { global: { plugins: [router, testI18n('zh-CN', identityMessages)] }, attachTo: document.body })
  return { w, api, router }
}

describe('privacy and account', () => {
  afterEach(() => {
    document.body.innerHTML = ''
    confirm.mockReset()
  })

  it('explains what deletion removes and what it keeps', async () => {
    const { w, api } = await setup()
    expect(w.text()).toContain('已提交的案件按规定保留')
    expect(w.text()).toContain('此操作不可撤销')
    api.restore()
  })

  it('does not delete the account without confirming in the dialog', async () => {
    const { w, api } = await setup()
    confirm.mockRejectedValueOnce(new Error('cancel'))
    await w.find('[data-test="delete"]').trigger('click')
    await flushPromises()
    expect(confirm).toHaveBeenCalledWith(expect.objectContaining({ title: '确认注销账号？', confirmButtonText: '确认注销' }))
    expect(api.calls('DELETE', '/api/me')).toHaveLength(0)
    expect(me.value).not.toBeNull()
    api.restore()
  })

  it('deletes the account after confirming, signs out and goes home', async () => {
    const { w, api, router } = await setup()
    confirm.mockResolvedValueOnce('confirm')
    await w.find('[data-test="delete"]').trigger('click')
    await flushPromises()
    const [call] = api.calls('DELETE', '/api/me')
    expect((call?.init as { body?: unknown } | undefined)?.body).toEqual({ confirm: 'DELETE' })
    expect(me.value).toBeNull()
    expect(router.currentRoute.value.path).toBe('/')
    api.restore()
  })

  it('downloads my data as a JSON file', async () => {
    const { w, api } = await setup()
    const created: string[] = []
    URL.createObjectURL = vi.fn(() => {
      created.push('blob')
      return 'blob:x'
    })
    URL.revokeObjectURL = vi.fn()
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    await w.find('[data-test="export"]').trigger('click')
    await flushPromises()
    expect(api.calls('GET', '/api/me/export')).toHaveLength(1)
    expect(created).toHaveLength(1)
    expect(click).toHaveBeenCalled()
    click.mockRestore()
    api.restore()
  })
})
