import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from './index.js';

let emulator: Emulator;
let secretKey: string;
let restrictedKey: string;

function client(key: string, config: Stripe.StripeConfig = {}): Stripe {
  return new Stripe(key, { host: '127.0.0.1', port: emulator.port, protocol: 'http', ...config });
}

beforeAll(async () => {
  emulator = await startEmulator({ generate: { customers: 30, seed: 3 } });
  const keys = emulator.accounts()[0]!.api_keys;
  secretKey = keys.find((key) => key.key.startsWith('sk_'))!.key;
  restrictedKey = keys.find((key) => key.key.startsWith('rk_'))!.key;
});

afterEach(() => {
  emulator.setFaults({ errorRate: 0, rateLimitRate: 0, resetRate: 0, failNext: 0 });
  emulator.setRateLimit(undefined);
});

afterAll(async () => {
  await emulator.close();
});

describe('errors as stripe-node sees them', () => {
  it('404 resource_missing', async () => {
    const error = await client(secretKey).customers.retrieve('cus_missing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id', message: "No such customer: 'cus_missing'" });
    expect((error as Stripe.errors.StripeError).doc_url).toBe('https://docs.stripe.com/error-codes/resource-missing');
    expect((error as Stripe.errors.StripeError).requestId).toMatch(/^req_/);
  });

  it('401 for a missing or unknown key', async () => {
    const error = await client('sk_test_nothing_like_a_real_key_abcd').customers.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(error).toMatchObject({ statusCode: 401, rawType: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****abcd' });

    const response = await fetch(`${emulator.url}/v1/customers`);
    expect(response.status).toBe(401);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/^You did not provide an API key/);
  });

  it('403 for a restricted key without the permission', async () => {
    const restricted = client(restrictedKey);
    await expect(restricted.customers.list({ limit: 1 })).resolves.toMatchObject({ object: 'list' });
    const error = await restricted.creditNotes.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect(error).toMatchObject({ statusCode: 403, rawType: 'invalid_request_error' });
    expect((error as Error).message).toMatch(/does not have the required permissions for this endpoint on account 'acct_.+'\. Having the 'rak_credit_note_read' permission/);
  });

  it('403 for a restricted key reading its own account, naming the account and the permission that would allow it', async () => {
    const account = emulator.accounts()[0]!.id;
    for (const read of [(s: Stripe) => s.accounts.retrieveCurrent(), (s: Stripe) => s.accounts.retrieve(account)]) {
      const error = await read(client(restrictedKey)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripePermissionError);
      expect(error).toMatchObject({ statusCode: 403, rawType: 'invalid_request_error', code: undefined });
      expect((error as Error).message).toBe(
        `The provided key 'rk_test_****${restrictedKey.slice(-4)}' does not have the required permissions for this endpoint on account '${account}'. Having the 'rak_accounts_kyc_basic_read' permission would allow this request to continue.`,
      );
    }
    await expect(client(secretKey).accounts.retrieveCurrent()).resolves.toMatchObject({ id: account, object: 'account' });
  });

  it('400 for unknown parameters and invalid limits', async () => {
    const stripe = client(secretKey);
    const unknown = await stripe.customers.list({ foo: 'bar' } as Stripe.CustomerListParams).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(unknown).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'foo', message: 'Received unknown parameter: foo' });

    const notInteger = await stripe.customers.list({ limit: 'abc' as unknown as number }).catch((e: unknown) => e);
    expect(notInteger).toMatchObject({ statusCode: 400, code: 'parameter_invalid_integer', param: 'limit' });
    const tooLarge = await stripe.customers.list({ limit: 101 }).catch((e: unknown) => e);
    expect(tooLarge).toMatchObject({ statusCode: 400, param: 'limit', message: "This value must be less than or equal to 100 (it currently is '101')." });
  });

  it('429 rate_limit past the per-account rate', async () => {
    emulator.setRateLimit(5);
    emulator.resetStats();
    const stripe = client(secretKey);
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => stripe.customers.list({ limit: 1 })));
    const refused = results.filter((result) => result.status === 'rejected').map((result) => (result as PromiseRejectedResult).reason);
    expect(refused.length).toBe(7);
    expect(refused[0]).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(refused[0]).toMatchObject({ statusCode: 429, code: 'rate_limit' });
    expect(emulator.stats().rateLimited).toBe(7);
  });

  it('500s are retried by the SDK and counted', async () => {
    emulator.setFaults({ errorRate: 1 });
    emulator.resetStats();
    const error = await client(secretKey, { maxNetworkRetries: 1 }).customers.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(error).toMatchObject({ statusCode: 500, rawType: 'api_error' });
    const stats = emulator.stats();
    expect(stats.requests['GET /v1/customers']).toBe(2);
    expect(stats.serverErrors).toBe(2);
  });

  it('injected 429s answer like the rate limiter, at the rate asked for', async () => {
    emulator.setFaults({ rateLimitRate: 1 });
    const error = await client(secretKey).customers.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(error).toMatchObject({ statusCode: 429, code: 'rate_limit' });

    emulator.setFaults({ rateLimitRate: 0.2 });
    emulator.resetStats();
    const answers = await Promise.all(Array.from({ length: 400 }, () => client(secretKey).customers.list({ limit: 1 }).then(() => 'ok', () => 'refused')));
    const refused = answers.filter((a) => a === 'refused').length;
    expect(emulator.stats().rateLimited).toBe(refused);
    expect(refused).toBeGreaterThan(40); // 80 expected; below 40 or above 120 has odds under 1e-6
    expect(refused).toBeLessThan(120);
  });

  it('a transient 500 is retried and the request succeeds', async () => {
    emulator.setFaults({ failNext: 1 });
    emulator.resetStats();
    const page = await client(secretKey).customers.list({ limit: 3 });
    expect(page.data).toHaveLength(3);
    expect(emulator.stats()).toMatchObject({ serverErrors: 1, requests: { 'GET /v1/customers': 2 } });
  });

  it('dropped connections surface as connection errors after retries', async () => {
    emulator.setFaults({ resetRate: 1 });
    emulator.resetStats();
    const error = await client(secretKey, { maxNetworkRetries: 1 }).customers.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(emulator.stats().connectionResets).toBe(2);
  });

  it('answers unknown URLs like Stripe', async () => {
    const response = await fetch(`${emulator.url}/v1/nothing_here`, { headers: { Authorization: `Bearer ${secretKey}` } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringMatching(/^Unrecognized request URL \(GET: \/v1\/nothing_here\)/) } });
  });
});
