import type { DashboardWidget } from '../layout/registry'

/** Overdue and due-soon counts (and what waits for acceptance, approval, extensions, me). */
export default [{ roles: ['legal_officer', 'unit_head', 'admin'], component: () => import('./AppealsWidget.vue'), order: 20 }] satisfies DashboardWidget[]
