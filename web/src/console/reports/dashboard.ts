import type { DashboardWidget } from '../layout/registry'

/** Queue counters (to accept, open, overdue, due soon, mine) for the command centre and heads. */
export default [{ roles: ['dispatcher', 'unit_head', 'admin'], component: () => import('./ReportsWidget.vue'), order: 10 }] satisfies DashboardWidget[]
