import { Search } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import type { ConsoleFeature } from '../layout/registry'

/** Staff, organisation, audit log (admin, unit head) and the citizen look-up (all staff). */
export default {
  routes: [
    {
      path: '/admin/staff',
      name: 'identity-staff',
      component: () => import('./StaffPage.vue'),
      meta: { titleKey: 'identity.staff.title', roles: ['admin', 'unit_head'] },
    },
    {
      path: '/admin/units',
      name: 'identity-units',
      component: () => import('./UnitsPage.vue'),
      meta: { titleKey: 'identity.units.title', roles: ['admin', 'unit_head'] },
    },
    {
      path: '/admin/audit',
      name: 'identity-audit',
      component: () => import('./AuditPage.vue'),
      meta: { titleKey: 'identity.audit.title', roles: ['admin', 'unit_head'] },
    },
    { path: '/citizens', name: 'identity-citizens', component: () => import('./CitizensPage.vue'), meta: { titleKey: 'identity.citizens.title' } },
  ] satisfies RouteRecordRaw[],
  menu: [
    { path: '/admin/staff', titleKey: 'identity.menu.staff', icon: 'User', roles: ['admin', 'unit_head'], order: 900 },
    { path: '/admin/units', titleKey: 'identity.menu.units', icon: 'OfficeBuilding', roles: ['admin', 'unit_head'], order: 910 },
    { path: '/admin/audit', titleKey: 'identity.menu.audit', icon: 'Tickets', roles: ['admin', 'unit_head'], order: 920 },
    {
      path: '/citizens',
      titleKey: 'identity.menu.citizens',
      icon: Search,
      roles: ['dispatcher', 'legal_officer', 'window_staff', 'unit_head', 'admin'],
      order: 880,
    },
  ],
} satisfies ConsoleFeature
