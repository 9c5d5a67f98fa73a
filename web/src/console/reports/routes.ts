import { Connection, MapLocation } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import type { ConsoleFeature } from '../layout/registry'

/** Road reports: live queue, officer view, grids, statistics, kinds, Open311 keys. */
export default {
  routes: [
    {
      path: '/reports',
      name: 'reports-queue',
      component: () => import('./QueuePage.vue'),
      meta: { titleKey: 'reports.menu.queue', roles: ['dispatcher', 'unit_head', 'admin'] },
    },
    {
      path: '/reports/officer',
      name: 'reports-officer',
      component: () => import('./OfficerPage.vue'),
      // Phone-first and full screen (no desktop side menu); sign-in and the role are still required.
      meta: { titleKey: 'reports.menu.officer', roles: ['dispatcher'], bare: true },
    },
    {
      path: '/reports/grids',
      name: 'reports-grids',
      component: () => import('./GridsPage.vue'),
      meta: { titleKey: 'reports.menu.grids', roles: ['dispatcher', 'unit_head', 'admin'] },
    },
    {
      path: '/reports/stats',
      name: 'reports-stats',
      component: () => import('./StatsPage.vue'),
      meta: { titleKey: 'reports.menu.stats', roles: ['dispatcher', 'unit_head', 'admin'] },
    },
    {
      path: '/reports/kinds',
      name: 'reports-kinds',
      component: () => import('./KindsPage.vue'),
      meta: { titleKey: 'reports.menu.kinds', roles: ['admin'] },
    },
    {
      path: '/reports/open311',
      name: 'reports-open311',
      component: () => import('./Open311Page.vue'),
      meta: { titleKey: 'reports.menu.open311', roles: ['admin'] },
    },
  ] satisfies RouteRecordRaw[],
  menu: [
    { path: '/reports', titleKey: 'reports.menu.queue', icon: 'Location', roles: ['dispatcher', 'unit_head', 'admin'], order: 10 },
    { path: '/reports/officer', titleKey: 'reports.menu.officer', icon: 'Van', roles: ['dispatcher'], order: 11 },
    { path: '/reports/stats', titleKey: 'reports.menu.stats', icon: 'DataAnalysis', roles: ['dispatcher', 'unit_head', 'admin'], order: 12 },
    { path: '/reports/grids', titleKey: 'reports.menu.grids', icon: MapLocation, roles: ['dispatcher', 'unit_head', 'admin'], order: 13 },
    { path: '/reports/kinds', titleKey: 'reports.menu.kinds', icon: 'Setting', roles: ['admin'], order: 14 },
    { path: '/reports/open311', titleKey: 'reports.menu.open311', icon: Connection, roles: ['admin'], order: 15 },
  ],
} satisfies ConsoleFeature
