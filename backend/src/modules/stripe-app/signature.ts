import Stripe from 'stripe';
import { AppError } from '../../http/app-error.js';

/** Stripe's own window for signed UI-extension calls; it must be passed or no age is checked. */
const TOLERANCE_SECONDS = 300;

export interface AppUser {
  user_id: string;
  account_id: string;
}

/**
 * Verifies a call from the Stripe App: the view signs `{user_id, account_id}` (in that key
 * order) with `fetchStripeSignature()`. Any configured secret may match, because a rotated-out
 * secret stays valid at Stripe for up to 24 hours.
 */
export function verifyAppSignature(secrets: string[], user: AppUser, header: string | undefined): void {
  if (!header) throw new AppError(401, 'missing_signature', 'send the Stripe-Signature header from fetchStripeSignature()');
  const payload = JSON.stringify({ user_id: user.user_id, account_id: user.account_id });
  const signature = Stripe.webhooks.signature;
  if (!signature) throw new Error('stripe-node has no webhook signature support in this runtime');
  for (const secret of secrets) {
    try {
      if (signature.verifyHeader(payload, header, secret, TOLERANCE_SECONDS)) return;
    } catch {
      // try the next secret
    }
  }
  throw new AppError(401, 'invalid_signature', 'the Stripe-Signature does not match this user and account, or is older than 5 minutes');
}
