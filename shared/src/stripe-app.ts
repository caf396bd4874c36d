import { z } from 'zod';
import { StripeConnection } from './connections.js';

/** What every signed Stripe App call sends: the signed identity in the body, the signature in a header. */
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
  connection: StripeConnection.nullable(),
});
export type AppConnectionResponse = z.infer<typeof AppConnectionResponse>;
