import Stripe from 'stripe';
import type { Config } from '../config.js';
import { endpointOf } from './endpoint.js';
import { createHttpClient } from './http-client.js';
import { elementKeys } from './json-bytes.js';
import { listedType, STRIPE_OBJECT_TYPES } from './registry.js';
import { createAccountLimiter, type AccountLimiter } from './request-limiter.js';

export type StripeMode = 'test' | 'live';

/** How fast the service asks Stripe, per account: a little under Stripe's limits (docs.stripe.com/rate-limits). */
export interface StripeLimits {
  /** Global requests/s per account, by the key's mode (Stripe: 100 live, 25 test). */
  perSecond: { test: number; live: number };
  /** Requests/s per endpoint (Stripe: 25) unless `endpoints` names it; search endpoints default to SEARCH_PER_SECOND. */
  endpointPerSecond: number;
  endpoints: Record<string, number>;
  /** Requests in flight per account. */
  concurrency: number;
}

/** Stripe's Search API allows 20 reads/s per endpoint; the same margin as the other defaults. */
export const SEARCH_PER_SECOND = 18;

export const DEFAULT_STRIPE_LIMITS: StripeLimits = { perSecond: { test: 20, live: 80 }, endpointPerSecond: 22, endpoints: {}, concurrency: 16 };

export const stripeLimitsOf = (
  config: Pick<Config, 'STRIPE_RATE_LIMIT_TEST' | 'STRIPE_RATE_LIMIT_LIVE' | 'STRIPE_ENDPOINT_RATE_LIMIT' | 'STRIPE_ENDPOINT_RATE_LIMITS' | 'SYNC_CONCURRENCY'>,
): StripeLimits => ({
  perSecond: { test: config.STRIPE_RATE_LIMIT_TEST, live: config.STRIPE_RATE_LIMIT_LIVE },
  endpointPerSecond: config.STRIPE_ENDPOINT_RATE_LIMIT,
  endpoints: config.STRIPE_ENDPOINT_RATE_LIMITS,
  concurrency: config.SYNC_CONCURRENCY,
});

/**
 * Builds stripe-node clients; the base URL points them at the emulator outside production. Their
 * list pages of the registry's types hold only the fields the service stores (registry.ts).
 * Every request of the clients for one account (`budget`: a connection, or the key itself) goes
 * through that account's limiter, at the HTTP client, so stripe-node's own retry of a closed
 * connection is paced too. stripe-node's other retries are off (`maxNetworkRetries: 0`): the
 * service's retry policy (withStripeRetry) is the only one, and each of its attempts is paced.
 */
export interface StripeFactory {
  forKey(apiKey: string, budget?: string): Stripe;
}

/** A limiter not used for this long is dropped (an OAuth token is replaced every hour). */
const IDLE_LIMITER_MS = 10 * 60 * 1000;

export function createStripeFactory(options: { apiBase?: string; limits?: StripeLimits }): StripeFactory {
  const limits = options.limits ?? DEFAULT_STRIPE_LIMITS;
  const base = options.apiBase ? new URL(options.apiBase) : undefined;
  const endpoint: Stripe.StripeConfig = base
    ? {
        host: base.hostname,
        port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
        protocol: base.protocol === 'https:' ? 'https' : 'http',
      }
    : {};
  const keys = new Map(STRIPE_OBJECT_TYPES.map((type) => [type, elementKeys(type.fields)]));
  const listedKeys = (method: string, path: string) => {
    const type = listedType(method, path);
    return type && keys.get(type);
  };
  const node = Stripe.createNodeHttpClient();
  const limiters = new Map<string, AccountLimiter>();
  const limiterFor = (budget: string, mode: StripeMode) => {
    for (const [name, idle] of limiters) if (name !== budget && idle.idleFor(IDLE_LIMITER_MS)) limiters.delete(name);
    let limiter = limiters.get(budget);
    if (!limiter) {
      limiter = createAccountLimiter({
        perSecond: limits.perSecond[mode],
        endpointPerSecond: (name) => limits.endpoints[name] ?? (name.endsWith('/search') ? Math.min(SEARCH_PER_SECOND, limits.endpointPerSecond) : limits.endpointPerSecond),
        concurrency: limits.concurrency,
      });
      limiters.set(budget, limiter);
    }
    return limiter;
  };
  return {
    forKey: (apiKey, budget) => {
      const mode = modeOfKey(apiKey);
      const httpClient = createHttpClient(node, listedKeys, limiterFor(`${mode} ${budget ?? apiKey}`, mode), endpointOf);
      return new Stripe(apiKey, { ...endpoint, httpClient, maxNetworkRetries: 0, timeout: 30_000, telemetry: false });
    },
  };
}

export const modeOfKey = (key: string): StripeMode => (/^(sk|rk)_live_/.test(key) ? 'live' : 'test');
