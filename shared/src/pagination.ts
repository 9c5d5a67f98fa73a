import { z } from 'zod'

/** Keyset paging: lists that grow pass back the opaque `cursor` they were given. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
})
export type PageQuery = z.infer<typeof PageQuery>

/**
 * Keyset paging both ways for console tables over lists that grow: `cursor` is a previous
 * answer's `nextCursor` or `prevCursor` (opaque, bound to the sort); none: the first page.
 */
export const KeysetQuery = z.object({
  cursor: z.string().max(300).optional(),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
})
export type KeysetQuery = z.infer<typeof KeysetQuery>

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

/**
 * Totals of keyset lists are counted up to this many rows: counting more costs more than the page
 * (an index walk per row), and past it staff narrow the filters rather than read the number.
 */
export const LIST_TOTAL_CAP = 1000

export function keysetOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    totalCapped: z.boolean().describe(`More rows match than \`total\` (counted up to ${LIST_TOTAL_CAP})`),
    nextCursor: z.string().nullable().describe('The next page (`cursor=`), null on the last'),
    prevCursor: z.string().nullable().describe('The previous page (`cursor=`), null on the first'),
  })
}
export interface KeysetPage<T> {
  items: T[]
  total: number
  totalCapped: boolean
  nextCursor: string | null
  prevCursor: string | null
}
