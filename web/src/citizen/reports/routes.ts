import type { RouteRecordRaw } from 'vue-router'
import { getKinds } from './api'

/** /reports/new?kind=congestion|zombie_car|hazard, /reports (mine), /reports/:id. */
export default [
  {
    path: '/reports/new',
    name: 'reports-new',
    component: () => import('./ReportNew.vue'),
    // The kinds decide which fields the form has.
    meta: { auth: true, titleKey: 'reports.title.new', prefetch: getKinds },
  },
  { path: '/reports', name: 'reports-mine', component: () => import('./ReportList.vue'), meta: { auth: true, titleKey: 'reports.title.list' } },
  { path: '/reports/:id', name: 'reports-detail', component: () => import('./ReportDetail.vue'), meta: { auth: true, titleKey: 'reports.title.detail' } },
] satisfies RouteRecordRaw[]
