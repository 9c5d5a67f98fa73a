import { flushPromises, mount } from '@vue/test-utils'
import { ElInput } from 'element-plus'
import { afterEach, describe, expect, it } from 'vitest'
import { defineComponent, reactive } from 'vue'
import { consoleMessages } from '@/components/appeals/test-helpers'
import { testI18n } from '@/i18n/testing'
import ConfigEntryActions from './ConfigEntryActions.vue'
import ConfigEntryDialog from './ConfigEntryDialog.vue'
import { typeInto } from './test-helpers'

const global = { plugins: [testI18n('zh-CN', consoleMessages)] }

/** The dialog as a page uses it: its reactive dialog state and form, the page's own field in the slot. */
function mountDialog(adding: boolean) {
  const dialog = reactive({ open: true, saving: false })
  const form = reactive({ adding, key: adding ? '' : 'statement', zh: adding ? '' : '陈述申辩', en: adding ? '' : 'Statement', extra: '' })
  const saves: number[] = []
  const Page = defineComponent({
    components: { ConfigEntryDialog, ElInput },
    setup: () => ({ dialog, form, save: () => saves.push(1) }),
    template: `
      <ConfigEntryDialog :dialog="dialog" :entry="form" title="T" test="entry" @save="save">
        <el-input v-model="form.extra" data-test="entry-extra" />
      </ConfigEntryDialog>`,
  })
  mount(Page, { global, attachTo: document.body })
  return { dialog, form, saves }
}

describe('configured entry dialog', { timeout: 60_000 }, () => {
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('asks for the key only when adding, binds the names and the slot, and saves', async () => {
    const { dialog, form, saves } = mountDialog(true)
    await flushPromises()
    expect(document.body.textContent).toContain('标识（英文，不可更改）')
    await typeInto('entry-key', 'onsite_review')
    await typeInto('entry-label-zh', '现场处罚复核')
    await typeInto('entry-label-en', 'On-site review')
    await typeInto('entry-extra', 'x')
    expect(form).toMatchObject({ key: 'onsite_review', zh: '现场处罚复核', en: 'On-site review', extra: 'x' })
    document.querySelector<HTMLButtonElement>('[data-test="entry-save"]')!.click()
    await flushPromises()
    expect(saves).toHaveLength(1)
    expect(dialog.open).toBe(true)
  })

  it('keeps the permanent key out of the edit form and closes on cancel', async () => {
    const { dialog } = mountDialog(false)
    await flushPromises()
    expect(document.querySelector('[data-test="entry-key"]')).toBeNull()
    expect(document.querySelector<HTMLInputElement>('[data-test="entry-label-zh"] input, input[data-test="entry-label-zh"]')!.value).toBe('陈述申辩')
    const cancel = [...document.querySelectorAll<HTMLButtonElement>('.el-dialog__footer button')].find((b) => b.textContent?.includes('取消'))!
    cancel.click()
    await flushPromises()
    expect(dialog.open).toBe(false)
  })
})

describe('configured entry actions', () => {
  it('offers retire for an active entry and restore for a retired one, after the page’s own buttons', async () => {
    const active = mount(ConfigEntryActions, {
      props: { retired: false, test: 'type-statement' },
      slots: { default: '<button data-test="up">↑</button>' },
      global,
    })
    expect(active.findAll('button').map((b) => b.attributes('data-test'))).toEqual(['up', 'edit-type-statement', 'retire-type-statement'])
    await active.find('[data-test="edit-type-statement"]').trigger('click')
    await active.find('[data-test="retire-type-statement"]').trigger('click')
    expect(active.emitted('edit')).toHaveLength(1)
    expect(active.emitted('retire')).toEqual([[true]])

    const retired = mount(ConfigEntryActions, { props: { retired: true, test: 'towed' }, global })
    expect(retired.find('[data-test="retire-towed"]').exists()).toBe(false)
    await retired.find('[data-test="restore-towed"]').trigger('click')
    expect(retired.emitted('retire')).toEqual([[false]])
    expect(retired.text()).toContain('恢复')
  })
})
