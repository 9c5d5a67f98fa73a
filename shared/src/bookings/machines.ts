import type { ActorRole } from '../roles'
import { defineMachine } from '../state-machine'
import type { BookingState, TicketState } from './schemas'

const HALL: readonly ActorRole[] = ['window_staff', 'unit_head', 'admin']

export type BookingAction = 'check_in' | 'cancel' | 'reschedule' | 'mark_no_show' | 'complete' | 'miss' | 'requeue'

/**
 * A booking: booked → checked in (a queue ticket is issued) → done when the window completes it.
 * Cancelled by the citizen before the cut-off (or by the office); no-show when nobody checked in
 * by the end of the check-in window (a strike); missed when the citizen checked in but did not
 * answer the call (no strike; staff can put them back in the queue).
 * Time rules (cut-off, check-in window) are checked on top of the machine by the service.
 */
export const bookingMachine = defineMachine<BookingState, BookingAction>({
  states: {
    booked: { type: 'open' },
    checked_in: { type: 'open' },
    done: { type: 'fixed' },
    cancelled: { type: 'closed' },
    no_show: { type: 'closed' },
    missed: { type: 'closed' },
  },
  transitions: [
    { action: 'reschedule', from: ['booked'], to: 'booked', roles: ['citizen'] },
    { action: 'cancel', from: ['booked'], to: 'cancelled', roles: ['citizen', 'unit_head', 'admin'] },
    { action: 'check_in', from: ['booked'], to: 'checked_in', roles: ['citizen', ...HALL] },
    // A late arrival on the same day, after the no-show sweep: staff may still check them in.
    { action: 'check_in', from: ['no_show'], to: 'checked_in', roles: HALL },
    { action: 'mark_no_show', from: ['booked'], to: 'no_show', roles: ['system', ...HALL] },
    { action: 'complete', from: ['checked_in'], to: 'done', roles: [...HALL, 'system'] },
    { action: 'miss', from: ['checked_in'], to: 'missed', roles: [...HALL, 'system'] },
    { action: 'requeue', from: ['missed'], to: 'checked_in', roles: HALL },
  ],
})

export type TicketAction = 'call' | 'recall' | 'start' | 'complete' | 'skip' | 'transfer' | 'requeue' | 'cancel'

/**
 * A queue ticket: waiting → called (叫号; may be called again) → serving → done. A called ticket
 * nobody answers is skipped (no_show) and may be put back in the queue; a transfer closes the
 * ticket as transferred and opens a new waiting one (same number) at the target window.
 */
export const ticketMachine = defineMachine<TicketState, TicketAction>({
  states: {
    waiting: { type: 'open' },
    called: { type: 'open' },
    serving: { type: 'open' },
    done: { type: 'fixed' },
    no_show: { type: 'closed' },
    transferred: { type: 'closed' },
    cancelled: { type: 'closed' },
  },
  transitions: [
    { action: 'call', from: ['waiting'], to: 'called', roles: HALL },
    { action: 'recall', from: ['called'], to: 'called', roles: HALL },
    { action: 'start', from: ['called'], to: 'serving', roles: HALL },
    { action: 'complete', from: ['called', 'serving'], to: 'done', roles: HALL },
    { action: 'skip', from: ['called'], to: 'no_show', roles: HALL },
    { action: 'transfer', from: ['waiting', 'called', 'serving'], to: 'transferred', roles: HALL },
    { action: 'requeue', from: ['no_show'], to: 'waiting', roles: HALL },
    { action: 'cancel', from: ['waiting'], to: 'cancelled', roles: ['system', ...HALL] },
  ],
})

/** States in which a booking holds a place (one per citizen per service; capped in number). */
export const ACTIVE_BOOKING_STATES: readonly BookingState[] = ['booked', 'checked_in']
/** States in which a window is occupied by a ticket. */
export const AT_WINDOW_STATES: readonly TicketState[] = ['called', 'serving']
