import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runScript } from '../support/processes.js';
import { startEmulator, STRIPE_RATE_LIMITS, type Emulator } from './index.js';

let emulator: Emulator;
let secretKey: string;

function client(key: string, config: Stripe.StripeConfig = {}): Stripe {
  return new Stripe(key, { host: '127.0.0.1', port: emulator.port, protocol: 'http', maxNetworkRetries: 0, ...config });
}

type Outcome = { ok: true } | { ok: false; error: Stripe.errors.StripeError };

const outcome = (request: Promise<unknown>): Promise<Outcome> =>
  request.then(
    () => ({ ok: true }) as const,
    (error: Stripe.errors.StripeError) => ({ ok: false, error }) as const,
  );

const reasonOf = (o: Outcome) => (o.ok ? 'ok' : (o.error.headers?.['stripe-rate-limited-reason'] ?? `no reason (${o.error.statusCode})`));

function tally(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[reasonOf(o)] = (counts[reasonOf(o)] ?? 0) + 1;
  return counts;
}

beforeAll(async () => {
  emulator = await startEmulator({ generate: { customers: 30, seed: 4 } });
  secretKey = emulator.accounts()[0]!.api_keys.find((key) => key.key.startsWith('sk_'))!.key;
});

afterEach(() => {
  emulator.setRateLimits({ global: {}, endpoint: 0, endpoints: {}, concurrency: {} });
  emulator.setLatency(0);
});

afterAll(async () => {
  await emulator.close();
});

