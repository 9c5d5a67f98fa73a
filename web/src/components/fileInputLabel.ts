import type { Directive } from 'vue'

function label(el: HTMLElement, text: string) {
  el.querySelector('input[type="file"]')?.setAttribute('aria-label', text)
}

/**
 * `v-file-label="text"` on a component that renders its own file input without a way to label it
 * (Vant's Uploader): names that input for screen readers, as a visible label would.
 */
export const vFileLabel: Directive<HTMLElement, string> = {
  mounted: (el, { value }) => label(el, value),
  updated: (el, { value }) => label(el, value),
}
