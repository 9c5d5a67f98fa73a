import type { Module } from '../../platform/module'
import { createRouter } from '../../platform/openapi'

export const reportsModule: Module = { name: 'reports', routes: createRouter() }
