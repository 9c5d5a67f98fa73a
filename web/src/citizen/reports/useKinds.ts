import { kindName } from '@tp/shared/reports/kind-name'
import { computed, ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { getKinds, type Kind } from './api'

/** The report kinds citizens may file (configuration), named in the page's language. */
export function useKinds() {
  const { locale } = useI18n()
  const kinds = ref<Kind[]>([])
  const failed = ref(false)
  const loading = ref(true)
  const lang = computed<'zh-CN' | 'en'>(() => (locale.value === 'en' ? 'en' : 'zh-CN'))
  const ready = getKinds()
    .then((k) => {
      kinds.value = k
    })
    .catch(() => {
      failed.value = true
    })
    .finally(() => {
      loading.value = false
    })
  return { kinds, failed, loading, lang, ready, nameOf: (code: string) => kindName(kinds.value, code, lang.value) }
}
