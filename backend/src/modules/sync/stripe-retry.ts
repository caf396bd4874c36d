import Stripe from 'stripe';

const RETRYABLE = [Stripe.errors.StripeRateLimitError, Stripe.errors.StripeAPIError, Stripe.errors.StripeConnectionError];

export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** For a request someone waits on (connecting a key, an OAuth exchange): a few quick attempts. */
export const INTERACTIVE_RETRY: RetryOptions = { attempts: 3, baseDelayMs: 250, maxDelayMs: 1_000 };

/**
 * The service's one retry policy for Stripe calls: 429s, 5xx and connection errors, with
 * exponential backoff and full jitter (spreads parallel callers). stripe-node's own retries are
 * off (client.ts), so a failure is retried here only, and each attempt takes its turn at the
 * account's limiter like any other request. A POST retried here must carry one idempotency key
 * for all its attempts (stripe-node's default key is new for every call).
 */
export async function withStripeRetry<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { attempts = 8, baseDelayMs = 250, maxDelayMs = 8_000 } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const retryable = RETRYABLE.some((type) => error instanceof type) || (error instanceof Stripe.errors.StripeError && (error.statusCode ?? 0) >= 500);
      if (!retryable || attempt >= attempts) throw error;
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }
}
