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
    company: z.string().nullable(),
    groups: z.array(z.string()),
    custom_fields: z.record(z.string(), z.string()),
    sso_uid: z.string().nullable(),
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

/** `cus_…` (a Stripe customer) or `gcus_…` (a guest customer, whose figures are imported). */
export const STRIPE_CUSTOMER_ID = /^g?cus_[A-Za-z0-9]+$/;
export const StripeCustomerId = z.string().regex(STRIPE_CUSTOMER_ID, 'must be a Stripe customer id (cus_… or gcus_…)');

export const PARTICIPANT_FIELDS = [
  'source', 'stripe_customer_id', 'email', 'name', 'phone', 'company', 'groups', 'custom_fields', 'sso_uid', 'currency', 'metadata',
  'mrr', 'ltv', 'plan', 'plan_products', 'status', 'signup_at', 'deleted_in_stripe', 'last_synced_at', 'last_sync_error', 'created_at',
] as const;
export type ParticipantField = (typeof PARTICIPANT_FIELDS)[number];

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(item).min(1));
const amount = z.coerce.number().int().min(0);

export const ParticipantListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().optional().describe('`next_cursor` of the previous page (with the same sort and filters)'),
  mrr_min: amount.optional().describe('Minor units, inclusive'),
  mrr_max: amount.optional().describe('Minor units, inclusive'),
  ltv_min: amount.optional().describe('Minor units, inclusive'),
  ltv_max: amount.optional().describe('Minor units, inclusive'),
  plan: z.string().min(1).optional().describe('Exact plan name'),
  status: csv(CustomerStatus).optional().describe('One status or several, comma-separated'),
  segment_id: z.uuid().optional(),
  source: csv(z.enum(['stripe', 'csv', 'api', 'sso', 'manual'])).optional().describe('One source or several, comma-separated'),
  q: z.string().trim().min(1).max(200).optional().describe('Email or name starting with this text (case-insensitive), or exactly a Stripe customer id (`cus_…`, `gcus_…`)'),
  sort: z.enum(['created', 'mrr', 'ltv', 'email']).default('created'),
  order: z.enum(['asc', 'desc']).default('asc'),
  fields: csv(z.enum(PARTICIPANT_FIELDS)).optional().describe('Columns to return besides `id`, comma-separated; all when absent'),
});
export type ParticipantListQuery = z.infer<typeof ParticipantListQuery>;

/** A listed participant: `id` and the chosen `fields` (every field when none are chosen). */
export const ParticipantListItem = Participant.partial().required({ id: true });
export const ParticipantListPage = page(ParticipantListItem);

const optionalText = z.string().trim().max(500).nullable().optional();
const participantWrite = {
  name: optionalText,
  phone: z.string().trim().max(50).nullable().optional(),
  company: optionalText,
  groups: z.array(z.string().trim().min(1).max(100)).max(100).optional(),
  custom_fields: z.record(z.string().min(1).max(100), z.string().max(2000)).optional().describe('Merged into the existing custom fields; a key set to "" is removed'),
  sso_uid: z.string().trim().min(1).max(200).nullable().optional(),
  stripe_customer_id: StripeCustomerId.nullable().optional().describe('Linking (or changing) it syncs the participant from Stripe at once'),
};

export const CreateParticipantRequest = z.strictObject({ email: z.email().max(320), ...participantWrite });
export type CreateParticipantRequest = z.infer<typeof CreateParticipantRequest>;
export const UpdateParticipantRequest = z.strictObject({ email: z.email().max(320).optional(), ...participantWrite });
export type UpdateParticipantRequest = z.infer<typeof UpdateParticipantRequest>;
