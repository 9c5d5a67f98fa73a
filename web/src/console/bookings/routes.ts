import { Microphone } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import type { ConsoleFeature, StaffRoleName } from '../layout/registry'

const HALL: StaffRoleName[] = ['window_staff', 'unit_head', 'admin']
const CONFIG: StaffRoleName[] = ['unit_head', 'admin']

/** Bookings and the hall queue: window console, check-in desk, bookings table, configuration, hall TV. */
export default {
  routes: [
    {
      path: '/bookings/window',
      name: 'bookings-window',
      component: () => import('./WindowConsolePage.vue'),
      meta: { titleKey: 'bookings.menu.window', roles: HALL },
    },
    {
      path: '/bookings/check-in',
      name: 'bookings-check-in',
      component: () => import('./CheckInPage.vue'),
      meta: { titleKey: 'bookings.menu.checkIn', roles: HALL },
    },
    { path: '/bookings/list', name: 'bookings-list', component: () => import('./BookingsListPage.vue'), meta: { titleKey: 'bookings.menu.list', roles: HALL } },
    {
      path: '/bookings/offices',
      name: 'bookings-offices',
      component: () => import('./OfficesPage.vue'),
      meta: { titleKey: 'bookings.menu.offices', roles: HALL },
    },
    {
      path: '/bookings/offices/:id',
      name: 'bookings-office',
      component: () => import('./OfficeDetailPage.vue'),
      meta: { titleKey: 'bookings.menu.offices', roles: HALL },
    },
    {
      path: '/bookings/services',
      name: 'bookings-services',
      component: () => import('./ServicesPage.vue'),
      meta: { titleKey: 'bookings.menu.services', roles: CONFIG },
    },
    {
      path: '/bookings/policy',
      name: 'bookings-policy',
      component: () => import('./PolicyPage.vue'),
      meta: { titleKey: 'bookings.menu.policy', roles: CONFIG },
    },
    {
      path: '/hall/:officeId',
      name: 'bookings-hall',
      component: () => import('./HallDisplayPage.vue'),
      props: true,
      meta: { bare: true, public: true, titleKey: 'bookings.hall.title' },
    },
  ] satisfies RouteRecordRaw[],
  menu: [
    { path: '/bookings/window', titleKey: 'bookings.menu.window', icon: Microphone, roles: HALL, order: 300 },
    { path: '/bookings/check-in', titleKey: 'bookings.menu.checkIn', icon: 'Tickets', roles: HALL, order: 310 },
    { path: '/bookings/list', titleKey: 'bookings.menu.list', icon: 'Calendar', roles: HALL, order: 320 },
    { path: '/bookings/offices', titleKey: 'bookings.menu.offices', icon: 'OfficeBuilding', roles: CONFIG, order: 330 },
    { path: '/bookings/services', titleKey: 'bookings.menu.services', icon: 'List', roles: CONFIG, order: 340 },
    { path: '/bookings/policy', titleKey: 'bookings.menu.policy', icon: 'Setting', roles: CONFIG, order: 350 },
  ],
} satisfies ConsoleFeature
