import type { Module } from '../../platform/module'
import { createRouter } from '../../platform/openapi'

export const bookingsModule: Module = { name: 'bookings', routes: createRouter() }
