import type { RouteRecordRaw } from 'vue-router'

/** /reports/new?kind=congestion|zombie_car|hazard, /reports (mine), /reports/:id. */
export default [
  { path: '/reports/new', name: 'reports-new', component: () => import('./ReportNew.vue'), meta: { auth: true, titleKey: 'reports.title.new' } },
  { path: '/reports', name: 'reports-mine', component: () => import('./ReportList.vue'), meta: { auth: true, titleKey: 'reports.title.list' } },
  { path: '/reports/:id', name: 'reports-detail', component: () => import('./ReportDetail.vue'), meta: { auth: true, titleKey: 'reports.title.detail' } },
] satisfies RouteRecordRaw[]
