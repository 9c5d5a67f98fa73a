import { createRouter, createWebHistory, type RouteRecordRaw, type Router } from 'vue-router'
import { buildRegistry, type ConsoleFeature, type DashboardWidget } from './layout/registry'
import { loadStaff, mustChangePassword } from './layout/staff'

/**
 * Console routes under `/console/`: sign-in, the layout (dashboard, change password, every
 * feature's routes), bare pages (hall display, evaluator) and not-found. Features register by
 * file convention (see layout/registry.ts).
 */
export const registry = buildRegistry(
  import.meta.glob<{ default: ConsoleFeature }>('./*/routes.ts', { eager: true }),
  import.meta.glob<{ default: DashboardWidget[] }>('./*/dashboard.ts', { eager: true }),
)

export function consoleRoutes(reg = registry): RouteRecordRaw[] {
  return [
    {
      path: '/login',
      name: 'console-login',
      component: () => import('./pages/LoginPage.vue'),
      meta: { public: true, bare: true, titleKey: 'staffLogin.title' },
    },
    ...reg.bareRoutes,
    {
      path: '/',
      component: () => import('./layout/ConsoleLayout.vue'),
      children: [
        { path: '', name: 'console-home', component: () => import('./pages/DashboardPage.vue'), meta: { titleKey: 'console.home' } },
        { path: '/password', name: 'console-password', component: () => import('./pages/ChangePasswordPage.vue'), meta: { titleKey: 'password.title' } },
        ...reg.layoutRoutes,
        { path: '/:pathMatch(.*)*', name: 'console-not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { titleKey: 'common.notFound' } },
      ],
    },
  ]
}

export function createConsoleRouter(): Router {
  const router = createRouter({
    history: createWebHistory('/console/'),
    routes: consoleRoutes(),
    scrollBehavior(_to, _from, saved) {
      return saved ?? { top: 0 }
    },
  })
  router.beforeEach(async (to) => {
    if (to.matched.some((r) => r.meta.public)) return true
    const user = await loadStaff()
    if (!user) return { name: 'console-login', query: { redirect: to.fullPath } }
    if (mustChangePassword(user) && to.name !== 'console-password') return { name: 'console-password', query: { required: '1' } }
    const roles = to.matched.flatMap((r) => (r.meta.roles ? [r.meta.roles] : []))
    if (roles.some((allowed) => !allowed.includes(user.role))) return { name: 'console-home', query: { forbidden: '1' } }
    return true
  })
  return router
}

/** Only console paths are followed after sign-in (no open redirect). */
export function safeConsoleRedirect(value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' && v.startsWith('/') && !v.startsWith('//') && !v.startsWith('/login') ? v : '/'
}
