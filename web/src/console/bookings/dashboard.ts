import type { DashboardWidget } from '../layout/registry'

/** Hall staff and their heads: today's queue at each hall in scope. */
export default [
  { roles: ['window_staff', 'unit_head', 'admin'], component: () => import('./QueueStatsWidget.vue'), span: 'full', order: 300 },
] satisfies DashboardWidget[]
