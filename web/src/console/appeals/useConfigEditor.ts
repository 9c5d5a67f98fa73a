import { ElMessage } from 'element-plus'
import { computed, onMounted, type Ref, reactive, ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { loadAppealConfig } from '@/components/appeals/config'
import { appealErrorKey } from '@/components/appeals/format'
import { staff } from '../layout/staff'

/**
 * What the pages of configured entries (appeal types, option lists) share: the entries loaded on
 * mount, whether the signed-in staff member may change them (admins only), the add / edit dialog's
 * state, and `change`, which runs a write, tells the admin, and refreshes both the page and the
 * labels every other page reads.
 */
export function useConfigEditor<T>(fetch: () => Promise<T>, initial: T) {
  const { t, te } = useI18n()
  const data = ref(initial) as Ref<T>
  const isAdmin = computed(() => staff.value?.role === 'admin')
  const dialog = reactive({ open: false, saving: false })

  async function load() {
    try {
      data.value = await fetch()
    } catch (e) {
      ElMessage.error(t(appealErrorKey(e, te)))
    }
  }
  onMounted(load)

  async function change(call: () => Promise<unknown>, done: string) {
    dialog.saving = true
    try {
      await call()
      dialog.open = false
      ElMessage.success(t(done))
      await Promise.all([load(), loadAppealConfig(true).catch(() => {})])
    } catch (e) {
      ElMessage.error(t(appealErrorKey(e, te)))
    } finally {
      dialog.saving = false
    }
  }

  return { data, isAdmin, dialog, change }
}
