import { createRouter } from '../../platform/openapi'
import { adminRoutes } from './admin.routes'
import { auditRoutes } from './audit.routes'
import { authRoutes } from './auth.routes'
import { profileRoutes } from './profile.routes'

/** Sign-in and sessions, the citizen's profile, staff and unit administration, the audit log. */
export const identityRoutes = createRouter().route('/', authRoutes).route('/', profileRoutes).route('/', adminRoutes).route('/', auditRoutes)
