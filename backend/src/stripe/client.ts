import Stripe from 'stripe';
import { createHttpClient } from './http-client.js';

export type StripeMode = 'test' | 'live';

/** Builds stripe-node clients; the base URL points them at the emulator outside production. */
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
  const httpClient = createHttpClient();
  return {
    forKey: (apiKey) => new Stripe(apiKey, { ...endpoint, httpClient, maxNetworkRetries: 2, timeout: 30_000, telemetry: false }),
  };
}

export const modeOfKey = (key: string): StripeMode => (/^(sk|rk)_live_/.test(key) ? 'live' : 'test');
