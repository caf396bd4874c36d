import { setTimeout as sleep } from 'node:timers/promises';

export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<unknown>;
}

const realClock: PacerClock = { now: () => performance.now(), sleep };

export interface Pacer {
  (): Promise<void>;
  /** Stripe refused a request with a 429: the pace drops, then climbs back to `perSecond`. */
  refused(): void;
}

/**
 * After a 429 the pace drops by this factor, once per second at most (one stall of either side
 * gets several requests refused at once), and climbs back by RECOVERY_SHARE of the rate each
 * second, never below FLOOR of the configured rate. Stripe counts requests when they reach it, so
 * jitter on the way (an event loop busy parsing, a GC pause, either side) bunches up starts that
 * were evenly spaced here: running at the configured rate regardless turned that into up to ~60
 * refused requests a backfill, each one a request made twice. The climb is quick because every
 * second below the rate is lost (a drop of d requests/s climbed back at r costs d²/2r requests'
 * worth of time): at 0.5 requests/s per second the backfill's busiest step ran at 85–89 of its 95
 * req/s with 9–21 refusals; at 2, at 90 req/s with 27–37; at 5, 50–61 refusals, too close to the
 * 5% of extra requests a backfill may make. The climb is a share of the rate (2 requests/s per
 * second at 100/s): an endpoint's 24/s climbing back by 2 each second was at its full rate again
 * within 0.6 s of a refusal, and refused again (64 refusals of 1,950 invoice pages in a backfill).
 */
const BACKOFF = 0.95;
const RECOVERY_SHARE = 0.02;
const FLOOR = 0.5;

/**
 * One rate: starts evenly spaced at `perSecond` (or less after a refusal), and never more than
 * the rate within any 1 s. Each start is given the slot after the previous slot, not after the
 * moment the previous timer fired: timers fire late by up to a millisecond, and spacing from the
 * firing made 95/s run at 91/s (as p-throttle's strict mode does), idling the rate limit a
 * backfill is bound by. Late timers can bunch starts up (after a stall of the event loop, all that
 * waited), so the starts of the last second are kept too, and a start that would make one too
 * many waits for the oldest.
 */
class Rate {
  private readonly recent: number[] = [];
  private next = -Infinity;
  private rate: number;
  private rateAt: number;
  private refusedAt = -Infinity;

  constructor(
    private readonly perSecond: number,
    now: number,
  ) {
    this.rate = perSecond;
    this.rateAt = now;
  }

  private current(now: number): number {
    this.rate = Math.min(this.perSecond, this.rate + (RECOVERY_SHARE * this.perSecond * (now - this.rateAt)) / 1000);
    this.rateAt = now;
    return this.rate;
  }

  /** The time of this start's slot; the next slot follows it. */
  reserve(now: number): number {
    const slot = Math.max(now, this.next);
    this.next = slot + 1000 / this.current(now);
    return slot;
  }

  /** How long until a start now would keep the last second within the rate (0: it would). */
  wait(now: number): number {
    while (this.recent.length > 0 && this.recent[0]! <= now - 1000) this.recent.shift();
    return this.recent.length < Math.max(1, Math.floor(this.current(now))) ? 0 : this.recent[0]! + 1000 - now;
  }

  start(now: number): void {
    this.recent.push(now);
  }

  refused(now: number): void {
    if (now - this.refusedAt < 1000) return;
    this.refusedAt = now;
    this.rate = Math.max(this.perSecond * FLOOR, this.current(now) * BACKOFF);
  }
}

/**
 * Waits for a start that every rate allows, all checked at the same moment and counted together:
 * checked one after the other, a start held up by one rate would count against the others before
 * it happened. Slots are taken in order (the narrowest rate first), so a request waiting for its
 * endpoint does not hold a slot of the account's meanwhile. `takeRoom` takes a place in flight,
 * in the same synchronous step, or returns what to wait for.
 */
async function startWithin(clock: PacerClock, rates: Rate[], takeRoom: () => Promise<void> | undefined): Promise<void> {
  for (const rate of rates) {
    const at = clock.now();
    const slot = rate.reserve(at);
    if (slot > at) await clock.sleep(slot - at);
  }
  for (;;) {
    const now = clock.now();
    const wait = Math.max(...rates.map((rate) => rate.wait(now)));
    if (wait > 0) {
      await clock.sleep(wait);
      continue;
    }
    const full = takeRoom();
    if (full) {
      await full;
      continue;
    }
    for (const rate of rates) rate.start(now);
    return;
  }
}

export function createPacer(perSecond: number, clock: PacerClock = realClock): Pacer {
  const rate = new Rate(perSecond, clock.now());
  return Object.assign(() => startWithin(clock, [rate], () => undefined), { refused: () => rate.refused(clock.now()) });
}

/** What Stripe's 429 names in `Stripe-Rate-Limited-Reason`: which of its limiters refused. */
const ACCOUNT_REASONS = new Set(['global-rate', 'global-concurrency']);

export interface AccountLimits {
  /** The account's global rate (requests/s over every endpoint). */
  perSecond: number;
  /** The rate of one endpoint (`GET /v1/invoices`). */
  endpointPerSecond(endpoint: string): number;
  /** Requests in flight at most. */
  concurrency: number;
}

export interface AccountLimiter {
  /** Runs `request` (to `endpoint`) once its endpoint's pace and the account's allow, with room in flight. */
  <T>(endpoint: string, request: () => Promise<T>): Promise<T>;
  /**
   * Stripe refused a request to `endpoint` with a 429: the pace of the limiter it names drops
   * (the account's for `global-*`); without a reason, the endpoint's, the narrower change.
   */
  refused(endpoint: string, reason: string | undefined): void;
  /** No request in flight and none started for `ms`. */
  idleFor(ms: number): boolean;
}

/**
 * Keeps one account's requests under Stripe's limits (docs.stripe.com/rate-limits): a pace per
 * endpoint nested in the account's global pace, and a bound on the requests in flight, so
 * parallel readers speed a backfill up without earning 429s. Every request to Stripe goes
 * through it, retries included (client.ts), so a retry takes its turn like any other request.
 */
export function createAccountLimiter(limits: AccountLimits, clock: PacerClock = realClock): AccountLimiter {
  const global = new Rate(limits.perSecond, clock.now());
  const endpoints = new Map<string, Rate>();
  const rateOf = (endpoint: string) => {
    let rate = endpoints.get(endpoint);
    if (!rate) endpoints.set(endpoint, (rate = new Rate(limits.endpointPerSecond(endpoint), clock.now())));
    return rate;
  };
  let inFlight = 0;
  let lastStart = -Infinity;
  let freed: { promise: Promise<void>; resolve: () => void } | undefined;
  const takeRoom = () => {
    if (inFlight < limits.concurrency) {
      inFlight++;
      return undefined;
    }
    if (!freed) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      freed = { promise, resolve };
    }
    return freed.promise;
  };
  const limiter = async <T>(endpoint: string, request: () => Promise<T>): Promise<T> => {
    await startWithin(clock, [rateOf(endpoint), global], takeRoom);
    lastStart = clock.now();
    try {
      return await request();
    } finally {
      inFlight--;
      const waiting = freed;
      freed = undefined;
      waiting?.resolve();
    }
  };
  return Object.assign(limiter, {
    refused: (endpoint: string, reason: string | undefined) => (reason && ACCOUNT_REASONS.has(reason) ? global : rateOf(endpoint)).refused(clock.now()),
    idleFor: (ms: number) => inFlight === 0 && clock.now() - lastStart >= ms,
  });
}
