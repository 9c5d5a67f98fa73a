import { describe, expect, it } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { pageTitle, usePageTitle } from './usePageTitle'

describe('usePageTitle', () => {
  it('shows the page’s own title while the page is open', async () => {
    const number = ref('SS-1')
    const scope = effectScope()
    scope.run(() => usePageTitle(() => `申诉 ${number.value}`))
    expect(pageTitle.value).toBe('申诉 SS-1')
    number.value = 'SS-2'
    await nextTick()
    expect(pageTitle.value).toBe('申诉 SS-2')
    scope.stop()
    expect(pageTitle.value).toBe('')
  })
})
