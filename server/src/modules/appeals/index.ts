import type { Module } from '../../platform/module'
import { createRouter } from '../../platform/openapi'

export const appealsModule: Module = { name: 'appeals', routes: createRouter() }
