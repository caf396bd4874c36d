import Stripe from 'stripe';
import { createHttpClient } from './http-client.js';
import { elementKeys } from './json-bytes.js';
import { listedType, STRIPE_OBJECT_TYPES } from './registry.js';

export type StripeMode = 'test' | 'live';

/**
 * Builds stripe-node clients; the base URL points them at the emulator outside production. Their
 * list pages of the registry's types hold only the fields the service stores (registry.ts).
 */
export interface StripeFactory {
  forKey(apiKey: string): Stripe;
}

export function createStripeFactory(options: { apiBase?: string }): StripeFactory {
  const base = options.apiBase ? new URL(options.apiBase) : undefined;
  const endpoint: Stripe.StripeConfig = base
    ? {
        host: base.hostname,
        port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
        protocol: base.protocol === 'https:' ? 'https' : 'http',
      }
    : {};
  const keys = new Map(STRIPE_OBJECT_TYPES.map((type) => [type, elementKeys(type.fields)]));
  const httpClient = createHttpClient((method, path) => {
    const type = listedType(method, path);
    return type && keys.get(type);
  });
  return {
    forKey: (apiKey) => new Stripe(apiKey, { ...endpoint, httpClient, maxNetworkRetries: 2, timeout: 30_000, telemetry: false }),
  };
}

export const modeOfKey = (key: string): StripeMode => (/^(sk|rk)_live_/.test(key) ? 'live' : 'test');
