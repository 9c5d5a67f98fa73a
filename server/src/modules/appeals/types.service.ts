import { APPEAL_TYPES, type AppealTypeConfig, type RecordedBy } from '@tp/shared/appeals/config'
import type { AppealTypeSettingsBody, AppealTypeView } from '@tp/shared/appeals/schemas'
import { audit } from '../../platform/audit'
import { type Ctx, requireStaff } from '../../platform/context'
import { notFound } from '../../platform/errors'
import { appealTypeSettings } from './appeals.tables'

type Setting = typeof appealTypeSettings.$inferSelect

async function settings(ctx: Ctx): Promise<Map<string, Setting>> {
  const rows = await ctx.db.select().from(appealTypeSettings)
  return new Map(rows.map((r) => [r.key, r]))
}

const merged = (t: AppealTypeConfig, s: Setting | undefined): AppealTypeConfig => (s ? { ...t, clock: s.clock, citation: s.citation } : t)

/**
 * The appeal types as configured now: the built-in list with an admin's clock policy and
 * citation where set. Filing snapshots the clock, so an edit only affects later appeals.
 */
export async function appealTypes(ctx: Ctx): Promise<AppealTypeConfig[]> {
  const s = await settings(ctx)
  return APPEAL_TYPES.map((t) => merged(t, s.get(t.key)))
}

/** Types a citizen may choose for a ticket, most specific first. */
export async function typesForTicket(ctx: Ctx, recordedBy: RecordedBy): Promise<AppealTypeConfig[]> {
  return (await appealTypes(ctx)).filter((t) => t.appliesTo.includes(recordedBy)).sort((a, b) => a.appliesTo.length - b.appliesTo.length)
}

export async function listTypeSettings(ctx: Ctx): Promise<AppealTypeView[]> {
  const s = await settings(ctx)
  return APPEAL_TYPES.map((t) => {
    const m = merged(t, s.get(t.key))
    return {
      key: t.key as never,
      label: t.label,
      appliesTo: [...t.appliesTo],
      clock: { ...m.clock },
      citation: m.citation,
      forwardSameDay: t.forwardSameDay,
      customised: s.has(t.key),
      updatedAt: s.get(t.key)?.updatedAt.toISOString() ?? null,
    }
  })
}

/** An admin sets a type's clock policy and citation (audited, before and after). */
export async function updateTypeSettings(ctx: Ctx, key: string, body: AppealTypeSettingsBody): Promise<AppealTypeView> {
  const actor = requireStaff(ctx.actor)
  const base = APPEAL_TYPES.find((t) => t.key === key)
  if (!base) throw notFound('Appeal type')
  const before = (await appealTypes(ctx)).find((t) => t.key === key)!
  const values = { key, clock: body.clock, citation: body.citation, updatedBy: actor.id, updatedAt: ctx.now() }
  await ctx.db.insert(appealTypeSettings).values(values).onConflictDoUpdate({ target: appealTypeSettings.key, set: values })
  await audit(ctx, {
    entityType: 'appeal_type',
    action: 'appeal_type.update',
    before: { key, clock: before.clock, citation: before.citation },
    after: { key, clock: body.clock, citation: body.citation },
  })
  return (await listTypeSettings(ctx)).find((t) => t.key === key)!
}
