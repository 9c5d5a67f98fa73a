import type { RouteRecordRaw } from 'vue-router'

/** 车管预约: book, my bookings, one booking (code, QR, check-in, queue number). */
export default [
  { path: '/bookings/new', name: 'bookings-new', component: () => import('./BookingNewPage.vue'), meta: { auth: true, titleKey: 'bookings.title.new' } },
  { path: '/bookings', name: 'bookings-mine', component: () => import('./MyBookingsPage.vue'), meta: { auth: true, titleKey: 'bookings.title.mine' } },
  {
    path: '/bookings/:id',
    name: 'bookings-detail',
    component: () => import('./BookingDetailPage.vue'),
    meta: { auth: true, titleKey: 'bookings.title.detail' },
  },
] satisfies RouteRecordRaw[]
