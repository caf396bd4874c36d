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

/** Without it nothing can be imported: a key lacking it is refused rather than connected to sync nothing. */
const REQUIRED_PERMISSION = 'customer_read';

export interface KeyCheck {
  stripeAccountId: string;
  livemode: boolean;
  statusMessages: StatusMessage[];
}

const rejected = (message: string, code = 'stripe_key_rejected') => new AppError(422, code, message, [{ field: 'body.api_key', message }]);

/** How Stripe's permission errors name the account the key acts on. */
const NAMED_ACCOUNT = /\bon account '(acct_[A-Za-z0-9]+)'/;

/**
 * The account a key belongs to. A secret key (or a restricted key granted the account's KYC
 * permission) reads it from GET /v1/account; a read-only restricted key may not, and Stripe's
 * 403 then names the account instead ("… for this endpoint on account 'acct_…'"), in every
 * wording it has used since 2020 (dj-stripe#1131, stripe-node#2246, stripe/sync-engine#257). No
 * object such a key can list carries its account's id, so that sentence is the only place Stripe
 * says which account it is. Should Stripe ever stop naming it, the key is refused with a 422
 * saying so, never connected under a guessed identity: "one Stripe account per workspace" and
 * "one workspace per account" (see attach in service.ts) both rest on this id.
 */
async function accountOfKey(stripe: Stripe): Promise<string> {
  try {
    return (await withStripeRetry(() => stripe.accounts.retrieveCurrent(), INTERACTIVE_RETRY)).id;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeAuthenticationError) throw rejected(`Stripe rejected the key: ${error.message}`);
    if (!(error instanceof Stripe.errors.StripePermissionError)) throw error;
    const named = NAMED_ACCOUNT.exec(error.message)?.[1];
    if (named) return named;
    throw rejected(`Stripe did not say which account the key belongs to (${error.message}); use a key that can read the account, or a secret key`, 'stripe_account_unknown');
  }
}

/**
 * Asks Stripe whether the key works, whose it is and which reads it may do. A key Stripe rejects
 * is a 422 with Stripe's own reason; a key lacking some read permissions is accepted with one
 * message per gap, except customer_read, without which it is refused.
 */
export async function checkApiKey(stripe: Stripe, livemode: boolean): Promise<KeyCheck> {
  const stripeAccountId = await accountOfKey(stripe);
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
  const missing = outcomes.filter((read) => read !== undefined);
  if (missing.some((read) => read.permission === REQUIRED_PERMISSION)) {
    throw rejected(`The key lacks ${REQUIRED_PERMISSION} (Customers: Read): without it no participant can be imported`, 'stripe_key_insufficient');
  }
  const statusMessages = missing.map((read) => ({ code: `missing_${read.permission}`, message: `The key lacks ${read.permission}: ${read.skipped} will be skipped.` }));
  return { stripeAccountId, livemode, statusMessages };
}

export const maskApiKey = (key: string) => `${key.slice(0, key.indexOf('_', 3) + 1)}…${key.slice(-4)}`;
