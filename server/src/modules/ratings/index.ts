import type { Module } from '../../platform/module'
import { createRouter } from '../../platform/openapi'

export const ratingsModule: Module = { name: 'ratings', routes: createRouter() }
