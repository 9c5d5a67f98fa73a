import { z } from '@hono/zod-openapi'
import { Notification, PageQuery, pageOf } from '@tp/shared'
import { and, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm'
import { SIGNED_IN } from '../../platform/access'
import type { Actor } from '../../platform/context'
import { decodeCursor, encodeCursor } from '../../platform/cursor'
import type { Module } from '../../platform/module'
import { createRouter, jsonContent, route } from '../../platform/openapi'
import { notifications } from '../../platform/platform.tables'

const tags = ['Notifications']

function recipient(actor: Actor) {
  const type = actor.kind === 'staff' ? ('staff' as const) : ('citizen' as const)
  const id = actor.kind === 'staff' || actor.kind === 'citizen' ? actor.id : '00000000-0000-0000-0000-000000000000'
  return and(eq(notifications.recipientType, type), eq(notifications.recipientId, id))
}

const routes = createRouter()
  .openapi(
    route({
      method: 'get',
      path: '/api/notifications',
      tags,
      access: SIGNED_IN,
      summary: 'My notification inbox, newest first',
      request: { query: PageQuery },
      responses: { 200: jsonContent(pageOf(Notification).extend({ unread: z.number().int() })) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const { limit, cursor } = c.req.valid('query')
      const after = cursor ? decodeCursor(cursor) : null
      const rows = await ctx.db
        .select()
        .from(notifications)
        .where(
          and(
            recipient(ctx.actor),
            after ? or(lt(notifications.createdAt, after.at), and(eq(notifications.createdAt, after.at), lt(notifications.id, after.id))) : undefined,
          ),
        )
        .orderBy(desc(notifications.createdAt), desc(notifications.id))
        .limit(limit + 1)
      const [unread] = await ctx.db
        .select({ n: sql<number>`count(*)::int` })
        .from(notifications)
        .where(and(recipient(ctx.actor), isNull(notifications.readAt)))
      const page = rows.slice(0, limit)
      const last = page[page.length - 1]
      return c.json(
        {
          items: page.map((n) => ({
            id: n.id,
            messageKey: n.messageKey,
            params: n.params,
            link: n.link,
            readAt: n.readAt?.toISOString() ?? null,
            createdAt: n.createdAt.toISOString(),
          })),
          nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
          unread: unread?.n ?? 0,
        },
        200,
      )
    },
  )
  .openapi(
    route({
      method: 'post',
      path: '/api/notifications/read',
      tags,
      access: SIGNED_IN,
      summary: 'Mark notifications read (all, or the given ids)',
      request: { body: { required: true, content: { 'application/json': { schema: z.strictObject({ ids: z.array(z.uuid()).max(200).optional() }) } } } },
      responses: { 200: jsonContent(z.object({ updated: z.number().int() })) },
    }),
    async (c) => {
      const ctx = c.get('ctx')
      const { ids } = c.req.valid('json')
      const rows = await ctx.db
        .update(notifications)
        .set({ readAt: ctx.now() })
        .where(and(recipient(ctx.actor), isNull(notifications.readAt), ids ? inArray(notifications.id, ids) : undefined))
        .returning({ id: notifications.id })
      return c.json({ updated: rows.length }, 200)
    },
  )

export const notificationsModule: Module = { name: 'notifications', routes }
