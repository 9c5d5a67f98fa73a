import { RatingConfig } from '@tp/shared/ratings/config'
import { audit } from '../../platform/audit'
import { type Ctx, requireStaff } from '../../platform/context'
import { loadRatingConfig } from './common'
import { ratingConfig } from './ratings.tables'

export const getRatingConfig = (ctx: Ctx) => loadRatingConfig(ctx.db)

/** Admins edit the scheme: tags, the follow-up deadline (applies to cases opened afterwards), the minimum sample … */
export async function saveRatingConfig(ctx: Ctx, input: RatingConfig): Promise<RatingConfig> {
  const actor = requireStaff(ctx.actor)
  const config = RatingConfig.parse(input)
  const before = await loadRatingConfig(ctx.db)
  await ctx.db
    .insert(ratingConfig)
    .values({ id: 'default', config, updatedBy: actor.id, updatedAt: ctx.now() })
    .onConflictDoUpdate({ target: ratingConfig.id, set: { config, updatedBy: actor.id, updatedAt: ctx.now() } })
  await audit(ctx, { entityType: 'rating_config', entityId: 'default', action: 'rating_config.update', before, after: config })
  return config
}
