import { z } from '@hono/zod-openapi'
import { CitizenRatingPage, EvaluatorRatingCreate, EvaluatorState, PendingRating, RatingCreate, RatingView } from '@tp/shared/ratings/schemas'
import { CITIZEN, PUBLIC } from '../../platform/access'
import { createRouter, jsonBody, jsonContent, route } from '../../platform/openapi'
import { EVALUATOR_TOKEN_HEADER, evaluatorState, rateAtEvaluator } from './device.service'
import { citizenRatingPage, pendingRatings, rateAsCitizen, ratingForBooking } from './rating.service'

const tags = ['Ratings']
const TicketParam = z.object({ ticketId: z.string().uuid() })
const WindowParam = z.object({ windowId: z.string().uuid() })
const TokenHeader = z.object({ [EVALUATOR_TOKEN_HEADER]: z.string().max(200).optional() })

/** The citizen's side (rate a service I was served, see the follow-up) and the window evaluator tablet. */
export const ratingRoutes = createRouter()
  .openapi(
    route({
      method: 'get',
      path: '/api/ratings/pending',
      tags,
      access: CITIZEN,
      summary: 'Services I was served and can still rate',
      responses: { 200: jsonContent(z.object({ items: z.array(PendingRating) })) },
    }),
    async (c) => c.json({ items: await pendingRatings(c.get('ctx')) }, 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/ratings/bookings/{bookingId}',
      tags,
      access: CITIZEN,
      summary: 'The rating card of one of my bookings: its served ticket, whether it can be rated, the rating',
      request: { params: z.object({ bookingId: z.string().uuid() }) },
      responses: {
        200: jsonContent(z.object({ ticketId: z.string(), link: z.string(), canRate: z.boolean(), rateBy: z.string(), rating: RatingView.nullable() })),
      },
    }),
    async (c) => c.json(await ratingForBooking(c.get('ctx'), c.req.valid('param').bookingId), 200),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/ratings/tickets/{ticketId}',
      tags,
      access: CITIZEN,
      summary: 'The rate page of a service I was served: can I rate it, my rating, the follow-up of a bad rating',
      description: 'Only the citizen who was served sees it (404 for anyone else).',
      request: { params: TicketParam },
      responses: { 200: jsonContent(CitizenRatingPage) },
    }),
    async (c) => c.json(await citizenRatingPage(c.get('ctx'), c.req.valid('param').ticketId), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/ratings/tickets/{ticketId}',
      tags,
      access: CITIZEN,
      idempotent: true,
      summary: 'Rate a service I was served (once, in the app or at the window)',
      description:
        'Five levels; tags from the configured chips for the level; optional comment (≤ 200). A second rating of the same service → 409 `already_rated`; too late → 422 `rating_expired`; a bad rating opens a follow-up case.',
      request: { params: TicketParam, body: jsonBody(RatingCreate) },
      responses: { 201: jsonContent(CitizenRatingPage, 'Rated') },
    }),
    async (c) => c.json(await rateAsCitizen(c.get('ctx'), c.req.valid('param').ticketId, c.req.valid('json')), 201),
  )
  .openapi(
    route({
      method: 'get',
      path: '/api/evaluator/windows/{windowId}',
      tags: ['Ratings: evaluator'],
      access: PUBLIC,
      summary: 'The evaluator tablet at a window: window, staff, the service just completed (needs the device token)',
      description: `\`${EVALUATOR_TOKEN_HEADER}\`: the token issued for this window. Missing or revoked → 401 \`evaluator_unbound\`; another window's → 403 \`evaluator_wrong_window\`.`,
      request: { params: WindowParam, headers: TokenHeader },
      responses: { 200: jsonContent(EvaluatorState) },
    }),
    async (c) => c.json(await evaluatorState(c.get('ctx'), c.req.valid('param').windowId, c.req.valid('header')[EVALUATOR_TOKEN_HEADER]), 200),
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/evaluator/windows/{windowId}/ratings',
      tags: ['Ratings: evaluator'],
      access: PUBLIC,
      summary: 'Rate the service the window completed last, at the window (needs the device token)',
      description:
        'Only the ticket this window completed last, within the configured minutes (409 `not_current_ticket`, 422 `rating_expired`), once (409 `already_rated`). A bad rating may leave a phone number for the call-back.',
      request: { params: WindowParam, headers: TokenHeader, body: jsonBody(EvaluatorRatingCreate) },
      responses: { 201: jsonContent(z.object({ ok: z.literal(true), bad: z.boolean() }), 'Rated') },
    }),
    async (c) =>
      c.json(await rateAtEvaluator(c.get('ctx'), c.req.valid('param').windowId, c.req.valid('header')[EVALUATOR_TOKEN_HEADER], c.req.valid('json')), 201),
  )
