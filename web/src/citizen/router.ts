import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteRecordRaw, type Router, START_LOCATION } from 'vue-router'
import HomePage from './pages/HomePage.vue'

/**
 * Citizen routes: the shell's own pages plus every feature's `./<feature>/routes.ts` (default
 * export: RouteRecordRaw[] with lazy components). `meta.auth` pages need sign-in (the guard sends
 * the citizen to /login and back); `meta.titleKey` titles the NavBar; `meta.tab` marks the three
 * root pages that show the bottom tab bar.
 */
const featureModules = import.meta.glob<{ default: RouteRecordRaw[] }>('./*/routes.ts', { eager: true })

export function featureRoutes(modules: Record<string, { default: RouteRecordRaw[] }> = featureModules): RouteRecordRaw[] {
  return Object.keys(modules)
    .sort()
    .flatMap((path) => modules[path]?.default ?? [])
}

export const shellRoutes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: HomePage, meta: { tab: true, titleKey: 'title.home', shellMessages: true } },
  { path: '/cases', name: 'cases', component: () => import('./pages/MyCasesPage.vue'), meta: { tab: true, titleKey: 'title.cases' } },
  { path: '/me', name: 'me', component: () => import('./pages/MePage.vue'), meta: { tab: true, titleKey: 'title.me' } },
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { titleKey: 'title.login' } },
  {
    path: '/notifications',
    name: 'notifications',
    component: () => import('./pages/NotificationsPage.vue'),
    meta: { auth: true, titleKey: 'title.notifications' },
  },
]

const notFound: RouteRecordRaw = {
  path: '/:pathMatch(.*)*',
  name: 'not-found',
  component: () => import('./pages/NotFoundPage.vue'),
  meta: { titleKey: 'title.notFound' },
}

export function createCitizenRouter(options: { ensureSession: () => Promise<boolean>; loadMessages: () => Promise<void> }): Router {
  const router = createRouter({
    history: createWebHistory('/'),
    routes: [...shellRoutes, ...featureRoutes(), notFound],
    // A freshly loaded page is already at the top: scrolling there anyway forces a layout in the
    // start-up task. A restored position (back, reload) still wins.
    scrollBehavior(_to, from, saved) {
      return saved ?? (from === START_LOCATION ? false : { top: 0 })
    },
  })
  router.beforeEach(async (to) => {
    // The page's code and data download while the session is checked, not after it.
    loadPageCode(to)
    // Any page but the home may show any feature's messages (its title, the inbox's notifications).
    const [signedIn] = await Promise.all([!to.meta.auth || options.ensureSession(), !to.meta.shellMessages && options.loadMessages()])
    return signedIn || { name: 'login', query: { redirect: to.fullPath } }
  })
  return router
}

/**
 * Starts the lazy components of a route (the router awaits the same imports when it resolves them)
 * and the data its records name in `meta.prefetch` (cached by the function called).
 */
export function loadPageCode(to: Pick<RouteLocationNormalized, 'matched'>): void {
  for (const record of to.matched) {
    void Promise.resolve()
      .then(record.meta?.prefetch)
      .catch(() => {})
    for (const component of Object.values(record.components ?? {})) {
      if (typeof component === 'function') void (component as () => Promise<unknown>)().catch(() => {})
    }
  }
}

/** Only same-site paths are followed after sign-in (no open redirect). */
export function safeRedirect(value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' && v.startsWith('/') && !v.startsWith('//') && !v.startsWith('/login') ? v : '/'
}
