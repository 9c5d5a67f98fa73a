import { createRouter } from '../../platform/openapi'
import { adminRoutes } from './admin.routes'
import { auditRoutes } from './audit.routes'
import { authRoutes } from './auth.routes'
import { profileRoutes } from './profile.routes'
import { wechatRoutes } from './wechat.routes'

/** Sign-in and sessions, the citizen's profile, staff and unit administration, the audit log, the WeChat JS-SDK config. */
export const identityRoutes = createRouter()
  .route('/', authRoutes)
  .route('/', profileRoutes)
  .route('/', adminRoutes)
  .route('/', auditRoutes)
  .route('/', wechatRoutes)
