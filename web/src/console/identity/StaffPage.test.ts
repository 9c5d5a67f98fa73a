import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { setMe } from '@/api/session'
import { testI18n } from '@/i18n/testing'
import StaffPage from './StaffPage.vue'
import { answer, identityMessages, mockApi } from './test-helpers'

const unit = { id: 'u1', parentId: null, name: '市公安局交通警察支队', kind: 'detachment' as const }
const member = {
  id: 's1',
  username: 'officer',
  name: '张路警',
  role: 'dispatcher',
  unit,
  active: true,
  onDuty: true,
  mustChangePassword: false,
  lockedUntil: '2026-03-01T01:00:00Z',
  createdAt: '2026-01-01T00:00:00Z',
}

async function setup(role: 'admin' | 'unit_head') {
  setMe({ kind: 'staff', id: 'me', username: role, name: '管理员', role, unit, onDuty: false, mustChangePassword: false, csrfToken: 't' })
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/admin/staff', component: StaffPage }] })
  await router.push('/admin/staff')
  await router.isReady()
  const api = mockApi((method, path, init) => {
    if (method === 'GET' && path === '/api/console/units') return answer({ items: [unit] })
    if (method === 'GET' && path === '/api/console/staff') return answer({ items: [member], total: 1 })
    if (method === 'POST' && path === '/api/console/staff') {
      const body = (init as { body: { username: string; name: string } }).body
      return answer(
        { staff: { ...member, id: 's2', username: body.username, name: body.name, mustChangePassword: true }, temporaryPassword: 'Tmp4pass8Word' },
        201,
      )
    }
    if (method === 'PATCH') return answer(member)
    throw new Error(`unexpected ${method} ${path}`)
  })
  const w = mount(StaffPage, { global: { plugins: [router, testI18n('zh-CN', identityMessages)] }, attachTo: document.body })
  await flushPromises()
  return { w, api }
}

describe('staff administration page', { timeout: 30_000 }, () => {
  beforeEach(() => {
    document.body.innerHTML = ''
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('lists staff with role, unit and a locked marker', async () => {
    const { w, api } = await setup('admin')
    expect(w.text()).toContain('张路警')
    expect(w.text()).toContain('指挥中心')
    expect(w.text()).toContain('已锁定')
    api.restore()
  })

  it('creates a staff member and shows the one-time password once', async () => {
    const { w, api } = await setup('admin')
    await w.find('[data-test="create-staff"]').trigger('click')
    await flushPromises()
    const input = (sel: string) => document.body.querySelector(`input${sel}`) as HTMLInputElement
    input('[data-test="form-username"]').value = 'zhou.min'
    input('[data-test="form-username"]').dispatchEvent(new Event('input'))
    input('[data-test="form-name"]').value = '周敏'
    input('[data-test="form-name"]').dispatchEvent(new Event('input'))
    await flushPromises()
    ;(document.body.querySelector('[data-test="form-save"]') as HTMLButtonElement).click()
    await flushPromises()
    await flushPromises()
    const [call] = api.calls('POST', '/api/console/staff')
    expect((call?.init as { body?: unknown } | undefined)?.body).toEqual({
      username: 'zhou.min',
      name: '周敏',
      role: 'dispatcher',
      unitId: 'u1',
      onDuty: false,
    })
    expect(document.body.querySelector('[data-test="temp-password"]')?.textContent).toBe('Tmp4pass8Word')
    api.restore()
  })

  it('gives unit heads no create, reset or deactivate actions', async () => {
    const { w, api } = await setup('unit_head')
    expect(w.find('[data-test="create-staff"]').exists()).toBe(false)
    expect(w.find('[data-test="reset-password"]').exists()).toBe(false)
    api.restore()
  })
})
