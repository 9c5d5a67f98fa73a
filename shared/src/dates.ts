import { z } from 'zod'

/** A calendar date, YYYY-MM-DD, that exists (2026-02-30 and 2026-13-01 are refused, leap days kept). */
export const CalendarDate = z.iso.date({ error: 'Use YYYY-MM-DD (a date that exists)' })
