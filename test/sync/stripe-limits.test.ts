import { sql } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withStripeRetry } from '@ui/backend/src/modules/sync/stripe-retry.js';
import { createStripeFactory, DEFAULT_STRIPE_LIMITS } from '@ui/backend/src/stripe/client.js';
import { startEmulator, STRIPE_RATE_LIMITS, type Emulator } from '../stripe-emulator/index.js';
import { emulatorEnv } from '../support/oauth-flow.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let emulator: Emulator;
let t: TestApp;
let fullKey: string;
beforeAll(async () => {
  // Stripe's limits with live mode's global 100/s on this (test mode) account: the endpoints' 25/s bind.
  emulator = await startEmulator({ generate: { customers: 600, seed: 8 }, latencyMs: 20, rateLimits: { ...STRIPE_RATE_LIMITS, global: { test: 100 } } });
  fullKey = emulator.accounts()[0]!.api_keys.find((k) => k.key.startsWith('sk_'))!.key;
  t = await startTestApp({ env: { ...emulatorEnv(emulator), STRIPE_RATE_LIMIT_TEST: '95', SYNC_CONCURRENCY: '16' }, work: false });
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

describe("Stripe's rate limits", () => {
  it('a backfill paced per endpoint gets no 429s from limits 25/s per endpoint', async () => {
    const ws = await t.createWorkspace('Limits');
    await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: fullKey }).expect(200);
    const [connection] = await t.database.rows<{ id: string }>(sql`select id from connections where workspace_id = ${ws.id}`);
    emulator.resetStats();
    await t.services.backfill(connection!.id);
    const stats = emulator.stats();
    const counts = emulator.accounts()[0]!.counts;
    // Long enough a list that an unpaced endpoint would run past 25/s: ranges read in parallel.
    expect(stats.requests['GET /v1/invoices']).toBeGreaterThan(50);
    const status = (await t.http.get('/api/integrations/stripe').set('authorization', ws.auth)).body;
    expect(status.status).toBe('complete');
    for (const type of ['customer', 'subscription', 'invoice', 'credit_note']) expect({ type, n: status.sync_progress[type] }).toEqual({ type, n: counts[type] });
    expect(stats.rateLimitedBy).toEqual({});
  });
});

describe('the client', () => {
  it('paces a burst to two endpoints under their 25/s each, both at once', async () => {
    const stripe = createStripeFactory({ apiBase: emulator.url, limits: { ...DEFAULT_STRIPE_LIMITS, perSecond: { test: 95, live: 95 } } }).forKey(fullKey);
    emulator.resetStats();
    const started = performance.now();
    await Promise.all([...Array.from({ length: 50 }, () => stripe.invoices.list({ limit: 1 })), ...Array.from({ length: 50 }, () => stripe.customers.list({ limit: 1 }))]);
    const elapsed = performance.now() - started;
    expect(emulator.stats()).toMatchObject({ rateLimited: 0, requests: { 'GET /v1/invoices': 50, 'GET /v1/customers': 50 } });
    // 50 starts per endpoint at 22/s, the endpoints side by side: 49/22 s, not twice that.
    expect(elapsed).toBeGreaterThan(2200);
    expect(elapsed).toBeLessThan(3500);
  });
});

describe('one retry policy', () => {
  const client = (endpointPerSecond: number) => createStripeFactory({ apiBase: emulator.url, limits: { ...DEFAULT_STRIPE_LIMITS, perSecond: { test: 100, live: 100 }, endpointPerSecond } }).forKey(fullKey);

  it('a 500 is retried by the service’s policy only, as many times as it allows', async () => {
    emulator.resetStats();
    emulator.setFaults({ failNext: 5 });
    try {
      const error = await withStripeRetry(() => client(22).customers.list({ limit: 1 }), { attempts: 2, baseDelayMs: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
      // stripe-node retrying too would make it 2 × 3.
      expect(emulator.stats()).toMatchObject({ serverErrors: 2, requests: { 'GET /v1/customers': 2 } });
    } finally {
      emulator.setFaults({ failNext: 0 });
    }
  });

  it('each retry waits for its turn at the pacer', async () => {
    emulator.resetStats();
    emulator.setFaults({ failNext: 2 });
    const stripe = client(2);
    const started = performance.now();
    const page = await withStripeRetry(() => stripe.customers.list({ limit: 1 }), { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 });
    const elapsed = performance.now() - started;
    expect(page.data).toHaveLength(1);
    expect(emulator.stats().requests['GET /v1/customers']).toBe(3);
    // Backoff alone waits ~2 ms; three starts at 2/s take a second.
    expect(elapsed).toBeGreaterThanOrEqual(990);
  });
});
