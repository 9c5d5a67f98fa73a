import { z } from 'zod'

/** The one error envelope every API failure uses. */
export const ErrorDetail = z.object({
  path: z.string().describe('Dotted path of the offending field, e.g. "body.phone"'),
  message: z.string(),
  code: z.string().optional(),
})
export type ErrorDetail = z.infer<typeof ErrorDetail>

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(ErrorDetail),
    requestId: z.string().optional(),
  }),
})
export type ErrorBody = z.infer<typeof ErrorBody>
