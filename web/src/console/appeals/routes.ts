import { DataLine, Stamp } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import type { ConsoleFeature } from '../layout/registry'

const REVIEW = ['legal_officer', 'unit_head', 'admin'] as const

/** The legal office: queue, review, approvals, printable letter, backlog report, ticket registry and import, working calendar, configuration. */
export default {
  routes: [
    { path: '/appeals', name: 'appeals-queue', component: () => import('./QueuePage.vue'), meta: { titleKey: 'appeals.menu.queue', roles: [...REVIEW] } },
    {
      path: '/appeals/approvals',
      name: 'appeals-approvals',
      component: () => import('./ApprovalsPage.vue'),
      meta: { titleKey: 'appeals.menu.approvals', roles: ['unit_head'] },
    },
    {
      path: '/appeals/report',
      name: 'appeals-report',
      component: () => import('./ReportPage.vue'),
      meta: { titleKey: 'appeals.menu.report', roles: [...REVIEW] },
    },
    {
      path: '/appeals/tickets',
      name: 'appeals-tickets',
      component: () => import('./TicketsPage.vue'),
      meta: { titleKey: 'appeals.menu.tickets', roles: [...REVIEW] },
    },
    {
      path: '/appeals/calendar',
      name: 'appeals-calendar',
      component: () => import('./CalendarPage.vue'),
      meta: { titleKey: 'appeals.menu.calendar', roles: ['admin', 'unit_head', 'legal_officer', 'window_staff', 'dispatcher'] },
    },
    {
      path: '/appeals/types',
      name: 'appeals-types',
      component: () => import('./TypesPage.vue'),
      meta: { titleKey: 'appeals.menu.types', roles: [...REVIEW] },
    },
    {
      path: '/appeals/options',
      name: 'appeals-options',
      component: () => import('./OptionsPage.vue'),
      meta: { titleKey: 'appeals.menu.options', roles: [...REVIEW] },
    },
    { path: '/appeals/:id', name: 'appeals-review', component: () => import('./ReviewPage.vue'), meta: { titleKey: 'appeals.menu.queue', roles: [...REVIEW] } },
    // The printable A4 letter, without the layout (still signed in).
    {
      path: '/appeals/:id/letter',
      name: 'appeals-letter',
      component: () => import('./LetterPrintPage.vue'),
      meta: { bare: true, titleKey: 'appeals.letter.title', roles: [...REVIEW] },
    },
  ] satisfies RouteRecordRaw[],
  menu: [
    { path: '/appeals', titleKey: 'appeals.menu.queue', icon: 'Tickets', roles: [...REVIEW], order: 20 },
    { path: '/appeals/approvals', titleKey: 'appeals.menu.approvals', icon: Stamp, roles: ['unit_head'], order: 21 },
    { path: '/appeals/report', titleKey: 'appeals.menu.report', icon: DataLine, roles: [...REVIEW], order: 22 },
    { path: '/appeals/tickets', titleKey: 'appeals.menu.tickets', icon: 'Files', roles: ['admin', 'legal_officer', 'unit_head'], order: 23 },
    { path: '/appeals/calendar', titleKey: 'appeals.menu.calendar', icon: 'Calendar', roles: ['admin', 'unit_head', 'legal_officer'], order: 24 },
    { path: '/appeals/types', titleKey: 'appeals.menu.types', icon: 'Setting', roles: ['admin', 'unit_head', 'legal_officer'], order: 25 },
    { path: '/appeals/options', titleKey: 'appeals.menu.options', icon: 'List', roles: ['admin', 'unit_head', 'legal_officer'], order: 26 },
  ],
} satisfies ConsoleFeature
