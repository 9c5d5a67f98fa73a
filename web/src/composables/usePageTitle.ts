import { getCurrentScope, onScopeDispose, type Ref, ref, watchEffect } from 'vue'

/**
 * A page's own title when `meta.titleKey` is not enough (e.g. a case number): the citizen NavBar,
 * the console breadcrumb and the document title show it while the page is open.
 *
 * ```ts
 * usePageTitle(computed(() => appeal.value ? t('appeals.title.detail', { number: appeal.value.number }) : ''))
 * ```
 */
export const pageTitle = ref('')

export function usePageTitle(title: Ref<string> | (() => string)): void {
  const read = typeof title === 'function' ? title : () => title.value
  const stop = watchEffect(() => {
    pageTitle.value = read()
  })
  if (getCurrentScope()) {
    onScopeDispose(() => {
      stop()
      pageTitle.value = ''
    })
  }
}
