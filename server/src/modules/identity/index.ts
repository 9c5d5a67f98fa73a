import type { Module } from '../../platform/module'
import { identityRoutes } from './identity.routes'
import { seedIdentity } from './identity.seed'

export const identityModule: Module & { seedIdentity: typeof seedIdentity } = {
  name: 'identity',
  routes: identityRoutes,
  seedIdentity,
}
