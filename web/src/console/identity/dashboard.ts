import type { DashboardWidget } from '../layout/registry'

/** Admins and unit heads: failed sign-ins and lock-outs in their scope, from the audit log. */
export default [{ roles: ['admin', 'unit_head'], component: () => import('./AccountSecurityWidget.vue'), order: 900 }] satisfies DashboardWidget[]
