import Stripe from 'stripe';
import type { StatusMessage } from '../../db/schema/index.js';
import { AppError } from '../../http/app-error.js';
import { STRIPE_OBJECT_TYPES } from '../../stripe/registry.js';
import { INTERACTIVE_RETRY, withStripeRetry } from '../sync/stripe-retry.js';

/** Each read the sync makes (the registry's types) plus events, which catch-up reads. */
const READS = [
  ...STRIPE_OBJECT_TYPES.map((type) => ({ permission: type.permission, skipped: type.skipped, list: (s: Stripe) => type.list(s, { limit: 1 }) })),
  { permission: 'event_read', skipped: 'events (missed webhooks cannot be recovered)', list: (s: Stripe) => s.events.list({ limit: 1 }) },
];

export interface KeyCheck {
  stripeAccountId: string;
  livemode: boolean;
  statusMessages: StatusMessage[];
}

/**
 * Asks Stripe whether the key works and which reads it may do. A key Stripe rejects is a 422 with
 * Stripe's own reason; a key lacking some read permissions is accepted with one message per gap.
 */
export async function checkApiKey(stripe: Stripe, livemode: boolean): Promise<KeyCheck> {
  let account: Stripe.Account;
  try {
    account = await withStripeRetry(() => stripe.accounts.retrieveCurrent(), INTERACTIVE_RETRY);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeAuthenticationError || error instanceof Stripe.errors.StripePermissionError) {
      throw new AppError(422, 'stripe_key_rejected', `Stripe rejected the key: ${error.message}`, [{ field: 'body.api_key', message: error.message }]);
    }
    throw error;
  }
  const outcomes = await Promise.all(
    READS.map(async (read) => {
      try {
        await withStripeRetry(() => read.list(stripe), INTERACTIVE_RETRY);
        return undefined;
      } catch (error) {
        if (error instanceof Stripe.errors.StripePermissionError) return read;
        throw error;
      }
    }),
  );
  const statusMessages = outcomes
    .filter((read) => read !== undefined)
    .map((read) => ({ code: `missing_${read.permission}`, message: `The key lacks ${read.permission}: ${read.skipped} will be skipped.` }));
  return { stripeAccountId: account.id, livemode, statusMessages };
}

export const maskApiKey = (key: string) => `${key.slice(0, key.indexOf('_', 3) + 1)}…${key.slice(-4)}`;
