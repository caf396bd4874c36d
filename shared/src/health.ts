import { z } from 'zod';

export const HealthResponse = z.object({ status: z.literal('ok') });

export const ReadinessResponse = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.string(), z.string()).describe('Each dependency: `ok` or what failed'),
});
export type ReadinessResponse = z.infer<typeof ReadinessResponse>;
