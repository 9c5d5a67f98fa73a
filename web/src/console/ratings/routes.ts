import { ChatLineSquare } from '@element-plus/icons-vue'
import type { RouteRecordRaw } from 'vue-router'
import type { ConsoleFeature, StaffRoleName } from '../layout/registry'

const HEADS: StaffRoleName[] = ['unit_head', 'admin']
const CASES: StaffRoleName[] = ['unit_head', 'admin', 'window_staff']

/** 好差评: follow-up cases of bad ratings, contests, dashboards, evaluator tablets, settings; the evaluator page itself. */
export default {
  routes: [
    {
      path: '/ratings/followups',
      name: 'ratings-followups',
      component: () => import('./FollowUpsPage.vue'),
      meta: { titleKey: 'ratings.menu.followUps', roles: CASES },
    },
    {
      path: '/ratings/followups/:id',
      name: 'ratings-followup',
      component: () => import('./FollowUpDetailPage.vue'),
      meta: { titleKey: 'ratings.menu.followUp', roles: CASES },
    },
    {
      path: '/ratings/dashboard',
      name: 'ratings-dashboard',
      component: () => import('./RatingsDashboardPage.vue'),
      meta: { titleKey: 'ratings.menu.dashboard', roles: HEADS },
    },
    { path: '/ratings/list', name: 'ratings-list', component: () => import('./RatingsListPage.vue'), meta: { titleKey: 'ratings.menu.list', roles: CASES } },
    {
      path: '/ratings/devices',
      name: 'ratings-devices',
      component: () => import('./DevicesPage.vue'),
      meta: { titleKey: 'ratings.menu.devices', roles: ['window_staff', 'unit_head', 'admin'] },
    },
    {
      path: '/ratings/settings',
      name: 'ratings-settings',
      component: () => import('./SettingsPage.vue'),
      meta: { titleKey: 'ratings.menu.settings', roles: ['admin'] },
    },
    {
      path: '/evaluator/:windowId',
      name: 'ratings-evaluator',
      component: () => import('./EvaluatorPage.vue'),
      props: true,
      meta: { bare: true, public: true, titleKey: 'ratings.evaluator.title' },
    },
  ] satisfies RouteRecordRaw[],
  menu: [
    { path: '/ratings/followups', titleKey: 'ratings.menu.followUps', icon: ChatLineSquare, roles: CASES, order: 400 },
    { path: '/ratings/dashboard', titleKey: 'ratings.menu.dashboard', icon: 'DataAnalysis', roles: HEADS, order: 410 },
    { path: '/ratings/list', titleKey: 'ratings.menu.list', icon: 'Star', roles: CASES, order: 420 },
    { path: '/ratings/devices', titleKey: 'ratings.menu.devices', icon: 'Monitor', roles: ['window_staff', 'unit_head', 'admin'], order: 430 },
    { path: '/ratings/settings', titleKey: 'ratings.menu.settings', icon: 'Setting', roles: ['admin'], order: 440 },
  ],
} satisfies ConsoleFeature
