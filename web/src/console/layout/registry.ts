import type { Component } from 'vue'
import type { RouteRecordRaw } from 'vue-router'

/**
 * What console features register by file convention (no shared file to edit):
 * - `web/src/console/<feature>/routes.ts`: `export default { routes, menu } satisfies ConsoleFeature`
 *   Routes render inside the layout; `meta: { bare: true, public: true }` ones render alone without
 *   sign-in (hall display, evaluator). Paths are inside `/console/` (write `/appeals`; a leading
 *   `/console` is tolerated).
 * - `web/src/console/<feature>/dashboard.ts`: `export default [{ roles, component: () => import('./XWidget.vue') }]`.
 */
export type StaffRoleName = 'dispatcher' | 'legal_officer' | 'window_staff' | 'unit_head' | 'admin'

export interface MenuEntry {
  path: string
  titleKey: string
  /** An Element Plus icon name (e.g. 'Document', 'Warning') or a component. */
  icon?: string | Component
  roles: readonly StaffRoleName[]
  /** Lower comes first; default 100. */
  order?: number
}

export interface ConsoleFeature {
  routes: RouteRecordRaw[]
  menu?: MenuEntry[]
}

export interface DashboardWidget {
  roles: readonly StaffRoleName[]
  component: () => Promise<{ default: Component }>
  /** Half or full width on the dashboard grid; default half. */
  span?: 'half' | 'full'
  order?: number
}

type Modules<T> = Record<string, { default: T }>

/** Strips an optional `/console` prefix so feature paths work with the `/console/` history base. */
export function normalisePath(path: string): string {
  if (path === '/console') return '/'
  return path.startsWith('/console/') ? path.slice('/console'.length) : path
}

function normaliseRoute(r: RouteRecordRaw): RouteRecordRaw {
  return { ...r, path: normalisePath(r.path) } as RouteRecordRaw
}

export interface ConsoleRegistry {
  /** Children of the layout. */
  layoutRoutes: RouteRecordRaw[]
  /** Rendered without layout (meta.bare). */
  bareRoutes: RouteRecordRaw[]
  menu: (MenuEntry & { feature: string })[]
  widgets: (DashboardWidget & { feature: string })[]
}

const featureOf = (path: string) => path.split('/').slice(-2, -1)[0] ?? path

export function buildRegistry(features: Modules<ConsoleFeature>, dashboards: Modules<DashboardWidget[]>): ConsoleRegistry {
  const reg: ConsoleRegistry = { layoutRoutes: [], bareRoutes: [], menu: [], widgets: [] }
  for (const file of Object.keys(features).sort()) {
    const f = features[file]?.default
    if (!f) continue
    for (const r of f.routes ?? []) (r.meta?.bare ? reg.bareRoutes : reg.layoutRoutes).push(normaliseRoute(r))
    for (const m of f.menu ?? []) reg.menu.push({ ...m, path: normalisePath(m.path), feature: featureOf(file) })
  }
  for (const file of Object.keys(dashboards).sort()) {
    for (const w of dashboards[file]?.default ?? []) reg.widgets.push({ ...w, feature: featureOf(file) })
  }
  reg.menu.sort((a, b) => (a.order ?? 100) - (b.order ?? 100))
  reg.widgets.sort((a, b) => (a.order ?? 100) - (b.order ?? 100))
  return reg
}

export function menuFor<T extends { roles: readonly string[] }>(entries: readonly T[], role: string | undefined): T[] {
  return role ? entries.filter((e) => e.roles.includes(role)) : []
}
