import type { Module } from '../../platform/module'
import { createRouter } from '../../platform/openapi'
import { onQueueCompleted } from '../bookings/queue.service'
import { consoleRoutes } from './console.routes'
import { remindFollowUps } from './followup.service'
import { myRatingCases } from './my-cases'
import { anonymiseCitizenRatings, citizenHasRatingIn, exportCitizenRatings, onTicketCompleted } from './rating.service'
import { ratingRoutes } from './ratings.routes'
import { seedRatings } from './ratings.seed'

// A completed service invites its citizen to rate it (in the completing transaction).
onQueueCompleted(onTicketCompleted)

/**
 * 好差评: ratings of the window staff after a completed hall service (in the app or at the
 * window's evaluator tablet), follow-up of every bad rating to a working-day deadline, contests,
 * dashboards and the monthly model-window ranking.
 */
export const ratingsModule: Module = {
  name: 'ratings',
  routes: createRouter().route('/', ratingRoutes).route('/', consoleRoutes),
  myCases: myRatingCases,
  seed: seedRatings,
  jobs: [{ name: 'ratings.follow-up-reminders', everyMs: 15 * 60_000, run: async (ctx) => void (await remindFollowUps(ctx)) }],
  citizenInScope: citizenHasRatingIn,
  exportCitizen: exportCitizenRatings,
  anonymiseCitizen: anonymiseCitizenRatings,
}
