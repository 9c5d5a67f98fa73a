import type { Module } from '../../platform/module'
import { createRouter } from '../../platform/openapi'
import { bookingRoutes } from './bookings.routes'
import { seedBookings } from './bookings.seed'
import { sendReminders, sweepNoShows } from './bookings.service'
import { consoleRoutes } from './console.routes'
import { myBookingCases } from './my-cases'
import { queueRoutes } from './queue.routes'
import { closePastDays } from './queue.service'
import { syncAllOffices } from './slots.service'

export { offices as bookingOffices, queueTickets, serviceWindows } from './bookings.tables'
/**
 * Vehicle-administration bookings and the hall queue. For features built on served tickets
 * (ratings): `onQueueCompleted` (runs in the completing transaction), `getCompletedTicket`,
 * `latestCompletedAtWindow`, the `queue_tickets` table, and the `queue.completed` live event.
 */
export { type CompletedTicket, getCompletedTicket, latestCompletedAtWindow, onQueueCompleted, type QueueCompletedHook } from './queue.service'

export const bookingsModule: Module = {
  name: 'bookings',
  routes: createRouter().route('/', bookingRoutes).route('/', consoleRoutes).route('/', queueRoutes),
  myCases: myBookingCases,
  seed: seedBookings,
  jobs: [
    { name: 'bookings.reminders', everyMs: 10 * 60_000, run: async (ctx) => void (await sendReminders(ctx)) },
    { name: 'bookings.no-shows', everyMs: 5 * 60_000, run: async (ctx) => void (await sweepNoShows(ctx)) },
    { name: 'bookings.close-day', everyMs: 30 * 60_000, run: async (ctx) => void (await closePastDays(ctx)) },
    { name: 'bookings.slots', everyMs: 60 * 60_000, run: syncAllOffices },
  ],
}