// Every burst below starts and is answered well within one second (no latency): one window.
describe("Stripe's limiters", () => {
  it('refuses a burst to one endpoint past its 25/s with Stripe’s 429 while another endpoint still answers', async () => {
    emulator.setRateLimits({ global: { test: 100 }, endpoint: 25 });
    emulator.resetStats();
    const stripe = client(secretKey);
    const customers = await Promise.all(Array.from({ length: 30 }, () => outcome(stripe.customers.list({ limit: 1 }))));
    expect(tally(customers)).toEqual({ ok: 25, 'endpoint-rate': 5 });
    const refusal = customers.find((o) => !o.ok) as { error: Stripe.errors.StripeError };
    expect(refusal.error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(refusal.error).toMatchObject({
      statusCode: 429,
      rawType: 'invalid_request_error',
      code: 'rate_limit',
      doc_url: 'https://docs.stripe.com/error-codes/rate-limit',
      message: 'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
    });
    // A retrieve is an endpoint of its own, whatever the id.
    const others = await Promise.all([
      ...Array.from({ length: 10 }, () => outcome(stripe.products.list({ limit: 1 }))),
      ...Array.from({ length: 10 }, (_, i) => outcome(stripe.customers.retrieve(`cus_missing${i}`))),
    ]);
    expect(others.map(reasonOf).filter((r) => r !== 'no reason (404)')).toEqual(Array(10).fill('ok'));
    expect(emulator.stats()).toMatchObject({ rateLimited: 5, rateLimitedBy: { 'GET /v1/customers': 5 } });
  });

  it('counts every endpoint against the global limit', async () => {
    emulator.setRateLimits({ global: { test: 30 }, endpoint: 25 });
    const stripe = client(secretKey);
    const outcomes = await Promise.all([
      ...Array.from({ length: 20 }, () => outcome(stripe.customers.list({ limit: 1 }))),
      ...Array.from({ length: 20 }, () => outcome(stripe.products.list({ limit: 1 }))),
    ]);
    // Neither endpoint reaches its own 25: every refusal is the global limit's.
    expect(tally(outcomes)).toEqual({ ok: 30, 'global-rate': 10 });
  });

  it('keeps separate budgets for the live and test mode of one account', async () => {
    emulator.setRateLimits({ global: { test: 5, live: 8 } });
    const accountId = emulator.accounts()[0]!.id;
    const test = client(emulator.platformKeys.test, { stripeAccount: accountId });
    const live = client(emulator.platformKeys.live, { stripeAccount: accountId });
    const outcomes = await Promise.all([...Array.from({ length: 7 }, () => outcome(test.customers.list({ limit: 1 }))), ...Array.from({ length: 10 }, () => outcome(live.customers.list({ limit: 1 })))]);
    expect(tally(outcomes.slice(0, 7))).toEqual({ ok: 5, 'global-rate': 2 });
    expect(tally(outcomes.slice(7))).toEqual({ ok: 8, 'global-rate': 2 });
  });

  it('refuses requests past the concurrency limit while the others are in flight, and admits more once they are answered', async () => {
    emulator.setRateLimits({ concurrency: { test: 3 } });
    emulator.setLatency(150);
    const stripe = client(secretKey);
    const first = await Promise.all(Array.from({ length: 5 }, () => outcome(stripe.customers.list({ limit: 1 }))));
    expect(tally(first)).toEqual({ ok: 3, 'global-concurrency': 2 });
    const next = await Promise.all(Array.from({ length: 3 }, () => outcome(stripe.products.list({ limit: 1 }))));
    expect(tally(next)).toEqual({ ok: 3 });
  });

  it('lets an endpoint override the default rate', async () => {
    emulator.setRateLimits({ endpoint: 25, endpoints: { 'GET /v1/customers': 3 } });
    const stripe = client(secretKey);
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => outcome(stripe.customers.list({ limit: 1 }))));
    expect(tally(outcomes)).toEqual({ ok: 3, 'endpoint-rate': 2 });
  });

  it('setRateLimit keeps meaning the global rate, of both modes', async () => {
    emulator.setRateLimit(4);
    expect(emulator.setRateLimits({})).toMatchObject({ global: { live: 4, test: 4 } });
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => outcome(client(secretKey).products.list({ limit: 1 }))));
    expect(tally(outcomes)).toEqual({ ok: 4, 'global-rate': 2 });
  });

  it('sets limits over HTTP and answers a bad one with a 400 naming it', async () => {
    const post = (body: unknown) => fetch(`${emulator.url}/_emulator/rate-limits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bad = await post({ endpoints: { 'GET /v1/customers': -1 } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { param: 'endpoints.GET /v1/customers', message: expect.stringMatching(/non-negative integer/) } });
    expect((await post({ endpoint: 'fast' })).status).toBe(400);
    expect((await post({ global: { sandbox: 3 } })).status).toBe(400);
    expect((await post({ perEndpoint: 3 })).status).toBe(400);
    const good = await post({ global: { test: 2 } });
    expect(await good.json()).toMatchObject({ global: { test: 2 } });
    const outcomes = await Promise.all(Array.from({ length: 3 }, () => outcome(client(secretKey).products.list({ limit: 1 }))));
    expect(tally(outcomes)).toEqual({ ok: 2, 'global-rate': 1 });
  });
});

describe('the command', () => {
  it("applies Stripe's documented limits unless told otherwise", async () => {
    expect(STRIPE_RATE_LIMITS).toMatchObject({ global: { live: 100, test: 25 }, endpoint: 25, endpoints: { 'GET /v1/invoices/search': 20, 'GET /v1/customers/search': 20 } });
    const port = await freePort();
    const cli = runScript('test/stripe-emulator/cli.ts', ['--port', String(port), '--generate', '5', '--endpoint-rate-limits', 'GET /v1/customers=2'], {});
    try {
      await cli.waitForOutput(/listening on/);
      const key = /\s(sk_test_\S+)/.exec(cli.output())![1]!;
      const stripe = new Stripe(key, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
      expect(tally(await Promise.all(Array.from({ length: 3 }, () => outcome(stripe.customers.list({ limit: 1 })))))).toEqual({ ok: 2, 'endpoint-rate': 1 });
      // Test mode's global 25/s: 24 more requests to another endpoint in the same second get 23 through.
      expect(tally(await Promise.all(Array.from({ length: 24 }, () => outcome(stripe.products.list({ limit: 1 })))))).toEqual({ ok: 23, 'global-rate': 1 });
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });
});
