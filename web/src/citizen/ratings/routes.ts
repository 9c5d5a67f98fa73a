import type { RouteRecordRaw } from 'vue-router'

/** 服务评价: rate a served ticket (linked from the booking and the notification), and my services to rate. */
export default [
  { path: '/ratings', name: 'ratings-pending', component: () => import('./PendingPage.vue'), meta: { auth: true, titleKey: 'ratings.title.pending' } },
  { path: '/ratings/:ticketId', name: 'ratings-rate', component: () => import('./RatePage.vue'), meta: { auth: true, titleKey: 'ratings.title.rate' } },
] satisfies RouteRecordRaw[]
