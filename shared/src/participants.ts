import { z } from 'zod';

const timestamp = z.iso.datetime({ offset: true });

export const CustomerStatus = z.enum(['active', 'trial', 'churned', 'none']);

export const Participant = z
  .object({
    id: z.uuid(),
    source: z.enum(['stripe', 'csv', 'api', 'sso', 'manual']),
    stripe_customer_id: z.string().nullable(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    phone: z.string().nullable(),
    currency: z.string().nullable().describe('Lowercase ISO code; `mrr` and `ltv` are in its minor unit'),
    metadata: z.record(z.string(), z.string()),
    mrr: z.number().int().describe('Monthly recurring revenue, minor units'),
    ltv: z.number().int().describe('Lifetime value realized (paid minus refunded), minor units'),
    plan: z.string().nullable(),
    plan_products: z.array(z.string()),
    status: CustomerStatus,
    signup_at: timestamp.nullable(),
    deleted_in_stripe: z.boolean(),
    last_synced_at: timestamp.nullable(),
    last_sync_error: z.string().nullable(),
    created_at: timestamp,
  })
  .meta({ id: 'Participant' });
export type Participant = z.infer<typeof Participant>;

export const Segment = z
  .object({
    id: z.uuid(),
    key: z.string().describe('`all`, `active`, `trialing`, `churned` or `product:<prod_id>`'),
    name: z.string(),
    participant_count: z.number().int(),
    mrr: z.record(z.string(), z.number().int()).describe('Total MRR of the members per currency, minor units'),
  })
  .meta({ id: 'Segment' });
export type Segment = z.infer<typeof Segment>;

export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().optional().describe('`next_cursor` of the previous page'),
});

export const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), next_cursor: z.string().nullable() });
export const ParticipantPage = page(Participant);
export const SegmentList = z.object({ data: z.array(Segment) });
export const IdParams = z.object({ id: z.uuid() });
