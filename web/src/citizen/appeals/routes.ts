import type { RouteRecordRaw } from 'vue-router'

/** /appeals (my tickets & appeals), /appeals/new?ticket=<decision no>&plate=…, /appeals/:id, /appeals/:id/letter. */
export default [
  { path: '/appeals', name: 'appeals-home', component: () => import('./AppealsHome.vue'), meta: { auth: true, titleKey: 'appeals.title.home' } },
  { path: '/appeals/new', name: 'appeals-new', component: () => import('./AppealNew.vue'), meta: { auth: true, titleKey: 'appeals.title.new' } },
  { path: '/appeals/:id', name: 'appeals-detail', component: () => import('./AppealDetail.vue'), meta: { auth: true, titleKey: 'appeals.title.detail' } },
  {
    path: '/appeals/:id/letter',
    name: 'appeals-letter',
    component: () => import('./AppealLetter.vue'),
    meta: { auth: true, titleKey: 'appeals.title.letter' },
  },
] satisfies RouteRecordRaw[]
