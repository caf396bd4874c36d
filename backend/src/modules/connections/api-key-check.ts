import Stripe from 'stripe';
import type { StatusMessage } from '../../db/schema/index.js';
import { AppError } from '../../http/app-error.js';

/** What the sync reads, the permission it needs, and what is lost without it. */
const READS = [
  { permission: 'customer_read', list: (s: Stripe) => s.customers.list({ limit: 1 }), skipped: 'customers (no participants can be imported)' },
  { permission: 'subscription_read', list: (s: Stripe) => s.subscriptions.list({ limit: 1 }), skipped: 'subscriptions (no MRR, plan, status or subscriber segments)' },
  { permission: 'invoice_read', list: (s: Stripe) => s.invoices.list({ limit: 1 }), skipped: 'invoices (no LTV)' },
  { permission: 'product_read', list: (s: Stripe) => s.products.list({ limit: 1 }), skipped: 'products (no per-product segments or plan names)' },
  { permission: 'plan_read', list: (s: Stripe) => s.prices.list({ limit: 1 }), skipped: 'prices (MRR from subscription items only)' },
  { permission: 'coupon_read', list: (s: Stripe) => s.coupons.list({ limit: 1 }), skipped: 'coupons (MRR before discounts)' },
  { permission: 'credit_note_read', list: (s: Stripe) => s.creditNotes.list({ limit: 1 }), skipped: 'credit notes (LTV is gross of refunds)' },
  { permission: 'event_read', list: (s: Stripe) => s.events.list({ limit: 1 }), skipped: 'events (missed webhooks cannot be recovered)' },
] as const;

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
    account = await stripe.accounts.retrieveCurrent();
  } catch (error) {
    if (error instanceof Stripe.errors.StripeAuthenticationError || error instanceof Stripe.errors.StripePermissionError) {
      throw new AppError(422, 'stripe_key_rejected', `Stripe rejected the key: ${error.message}`, [{ field: 'body.api_key', message: error.message }]);
    }
    throw error;
  }
  const outcomes = await Promise.all(
    READS.map(async (read) => {
      try {
        await read.list(stripe);
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
