import { z } from 'zod'

/** One row of a citizen's "我的办事": every feature maps its cases to this. */
export const CaseKind = z.enum(['report', 'appeal', 'booking', 'rating'])
export type CaseKind = z.infer<typeof CaseKind>

export const CaseSummary = z.object({
  kind: CaseKind,
  id: z.string(),
  number: z.string(),
  title: z.string(),
  state: z.string(),
  stateType: z.enum(['open', 'closed', 'fixed']),
  dueAt: z.string().nullable(),
  updatedAt: z.string(),
})
export type CaseSummary = z.infer<typeof CaseSummary>

/** A step on a case timeline, shared by every feature's detail page. */
export const TimelineEvent = z.object({
  id: z.string(),
  at: z.string(),
  action: z.string(),
  actorRole: z.string(),
  fromState: z.string().nullable(),
  toState: z.string().nullable(),
  note: z.string().nullable(),
  attachments: z.array(z.object({ id: z.string(), url: z.string(), thumbUrl: z.string().nullable(), name: z.string() })).default([]),
})
export type TimelineEvent = z.infer<typeof TimelineEvent>

export const Notification = z.object({
  id: z.string(),
  messageKey: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  link: z.string().nullable(),
  readAt: z.string().nullable(),
  createdAt: z.string(),
})
export type Notification = z.infer<typeof Notification>
