import { z } from 'zod';
import { StripeConnection } from './connections.js';

/**
 * The Stripe App's views call these routes. Each request carries the signed identity in its body
 * and the signature from `fetchStripeSignature()` in a header; only `{user_id, account_id}` is
 * signed, so anything else in a request (a customer id in the path) is authorized by the account.
 */
export const AppUserRequest = z.object({
  headers: z.object({ 'stripe-signature': z.string().optional() }),
  body: z.object({
    user_id: z.string().regex(/^usr_/, 'must be a Stripe user id (usr_…)'),
    account_id: z.string().regex(/^acct_/, 'must be a Stripe account id (acct_…)'),
  }),
});

export const AppConnectionResponse = z.object({
  installed: z.boolean().describe('The backend holds credentials for this account'),
  linked: z.boolean().describe('A User Intuition workspace has claimed the install'),
  claim_code: z.string().nullable().describe('While not linked: the code to enter in User Intuition'),
  connection: StripeConnection.nullable().describe('Null before any install; a disconnected link shows its status only'),
});
export type AppConnectionResponse = z.infer<typeof AppConnectionResponse>;

/** Amounts in the minor unit of each currency (cents; yen for JPY), keyed by lowercase ISO code. */
const AmountByCurrency = z.record(z.string(), z.number().int());

export const AppSegment = z.object({
  key: z.string().describe('`all`, `active`, `trialing`, `churned` or `product:prod_…`'),
  name: z.string(),
  participant_count: z.number().int(),
  mrr_by_currency: AmountByCurrency,
});
export type AppSegment = z.infer<typeof AppSegment>;

export const AppSegmentsResponse = z.object({ segments: z.array(AppSegment) });
export type AppSegmentsResponse = z.infer<typeof AppSegmentsResponse>;

export const AppSyncResponse = z.object({
  scope: z.enum(['account', 'customer']).describe('What the queued sync covers: the whole account, or this one customer'),
  requested_at: z.iso.datetime({ offset: true }),
});
export type AppSyncResponse = z.infer<typeof AppSyncResponse>;

export const AppCustomerParams = z.object({
  id: z.string().regex(/^cus_[A-Za-z0-9]+$/, 'must be a Stripe customer id (cus_…)'),
});

export const ParticipantStatus = z.enum(['active', 'trial', 'churned', 'none']);

/** A Stripe customer as a research participant; amounts in the minor unit of `currency`. */
export const AppParticipant = z.object({
  id: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  currency: z.string().nullable(),
  mrr: z.number().int(),
  ltv: z.number().int(),
  plan: z.string().nullable(),
  plan_products: z.array(z.string()),
  status: ParticipantStatus,
  signup_at: z.iso.datetime({ offset: true }).nullable(),
  deleted_in_stripe: z.boolean(),
  last_synced_at: z.iso.datetime({ offset: true }).nullable(),
  last_sync_error: z.string().nullable(),
});
export type AppParticipant = z.infer<typeof AppParticipant>;

export const AppInvite = z.object({
  study_name: z.string(),
  status: z.string().describe('The invite\'s delivery status, e.g. `queued`, `sent`, `completed`, `failed`'),
  updated_at: z.iso.datetime({ offset: true }).nullable(),
});
export type AppInvite = z.infer<typeof AppInvite>;

export const AppCustomerResponse = z.object({
  customer_id: z.string(),
  participant: AppParticipant.nullable().describe('Null while this customer is not in the panel (not synced yet)'),
  segments: z.array(z.object({ key: z.string(), name: z.string() })),
  invites: z.array(AppInvite),
});
export type AppCustomerResponse = z.infer<typeof AppCustomerResponse>;
