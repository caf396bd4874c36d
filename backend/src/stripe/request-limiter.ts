import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';

export type RequestLimiter = <T>(request: () => Promise<T>) => Promise<T>;

/**
 * Starts calls at `perSecond`, evenly spaced, and never more than `perSecond` within any 1 s.
 * Each start is given the slot after the previous slot, not after the moment the previous timer
 * fired: timers fire late by up to a millisecond, and spacing from the firing made 95/s run at
 * 91/s (as p-throttle's strict mode does), idling the rate limit a backfill is bound by. Late
 * timers can bunch starts up (after a stall of the event loop, all that waited), so the starts of
 * the last second are kept too, and a start that would make one too many waits for the oldest.
 */
export function createPacer(perSecond: number, clock: { now(): number; sleep(ms: number): Promise<unknown> } = { now: () => performance.now(), sleep }): () => Promise<void> {
  const spacing = 1000 / perSecond;
  const perWindow = Math.max(1, Math.floor(perSecond));
  const recent: number[] = [];
  let next = -Infinity;
  return async () => {
    const at = clock.now();
    const slot = Math.max(at, next);
    next = slot + spacing;
    if (slot > at) await clock.sleep(slot - at);
    for (;;) {
      const now = clock.now();
      while (recent.length > 0 && recent[0]! <= now - 1000) recent.shift();
      if (recent.length < perWindow) {
        recent.push(now);
        return;
      }
      await clock.sleep(recent[0]! + 1000 - now);
    }
  };
}

/**
 * Keeps one account's requests under Stripe's rate limit and bounds how many are in flight, so
 * parallel ranges speed a backfill up without earning 429s.
 */
export function createRequestLimiter(options: { perSecond: number; concurrency: number }): RequestLimiter {
  const pace = createPacer(options.perSecond);
  const inFlight = pLimit(options.concurrency);
  return (request) =>
    inFlight(async () => {
      await pace();
      return request();
    });
}
