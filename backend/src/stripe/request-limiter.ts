import pLimit from 'p-limit';
import pThrottle from 'p-throttle';

export type RequestLimiter = <T>(request: () => Promise<T>) => Promise<T>;

/**
 * Keeps one account's requests under Stripe's rate limit (strict: no burst over any 1 s window)
 * and bounds how many are in flight, so parallel ranges speed a backfill up without earning 429s.
 */
export function createRequestLimiter(options: { perSecond: number; concurrency: number }): RequestLimiter {
  const throttle = pThrottle({ limit: options.perSecond, interval: 1000, strict: true });
  const inFlight = pLimit(options.concurrency);
  const gate = throttle(async () => undefined);
  return (request) =>
    inFlight(async () => {
      await gate();
      return request();
    });
}
