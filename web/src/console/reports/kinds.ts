import { kindName } from '@tp/shared/reports/kind-name'
import { computed, ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { api, unwrap } from '@/api/client'
import type { paths } from '@/api/schema'

/** Report kinds are configuration: the console names them from `/api/console/report-kinds`. */
export type KindRow = paths['/api/console/report-kinds']['get']['responses'][200]['content']['application/json']['items'][number]

let cache: Promise<KindRow[]> | null = null
/** Every kind (inactive ones too), loaded once per page load; `fresh` after the editor saved one. */
export function loadKinds(fresh = false): Promise<KindRow[]> {
  if (fresh || !cache) {
    cache = unwrap(api.GET('/api/console/report-kinds')).then((r) => r.items)
    cache.catch(() => {
      cache = null
    })
  }
  return cache
}

export function useReportKinds() {
  const { locale } = useI18n()
  const kinds = ref<KindRow[]>([])
  const lang = computed<'zh-CN' | 'en'>(() => (locale.value === 'en' ? 'en' : 'zh-CN'))
  loadKinds()
    .then((k) => {
      kinds.value = k
    })
    .catch(() => {})
  return { kinds, lang, nameOf: (code: string) => kindName(kinds.value, code, lang.value) }
}
