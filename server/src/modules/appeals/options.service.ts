import {
  type AppealOutcome,
  type ConfiguredOption,
  configuredList,
  DEFAULT_OPTIONS,
  inactiveKeys,
  type Localized,
  OPTION_LISTS,
  type OptionList,
} from '@tp/shared/appeals/config'
import type { OptionCreateBody, OptionListsView, OptionUpdateBody } from '@tp/shared/appeals/schemas'
import { and, eq } from 'drizzle-orm'
import { audit } from '../../platform/audit'
import { type Ctx, requireStaff, withDb } from '../../platform/context'
import { AppError, badRequest, conflict, notFound } from '../../platform/errors'
import { appealOptions } from './appeals.tables'

type Stored = typeof appealOptions.$inferSelect

const fromRow = (r: Stored): ConfiguredOption => ({
  key: r.key,
  label: r.label,
  ...(r.outcome ? { outcome: r.outcome } : {}),
  ...(r.text !== null ? { text: r.text } : {}),
  retired: r.retiredAt !== null,
  position: r.position,
})

/** Every configured list: built-in entries as an admin left them, plus the admin's own; retired ones flagged. */
export async function optionLists(ctx: Ctx): Promise<OptionListsView> {
  const rows = await ctx.db.select().from(appealOptions)
  const of = (list: OptionList) => configuredList(DEFAULT_OPTIONS[list], rows.filter((r) => r.list === list).map(fromRow))
  return Object.fromEntries(OPTION_LISTS.map((l) => [l, of(l)])) as OptionListsView
}

export async function optionList(ctx: Ctx, list: OptionList): Promise<ConfiguredOption[]> {
  return (await optionLists(ctx))[list]
}

/** The label of a key in a list (retired entries still label old cases); the key itself if unknown. */
export function labelOf(list: readonly { key: string; label: Localized }[], key: string, locale: 'zh-CN' | 'en' = 'zh-CN'): string {
  return list.find((o) => o.key === key)?.label[locale] ?? key
}

/** A 400 naming each field that holds a key which is not an active configured entry. */
export const inactiveOption = (paths: readonly string[]) =>
  new AppError(
    400,
    'validation_failed',
    'Some fields are invalid',
    paths.map((path) => ({ path, message: 'Not an available option', code: 'inactive_option' })),
  )

/**
 * Refuses keys that are not active entries of the list: a 400 whose details name each field,
 * e.g. `body.grounds` or `body.legalBasis.0`.
 */
export async function requireActive(ctx: Ctx, list: OptionList, keys: readonly string[], path: (i: number) => string): Promise<void> {
  const bad = inactiveKeys(await optionList(ctx, list), keys)
  if (bad.length) throw inactiveOption(keys.flatMap((k, i) => (bad.includes(k) ? [path(i)] : [])))
}

function templateFields(list: OptionList, body: { outcome?: AppealOutcome; text?: string }, current?: ConfiguredOption) {
  if (list !== 'templates') {
    if (body.outcome !== undefined || body.text !== undefined)
      throw badRequest('Only templates have an outcome and a text', [
        { path: body.outcome !== undefined ? 'body.outcome' : 'body.text', message: 'Templates only' },
      ])
    return {}
  }
  const outcome = body.outcome ?? current?.outcome
  const text = body.text ?? current?.text
  const missing = [...(outcome ? [] : ['body.outcome']), ...(text ? [] : ['body.text'])]
  if (missing.length)
    throw badRequest(
      'A template needs an outcome and a text',
      missing.map((path) => ({ path, message: 'Required' })),
    )
  return { outcome, text }
}

const snapshot = (o: ConfiguredOption) => ({ key: o.key, label: o.label, outcome: o.outcome, text: o.text, retired: o.retired, position: o.position })

/** An admin adds an entry at the end of the list (audited). Keys are permanent and unique in the list. */
export async function addOption(ctx: Ctx, list: OptionList, body: OptionCreateBody): Promise<ConfiguredOption> {
  const actor = requireStaff(ctx.actor)
  const current = await optionList(ctx, list)
  if (current.some((o) => o.key === body.key)) throw conflict('option_exists', 'An entry with this key already exists')
  const values = {
    list,
    key: body.key,
    label: body.label,
    ...templateFields(list, body),
    position: Math.max(-1, ...current.map((o) => o.position)) + 1,
    updatedBy: actor.id,
    updatedAt: ctx.now(),
  }
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.insert(appealOptions).values(values).onConflictDoNothing().returning()
    if (!row) throw conflict('option_exists', 'An entry with this key already exists')
    const after = fromRow(row!)
    await audit(withDb(ctx, tx), { entityType: 'appeal_option', action: 'appeal_option.create', after: { list, ...snapshot(after) } })
    return after
  })
}

/** An admin edits an entry's label (a template's outcome and text too), or retires / restores it (audited). */
export async function updateOption(ctx: Ctx, list: OptionList, key: string, body: OptionUpdateBody): Promise<ConfiguredOption> {
  const actor = requireStaff(ctx.actor)
  const before = (await optionList(ctx, list)).find((o) => o.key === key)
  if (!before) throw notFound('Option')
  const retired = body.retired ?? before.retired
  const [stored] = await ctx.db
    .select({ retiredAt: appealOptions.retiredAt })
    .from(appealOptions)
    .where(and(eq(appealOptions.list, list), eq(appealOptions.key, key)))
  const values = {
    list,
    key,
    label: body.label,
    ...templateFields(list, body, before),
    position: before.position,
    retiredAt: retired ? (stored?.retiredAt ?? ctx.now()) : null,
    updatedBy: actor.id,
    updatedAt: ctx.now(),
  }
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(appealOptions)
      .values(values)
      .onConflictDoUpdate({ target: [appealOptions.list, appealOptions.key], set: values })
      .returning()
    const after = fromRow(row!)
    const action = retired === before.retired ? 'appeal_option.update' : retired ? 'appeal_option.retire' : 'appeal_option.restore'
    await audit(withDb(ctx, tx), { entityType: 'appeal_option', action, before: { list, ...snapshot(before) }, after: { list, ...snapshot(after) } })
    return after
  })
}

/** An admin reorders a list: `keys` is every key of the list once, in the new order (audited). */
export async function reorderOptions(ctx: Ctx, list: OptionList, keys: readonly string[]): Promise<ConfiguredOption[]> {
  const actor = requireStaff(ctx.actor)
  const current = await optionList(ctx, list)
  const known = new Set(current.map((o) => o.key))
  if (keys.length !== known.size || keys.some((k) => !known.has(k)))
    throw badRequest('Send every key of the list once', [{ path: 'body.keys', message: 'Must list every key of the list once' }])
  await ctx.db.transaction(async (tx) => {
    for (const [position, key] of keys.entries()) {
      const o = current.find((x) => x.key === key)!
      if (o.position === position) continue
      const values = {
        list,
        key,
        label: o.label,
        outcome: o.outcome ?? null,
        text: o.text ?? null,
        position,
        updatedBy: actor.id,
        updatedAt: ctx.now(),
      }
      await tx
        .insert(appealOptions)
        .values(values)
        .onConflictDoUpdate({ target: [appealOptions.list, appealOptions.key], set: { position, updatedBy: actor.id, updatedAt: ctx.now() } })
    }
    await audit(withDb(ctx, tx), {
      entityType: 'appeal_option',
      action: 'appeal_option.reorder',
      before: { list, keys: current.map((o) => o.key) },
      after: { list, keys },
    })
  })
  return optionList(ctx, list)
}
