import Stripe from 'stripe';

const RETRYABLE = [Stripe.errors.StripeRateLimitError, Stripe.errors.StripeAPIError, Stripe.errors.StripeConnectionError];

export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * stripe-node retries connection errors and 5xx itself but not 429s; a backfill must ride out
 * both, so calls are retried with exponential backoff and full jitter (spreads parallel callers).
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
