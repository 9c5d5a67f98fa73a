import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setMe } from '@/api/session'
import { answer, configFixture, consoleMessages, failure, mockApi, staffAppeal, useConfig } from '@/components/appeals/test-helpers'
import { testI18n } from '@/i18n/testing'
import ActionPanel from './ActionPanel.vue'

const reviewers = [
  { id: 'me', name: '刘法制', role: 'legal_officer', unitId: 'u0', open: 3 },
  { id: 'other', name: '赵审核', role: 'legal_officer', unitId: 'u0', open: 1 },
]

function signIn(id: string, role: 'legal_officer' | 'unit_head') {
  setMe({ kind: 'staff', id, username: id, name: id, role, unit: { id: 'u0', parentId: null, name: '支队', kind: 'detachment' }, csrfToken: 'x' } as never)
}

/** Element Plus puts data-* attributes on the native input itself, Vant on the wrapper: find either. */
function field(w: ReturnType<typeof mountPanel>, test: string) {
  const el = w.find(`[data-test="${test}"]`)
  return ['INPUT', 'TEXTAREA'].includes(el.element.tagName) ? el : w.find(`[data-test="${test}"] textarea, [data-test="${test}"] input`)
}

const mounted: { unmount(): void }[] = []
function mountPanel(appeal: Record<string, unknown>) {
  const w = mount(ActionPanel, {
    props: { appeal: appeal as never, reviewers: reviewers as never },
    global: { plugins: [testI18n('zh-CN', consoleMessages)] },
    attachTo: document.body,
  })
  mounted.push(w)
  return w
}

async function confirmBox() {
  await flushPromises()
  for (let i = 0; i < 50 && !document.querySelector('.el-message-box'); i++) await new Promise((r) => setTimeout(r, 10))
  document.querySelector<HTMLButtonElement>('.el-message-box__btns .el-button--primary')?.click()
  await flushPromises()
}

