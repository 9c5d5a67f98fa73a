import type { Module } from '../platform/module'
import { appealsModule } from './appeals'
import { bookingsModule } from './bookings'
import { identityModule } from './identity'
import { notificationsModule } from './notifications'
import { ratingsModule } from './ratings'
import { reportsModule } from './reports'

/** Every feature, mounted by app.ts; seeds run in this order (ratings after bookings). */
export const modules: Module[] = [identityModule, notificationsModule, reportsModule, appealsModule, bookingsModule, ratingsModule]
