/**
 * Stripe's limiters (docs.stripe.com/rate-limits), per account and mode (the live and test keys
 * of one account are separate budgets): a global rate over every request, a rate per endpoint
 * (method and route pattern: `GET /v1/customers/:id` is one endpoint for every id) that counts
 * against the global one too, and a concurrency limit on the requests in flight. Rates are
 * counted over a sliding one-second window; a refused request is not counted.
 */
import { errors } from './errors.js';

/** What Stripe's 429 names in its `Stripe-Rate-Limited-Reason` header. */
export type LimitedReason = 'global-rate' | 'endpoint-rate' | 'global-concurrency';

export type Mode = 'live' | 'test';

export interface RateLimits {
  /** Requests per second per account and mode over every endpoint; absent: unlimited. */
  global: { live?: number; test?: number };
  /** Requests per second per endpoint, unless `endpoints` names it; absent: unlimited. */
  endpoint?: number;
  /** Per-endpoint overrides, by `METHOD /v1/route/:id`. */
  endpoints: Record<string, number>;
  /** Requests in flight per account and mode; absent: unlimited. */
  concurrency: { live?: number; test?: number };
}

/**
 * Stripe's documented defaults: 100 requests/s in live mode, 25 in test mode (sandboxes); 25/s
 * per endpoint unless documented otherwise, 20/s for the Search API. Stripe gives no number for
 * its concurrency limiter; its support article on bulk requests speaks of 100 concurrent requests
 * in live mode and 25 in test mode, the same figures as the rates, so those are the defaults.
 */
export const STRIPE_RATE_LIMITS: RateLimits = {
  global: { live: 100, test: 25 },
  endpoint: 25,
  endpoints: {
    'GET /v1/customers/search': 20,
    'GET /v1/invoices/search': 20,
    'GET /v1/subscriptions/search': 20,
    'GET /v1/prices/search': 20,
    'GET /v1/products/search': 20,
    'GET /v1/charges/search': 20,
    'GET /v1/payment_intents/search': 20,
  },
  concurrency: { live: 100, test: 25 },
};

export const NO_RATE_LIMITS: RateLimits = { global: {}, endpoints: {}, concurrency: {} };

/** Limits from partial options; `global`, when given, sets the global rate of both modes. */
export function rateLimitsOf(limits: Partial<RateLimits> = {}, global?: number): RateLimits {
  const perMode = global && global > 0 ? { live: global, test: global } : undefined;
  return {
    global: perMode ?? { ...limits.global },
    endpoint: limits.endpoint,
    endpoints: { ...limits.endpoints },
    concurrency: { ...limits.concurrency },
  };
}

function limit(name: string, value: unknown): number | undefined {
  if (value === null || value === undefined || value === 0) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw errors.invalidValue(name, `${name} must be a non-negative integer (0 or null: unlimited), got ${JSON.stringify(value)}`);
  return value;
}

function perMode(name: string, value: unknown): { live?: number; test?: number } {
  if (typeof value !== 'object' || value === null) throw errors.invalidValue(name, `${name} must be an object {live, test}`);
  const { live, test, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown) throw errors.invalidValue(`${name}.${unknown}`, `${name} takes only live and test, got ${unknown}`);
  return { live: limit(`${name}.live`, live), test: limit(`${name}.test`, test) };
}

const ENDPOINT = /^(GET|POST|DELETE) \/\S+$/;

/** A partial RateLimits from a control request, each limit checked; a bad one is a 400 naming it. */
export function checkedRateLimits(input: unknown): Partial<RateLimits> {
  if (typeof input !== 'object' || input === null) throw errors.invalidValue('body', 'rate limits must be a JSON object');
  const { global, endpoint, endpoints, concurrency, ...rest } = input as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown) throw errors.unknownParam(unknown);
  const checked: Partial<RateLimits> = {};
  if (global !== undefined) checked.global = perMode('global', global);
  if (concurrency !== undefined) checked.concurrency = perMode('concurrency', concurrency);
  if (endpoint !== undefined) checked.endpoint = limit('endpoint', endpoint);
  if (endpoints !== undefined) {
    if (typeof endpoints !== 'object' || endpoints === null) throw errors.invalidValue('endpoints', 'endpoints must be an object {"GET /v1/route": perSecond}');
    checked.endpoints = {};
    for (const [name, value] of Object.entries(endpoints)) {
      if (!ENDPOINT.test(name)) throw errors.invalidValue('endpoints', `endpoint '${name}' must read 'METHOD /v1/route' (ids as :id)`);
      const perSecond = limit(`endpoints.${name}`, value);
      if (perSecond !== undefined) checked.endpoints[name] = perSecond;
    }
  }
  return checked;
}

/** Times of the requests counted in the last second, oldest first. */
class Window {
  private readonly times: number[] = [];

  full(limit: number | undefined, nowMs: number): boolean {
    if (limit === undefined) return false;
    while (this.times.length > 0 && this.times[0]! <= nowMs - 1000) this.times.shift();
    return this.times.length >= limit;
  }

  count(nowMs: number): void {
    this.times.push(nowMs);
  }
}

export interface Admission {
  /** Why the request is refused; undefined when it may proceed. */
  refused?: LimitedReason;
  /** Frees the request's place in the concurrency limit once it is answered. */
  release(): void;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly inFlight = new Map<string, number>();

  constructor(private limits: RateLimits) {}

  configure(limits: RateLimits): void {
    this.limits = limits;
    this.windows.clear();
  }

  current(): RateLimits {
    return structuredClone(this.limits);
  }

  private window(key: string): Window {
    let window = this.windows.get(key);
    if (!window) this.windows.set(key, (window = new Window()));
    return window;
  }

  admit(accountId: string, mode: Mode, endpoint: string, nowMs = Date.now()): Admission {
    const budget = `${accountId} ${mode}`;
    const global = this.window(budget);
    const own = this.window(`${budget} ${endpoint}`);
    const running = this.inFlight.get(budget) ?? 0;
    const concurrency = this.limits.concurrency[mode];
    let refused: LimitedReason | undefined;
    if (concurrency !== undefined && running >= concurrency) refused = 'global-concurrency';
    else if (global.full(this.limits.global[mode], nowMs)) refused = 'global-rate';
    else if (own.full(this.limits.endpoints[endpoint] ?? this.limits.endpoint, nowMs)) refused = 'endpoint-rate';
    if (refused) return { refused, release: () => undefined };
    global.count(nowMs);
    own.count(nowMs);
    this.inFlight.set(budget, running + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.inFlight.set(budget, (this.inFlight.get(budget) ?? 1) - 1);
      },
    };
  }
}