describe('the review actions', { timeout: 30_000 }, () => {
  beforeEach(() => {
    signIn('me', 'legal_officer')
    useConfig()
  })
  afterEach(() => {
    for (const w of mounted.splice(0)) w.unmount()
    vi.restoreAllMocks()
  })

  it('shows exactly the actions the case allows', () => {
    const w = mountPanel(staffAppeal())
    expect(w.find('[data-test="act-decide"]').exists()).toBe(true)
    expect(w.find('[data-test="act-material"]').exists()).toBe(true)
    expect(w.find('[data-test="act-accept"]').exists()).toBe(false)
    expect(w.find('[data-test="approve"]').exists()).toBe(false)
    const only = mountPanel(staffAppeal({ state: 'submitted', actions: ['accept', 'refuse'] }))
    expect(only.find('[data-test="act-accept"]').exists()).toBe(true)
    expect(only.find('[data-test="act-refuse"]').exists()).toBe(true)
    expect(only.find('[data-test="act-decide"]').exists()).toBe(false)
  })

  it('fills the reply from a template and sends a revocation with its basis and version', async () => {
    const mock = mockApi((method, path) => {
      if (method === 'POST' && path === '/api/console/appeals/{id}/decision') return answer(staffAppeal({ state: 'pending_approval', actions: [] }))
      throw new Error(`unexpected ${method} ${path}`)
    })
    const w = mountPanel(staffAppeal())
    await field(w, 'findings').setValue('抓拍号牌识别有误')
    await field(w, 'outcome-revoked').setValue(true)
    await flushPromises()
    expect(w.text()).toContain('须经审查人以外的负责人批准')
    const reply = (field(w, 'reply').element as HTMLTextAreaElement).value
    expect(reply).toContain('抓拍号牌识别有误')
    expect(reply).toContain('5101041000012345')
    // No basis yet: the decision cannot be sent.
    expect(w.find('[data-test="decision-submit"]').attributes('disabled')).toBeDefined()
    // Choose a legal basis in the multi-select (its model event, as a click on an option would emit).
    const basis = w.findAllComponents({ name: 'ElSelect' }).find((c) => c.props('multiple'))!
    basis.vm.$emit('update:modelValue', ['apl_40'])
    await flushPromises()
    expect(w.find('[data-test="decision-submit"]').attributes('disabled')).toBeUndefined()
    await w.find('[data-test="decision-submit"]').trigger('click')
    await confirmBox()
    const call = mock.calls('POST', '/api/console/appeals/{id}/decision')[0]!
    expect(call.init.body).toMatchObject({ version: 4, outcome: 'revoked', legalBasis: ['apl_40'], findings: '抓拍号牌识别有误' })
    expect(w.emitted('updated')).toHaveLength(1)
  })

  it('offers the configured legal bases, refusal reasons and templates, without retired ones', async () => {
    useConfig(
      configFixture({
        legalBases: [
          { key: 'local_rule_7', label: { 'zh-CN': '本市道路交通管理规定第七条', en: 'City rules, art. 7' }, retired: false, position: 7 },
          { key: 'old_basis', label: { 'zh-CN': '已废止的依据', en: 'Repealed' }, retired: true, position: 8 },
        ],
        refuseReasons: [{ key: 'duplicate', label: { 'zh-CN': '重复申诉', en: 'Duplicate' }, retired: false, position: 3 }],
        templates: [
          {
            key: 'upheld_short',
            outcome: 'upheld',
            label: { 'zh-CN': '维持：简式', en: 'Upheld: short' },
            text: '维持原处罚决定（编号 {decisionNo}）。',
            retired: false,
            position: 4,
          },
        ],
      }),
    )
    const w = mountPanel(staffAppeal())
    const selects = w.findAllComponents({ name: 'ElSelect' })
    const basis = selects.find((c) => c.props('multiple'))!
    const keys = (basis.findAllComponents({ name: 'ElOption' }) as { props(k: string): unknown }[]).map((o) => o.props('value'))
    expect(keys).toContain('local_rule_7')
    expect(keys).not.toContain('old_basis')
    await field(w, 'findings').setValue('事实清楚，证据确凿')
    await field(w, 'outcome-upheld').setValue(true)
    await flushPromises()
    const templateKeys = w.findAllComponents({ name: 'ElOption' }).map((o) => o.props('value'))
    expect(templateKeys).toContain('upheld_short')
    const refusing = mountPanel(staffAppeal({ state: 'submitted', actions: ['accept', 'refuse'] }))
    expect(refusing.findAllComponents({ name: 'ElOption' }).map((o) => o.props('value'))).toContain('duplicate')
  })

  it('does not offer the reviewer their own approval', () => {
    signIn('head1', 'unit_head')
    const w = mountPanel(
      staffAppeal({
        state: 'pending_approval',
        actions: [],
        proposedBy: { id: 'head1', name: '王队长' },
        decision: {
          outcome: 'revoked',
          effective: false,
          findings: '理由成立',
          legalBasis: ['apl_40'],
          replyText: '撤销',
          correctedFineYuan: null,
          correctedPoints: null,
          decidedAt: null,
        },
      }),
    )
    expect(w.find('[data-test="own-proposal"]').exists()).toBe(true)
    expect(w.find('[data-test="approve"]').exists()).toBe(false)
  })

  it('lets another unit head approve', async () => {
    signIn('head2', 'unit_head')
    const mock = mockApi(() => answer(staffAppeal({ state: 'decided', actions: [] })))
    const w = mountPanel(
      staffAppeal({
        state: 'pending_approval',
        actions: ['approve', 'return'],
        proposedBy: { id: 'me', name: '刘法制' },
        decision: {
          outcome: 'revoked',
          effective: false,
          findings: '理由成立',
          legalBasis: ['apl_40'],
          replyText: '撤销',
          correctedFineYuan: null,
          correctedPoints: null,
          decidedAt: null,
        },
      }),
    )
    expect(w.find('[data-test="proposal"]').text()).toContain('撤销原处罚决定')
    await w.find('[data-test="approve"]').trigger('click')
    await flushPromises()
    expect(mock.calls('POST', '/api/console/appeals/{id}/approval')[0]!.init.body).toEqual({ version: 4, approve: true })
  })

  it('asks the page to reload when someone else acted first (409)', async () => {
    mockApi(() => failure(409, 'version_conflict', { current: { state: 'decided', version: 5 } }))
    const w = mountPanel(staffAppeal())
    await field(w, 'material-items').setValue('请补充车辆停放位置证明')
    await w.find('[data-test="material-submit"]').trigger('click')
    await flushPromises()
    expect(w.emitted('reload')).toHaveLength(1)
    expect(document.body.textContent).toContain('案件刚被他人更新')
  })
})
