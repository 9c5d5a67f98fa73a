import { pruneIdempotencyKeys } from '../../platform/idempotency'
import type { Module } from '../../platform/module'
import { pruneRateLimits } from '../../platform/rate-limit'
import { identityRoutes } from './identity.routes'
import { seedIdentity } from './identity.seed'
import { pruneOtpCodes } from './otp.service'
import { pruneSessions } from './sessions'
import { pruneWechatPending } from './wechat.service'

export const identityModule: Module & { seedIdentity: typeof seedIdentity } = {
  name: 'identity',
  routes: identityRoutes,
  seedIdentity,
  jobs: [
    {
      // Ended sessions, expired codes and pending WeChat bindings, old rate-limit windows and idempotency keys.
      name: 'identity.housekeeping',
      everyMs: 3_600_000,
      async run(ctx) {
        const now = ctx.now()
        await pruneSessions(ctx.db, now)
        await pruneOtpCodes(ctx)
        await pruneWechatPending(ctx)
        await pruneRateLimits(ctx.db, now)
        await pruneIdempotencyKeys(ctx.db, now)
      },
    },
  ],
}
