import type { DashboardWidget } from '../layout/registry'

/** Unit heads: bad-rating follow-ups (open, overdue) and this month's satisfaction; window staff: their own month. */
export default [
  { roles: ['unit_head', 'admin'], component: () => import('./FollowUpsWidget.vue'), order: 400 },
  { roles: ['unit_head', 'admin'], component: () => import('./SatisfactionWidget.vue'), order: 410 },
  { roles: ['window_staff'], component: () => import('./MyRatingsWidget.vue'), order: 400 },
] satisfies DashboardWidget[]
