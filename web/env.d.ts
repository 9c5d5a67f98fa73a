/// <reference types="vite/client" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue'

  const component: DefineComponent<object, object, unknown>
  export default component
}

import 'vue-router'

declare module 'vue-router' {
  interface RouteMeta {
    /** The page needs a signed-in user; the shell sends others to sign-in and back. */
    auth?: boolean
    /** i18n key of the page title (citizen NavBar, console breadcrumb and document title). */
    titleKey?: string
    /** Console: render without the layout (hall display, evaluator). */
    bare?: boolean
    /** Console: no sign-in needed. */
    public?: boolean
    /** Citizen: data the page needs, started with the page's code (before the sign-in check ends). */
    prefetch?: () => unknown
    /** Console: only these staff roles may open the page. */
    roles?: readonly string[]
    /** Citizen: one of the three root pages that show the bottom tab bar. */
    tab?: boolean
    /** Citizen: the page shows only the shell's messages, so it renders before the features' are loaded. */
    shellMessages?: boolean
  }
}
