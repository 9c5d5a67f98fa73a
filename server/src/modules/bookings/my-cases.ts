import type { CaseSummary } from '@tp/shared'
import { bookingMachine } from '@tp/shared/bookings/machines'
import { eq } from 'drizzle-orm'
import type { Ctx } from '../../platform/context'
import { citizenRows } from '../../platform/prepared'
import { bookings, offices, services } from './bookings.tables'

/** Only what a "我的办事" row shows. */
const mine = citizenRows({ name: 'bookings_mine', citizen: bookings.citizenId, newest: bookings.createdAt }, (db) =>
  db
    .select({
      id: bookings.id,
      code: bookings.code,
      state: bookings.state,
      startsAt: bookings.startsAt,
      updatedAt: bookings.updatedAt,
      officeName: offices.name,
      serviceName: services.name,
    })
    .from(bookings)
    .innerJoin(offices, eq(offices.id, bookings.officeId))
    .innerJoin(services, eq(services.id, bookings.serviceId))
    .$dynamic(),
)

/** "我的办事": the citizen's bookings as cases. */
export async function myBookingCases(ctx: Ctx, citizenId: string): Promise<CaseSummary[]> {
  const rows = await mine(ctx.db).execute({ citizenId })
  return rows.map((b) => ({
    kind: 'booking' as const,
    id: b.id,
    number: b.code,
    title: `${b.serviceName} · ${b.officeName}`,
    state: b.state,
    stateType: bookingMachine.typeOf(b.state),
    dueAt: b.state === 'booked' ? b.startsAt.toISOString() : null,
    updatedAt: b.updatedAt.toISOString(),
  }))
}
