import { z } from 'zod';

export const FieldProblem = z.object({
  field: z.string().describe('Where the problem is, e.g. `body.email` or `query.limit`'),
  message: z.string(),
});

/** Every error the API answers has this shape; 5xx never carries internals. */
export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code, e.g. `validation_failed`, `not_found`'),
      message: z.string().describe('What went wrong, in words a developer can act on'),
      fields: z.array(FieldProblem).optional().describe('Present on `validation_failed`'),
      request_id: z.string().optional(),
    }),
  })
  .meta({ id: 'ErrorResponse' });
export type ErrorResponse = z.infer<typeof ErrorResponse>;
