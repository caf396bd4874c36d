import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import Stripe from 'stripe';

export type RequestLimiter = <T>(request: () => Promise<T>) => Promise<T>;

export interface Pacer {
  (): Promise<void>;
  /** Stripe refused a request with a 429: the pace drops, then climbs back to `perSecond`. */
  refused(): void;
}

/**
 * After a 429 the pace drops by this factor, once per second at most (one stall of either side
 * gets several requests refused at once), and climbs back by RECOVERY requests per second each
 * second, never below FLOOR of the configured rate. Stripe counts requests when they reach it, so
 * jitter on the way (an event loop busy parsing, a GC pause, either side) bunches up starts that
 * were evenly spaced here: running at the configured rate regardless turned that into up to ~60
 * refused requests a backfill, each one a request made twice. The climb is quick because every
 * second below the rate is lost (a drop of d requests/s climbed back at r costs d²/2r requests'
 * worth of time): at 0.5 requests/s per second the backfill's busiest step ran at 85–89 of its 95
 * req/s with 9–21 refusals; at 2, at 90 req/s with 27–37; at 5, 50–61 refusals, too close to the
 * 5% of extra requests a backfill may make.
 */
const BACKOFF = 0.95;
const RECOVERY = 2;
const FLOOR = 0.5;

/**
 * Starts calls at `perSecond` (or less after a refusal), evenly spaced, and never more than the
 * rate within any 1 s. Each start is given the slot after the previous slot, not after the moment
 * the previous timer fired: timers fire late by up to a millisecond, and spacing from the firing
 * made 95/s run at 91/s (as p-throttle's strict mode does), idling the rate limit a backfill is
 * bound by. Late timers can bunch starts up (after a stall of the event loop, all that waited),
 * so the starts of the last second are kept too, and a start that would make one too many waits
 * for the oldest.
 */
export function createPacer(perSecond: number, clock: { now(): number; sleep(ms: number): Promise<unknown> } = { now: () => performance.now(), sleep }): Pacer {
  const recent: number[] = [];
  let next = -Infinity;
  let rate = perSecond;
  let rateAt = clock.now();
  let refusedAt = -Infinity;
  const rateNow = (now: number) => {
    rate = Math.min(perSecond, rate + (RECOVERY * (now - rateAt)) / 1000);
    rateAt = now;
    return rate;
  };
  const pace = async () => {
    const at = clock.now();
    const slot = Math.max(at, next);
    next = slot + 1000 / rateNow(at);
    if (slot > at) await clock.sleep(slot - at);
    for (;;) {
      const now = clock.now();
      while (recent.length > 0 && recent[0]! <= now - 1000) recent.shift();
      if (recent.length < Math.max(1, Math.floor(rateNow(now)))) {
        recent.push(now);
        return;
      }
      await clock.sleep(recent[0]! + 1000 - now);
    }
  };
  const refused = () => {
    const now = clock.now();
    if (now - refusedAt < 1000) return;
    refusedAt = now;
    rate = Math.max(perSecond * FLOOR, rateNow(now) * BACKOFF);
  };
  return Object.assign(pace, { refused });
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
      try {
        return await request();
      } catch (error) {
        if (error instanceof Stripe.errors.StripeRateLimitError) pace.refused();
        throw error;
      }
    });
}
