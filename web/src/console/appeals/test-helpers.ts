import { flushPromises } from '@vue/test-utils'

/** Sets an Element Plus input or textarea found by its data-test (on the native element or its wrapper; dialogs render in the body). */
export async function typeInto(test: string, value: string) {
  const el = document.querySelector<HTMLInputElement>(
    `input[data-test="${test}"], textarea[data-test="${test}"], [data-test="${test}"] input, [data-test="${test}"] textarea`,
  )!
  el.value = value
  el.dispatchEvent(new Event('input'))
  await flushPromises()
}
