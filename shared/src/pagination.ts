import { z } from 'zod'

/** Keyset paging: lists that grow pass back the opaque `cursor` they were given. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
})
export type PageQuery = z.infer<typeof PageQuery>

/** Offset paging for console tables with arbitrary sorting. */
export const TableQuery = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
})
export type TableQuery = z.infer<typeof TableQuery>

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() })
}

export function tableOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int() })
}
