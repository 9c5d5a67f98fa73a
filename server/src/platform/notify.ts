import { sql } from 'drizzle-orm'
import type { Ctx } from './context'
import { notifications } from './platform.tables'
import { jsonParam, prepared } from './prepared'

export interface NotifyInput {
  recipientType: 'citizen' | 'staff'
  recipientId: string
  /** i18n key under `notify.` in the web's message files, e.g. 'appeal.accepted'. */
  messageKey: string
  params?: Record<string, string | number>
  /** In-app path the notification opens, e.g. '/appeals/123'. */
  link?: string
}

/** Writes to the recipient's inbox (in the caller's transaction) and pushes a live event. */
export async function notify(ctx: Ctx, n: NotifyInput): Promise<void> {
  const [row] = await inboxInsert(ctx.db).execute({
    recipientType: n.recipientType,
    recipientId: n.recipientId,
    messageKey: n.messageKey,
    params: JSON.stringify(n.params ?? {}),
    link: n.link ?? null,
  })
  emitNotification(ctx, row?.id, n)
}

// Most state changes tell someone: prepared (platform/prepared.ts).
const inboxInsert = prepared((db) =>
  db
    .insert(notifications)
    .values({
      recipientType: sql.placeholder('recipientType'),
      recipientId: sql.placeholder('recipientId'),
      messageKey: sql.placeholder('messageKey'),
      params: jsonParam('params'),
      link: sql.placeholder('link'),
    })
    .returning({ id: notifications.id })
    .prepare('inbox_insert'),
)

/** The live event of an inbox row (for a writer that inserted the row itself). */
export function emitNotification(ctx: Ctx, id: string | undefined, n: NotifyInput): void {
  ctx.emit({
    type: 'notification',
    audience: n.recipientType === 'citizen' ? { citizenIds: [n.recipientId] } : { staffIds: [n.recipientId] },
    data: { id, messageKey: n.messageKey, link: n.link ?? null },
  })
}
