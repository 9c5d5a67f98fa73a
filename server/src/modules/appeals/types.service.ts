import { APPEAL_TYPES, type AppealTypeConfig, type RecordedBy, typesFor } from '@tp/shared/appeals/config'
import type { AppealTypeCreateBody, AppealTypeSettingsBody, AppealTypeView } from '@tp/shared/appeals/schemas'
import { audit } from '../../platform/audit'
import { type Ctx, requireStaff, withDb } from '../../platform/context'
import { AppError, conflict, notFound } from '../../platform/errors'
import { appealTypeSettings } from './appeals.tables'

type Setting = typeof appealTypeSettings.$inferSelect

async function settings(ctx: Ctx): Promise<Setting[]> {
  return ctx.db.select().from(appealTypeSettings).orderBy(appealTypeSettings.updatedAt)
}

/** A built-in type with an admin's settings over it, or a type an admin added (all fields stored). */
function merged(base: AppealTypeConfig | undefined, s: Setting): AppealTypeConfig {
  return {
    key: s.key,
    label: s.label ?? base!.label,
    appliesTo: s.appliesTo ?? base!.appliesTo,
    clock: s.clock,
    citation: s.citation,
    forwardSameDay: s.forwardSameDay ?? base!.forwardSameDay,
    retired: s.retiredAt !== null,
  }
}

function configured(rows: readonly Setting[]): AppealTypeConfig[] {
  const byKey = new Map(rows.map((r) => [r.key, r]))
  const builtIn = APPEAL_TYPES.map((t) => {
    const s = byKey.get(t.key)
    return s ? merged(t, s) : { ...t, retired: false }
  })
  const added = rows.filter((r) => !APPEAL_TYPES.some((t) => t.key === r.key)).map((r) => merged(undefined, r))
  return [...builtIn, ...added]
}

/**
 * The appeal types as configured now, retired ones flagged: the built-in list with an admin's
 * settings where set, then the types admins added. Filing snapshots the clock and citation, so
 * an edit only affects later appeals.
 */
export async function appealTypes(ctx: Ctx): Promise<AppealTypeConfig[]> {
  return configured(await settings(ctx))
}

/** Types a citizen may choose for a ticket (active ones), most specific first. */
export async function typesForTicket(ctx: Ctx, recordedBy: RecordedBy): Promise<AppealTypeConfig[]> {
  return typesFor(recordedBy, await appealTypes(ctx))
}

export async function listTypeSettings(ctx: Ctx): Promise<AppealTypeView[]> {
  const rows = await settings(ctx)
  return configured(rows).map((t) => {
    const s = rows.find((r) => r.key === t.key)
    return {
      key: t.key,
      label: t.label,
      appliesTo: [...t.appliesTo],
      clock: { ...t.clock },
      citation: t.citation,
      forwardSameDay: t.forwardSameDay,
      customised: !!s,
      builtIn: APPEAL_TYPES.some((b) => b.key === t.key),
      retired: !!t.retired,
      updatedAt: s?.updatedAt.toISOString() ?? null,
    }
  })
}

const typeView = async (ctx: Ctx, key: string) => (await listTypeSettings(ctx)).find((t) => t.key === key)!
const snapshot = (t: AppealTypeConfig) => ({
  key: t.key,
  label: t.label,
  appliesTo: t.appliesTo,
  clock: t.clock,
  citation: t.citation,
  forwardSameDay: t.forwardSameDay,
  retired: !!t.retired,
})

/** An admin sets a type's clock policy and citation, its label, or retires / restores it (audited, before and after). */
export async function updateTypeSettings(ctx: Ctx, key: string, body: AppealTypeSettingsBody): Promise<AppealTypeView> {
  const actor = requireStaff(ctx.actor)
  const rows = await settings(ctx)
  const before = configured(rows).find((t) => t.key === key)
  if (!before) throw notFound('Appeal type')
  if (before.forwardSameDay && body.clock.startsOn !== 'filing')
    throw new AppError(400, 'validation_failed', 'Some fields are invalid', [
      { path: 'body.clock.startsOn', message: 'A type forwarded on the day of filing starts its clock on filing' },
    ])
  const retired = body.retired ?? !!before.retired
  const stored = rows.find((r) => r.key === key)
  const values = {
    key,
    clock: body.clock,
    citation: body.citation,
    ...(body.label ? { label: body.label } : {}),
    retiredAt: retired ? (stored?.retiredAt ?? ctx.now()) : null,
    updatedBy: actor.id,
    updatedAt: ctx.now(),
  }
  await ctx.db.transaction(async (tx) => {
    await tx.insert(appealTypeSettings).values(values).onConflictDoUpdate({ target: appealTypeSettings.key, set: values })
    const action = retired === !!before.retired ? 'appeal_type.update' : retired ? 'appeal_type.retire' : 'appeal_type.restore'
    const after = { ...snapshot(before), clock: body.clock, citation: body.citation, label: body.label ?? before.label, retired }
    await audit(withDb(ctx, tx), { entityType: 'appeal_type', action, before: snapshot(before), after })
  })
  return typeView(ctx, key)
}

/** An admin adds an appeal type with its clock policy and citation (audited). Keys are permanent. */
export async function addType(ctx: Ctx, body: AppealTypeCreateBody): Promise<AppealTypeView> {
  const actor = requireStaff(ctx.actor)
  if ((await appealTypes(ctx)).some((t) => t.key === body.key)) throw conflict('type_exists', 'An appeal type with this key already exists')
  const t: AppealTypeConfig = { ...body, retired: false }
  await ctx.db.transaction(async (tx) => {
    const [created] = await tx
      .insert(appealTypeSettings)
      .values({ ...body, updatedBy: actor.id, updatedAt: ctx.now() })
      .onConflictDoNothing()
      .returning({ key: appealTypeSettings.key })
    if (!created) throw conflict('type_exists', 'An appeal type with this key already exists')
    await audit(withDb(ctx, tx), { entityType: 'appeal_type', action: 'appeal_type.create', after: snapshot(t) })
  })
  return typeView(ctx, body.key)
}
