import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from './index.js';

let emulator: Emulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startEmulator({ generate: { customers: 120, seed: 11 } });
  const key = emulator.accounts()[0]!.api_keys.find((apiKey) => apiKey.permissions === 'all')!.key;
  stripe = new Stripe(key, { host: '127.0.0.1', port: emulator.port, protocol: 'http', maxNetworkRetries: 0 });
});

afterAll(async () => {
  await emulator.close();
});

const ids = (items: { id?: string }[]) => items.map((item) => item.id).sort();

describe('search', () => {
  it('finds every invoice of a created range once, page by page through next_page', async () => {
    const all = await stripe.invoices.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
    const byAge = [...all].sort((a, b) => a.created - b.created);
    const lower = byAge[Math.floor(all.length / 4)]!.created;
    const upper = byAge[Math.floor((3 * all.length) / 4)]!.created;
    const expected = all.filter((invoice) => invoice.created >= lower && invoice.created < upper);
    expect(expected.length).toBeGreaterThan(100);

    const first = await stripe.invoices.search({ query: `created>=${lower} AND created<${upper}`, limit: 50 });
    expect(first).toMatchObject({ object: 'search_result', has_more: true, url: '/v1/invoices/search' });
    expect(first.data).toHaveLength(50);
    expect(typeof first.next_page).toBe('string');
    const found = await stripe.invoices.search({ query: `created>=${lower} AND created<${upper}`, limit: 50 }).autoPagingToArray({ limit: 10_000 });
    expect(found).toHaveLength(expected.length);
    expect(ids(found)).toEqual(ids(expected));

    const inclusive = await stripe.invoices.search({ query: `created>${lower - 1} AND created<=${upper - 1}`, limit: 100 }).autoPagingToArray({ limit: 10_000 });
    expect(ids(inclusive)).toEqual(ids(expected));
  });

  it('matches invoices of one customer, customers by email', async () => {
    const invoice = (await stripe.invoices.list({ limit: 1 })).data[0]!;
    const customer = invoice.customer as string;
    const expected = await stripe.invoices.list({ customer, limit: 100 }).autoPagingToArray({ limit: 1000 });
    const found = await stripe.invoices.search({ query: `customer:'${customer}'`, limit: 100 }).autoPagingToArray({ limit: 1000 });
    expect(ids(found)).toEqual(ids(expected));

    const someone = (await stripe.customers.list({ limit: 1 })).data[0]!;
    const byEmail = await stripe.customers.search({ query: `email:"${someone.email}"` });
    expect(byEmail.data.map((c) => c.id)).toContain(someone.id);
    expect(byEmail.data.every((c) => c.email === someone.email)).toBe(true);
  });

  it('expands like a list, and the last minute of writes is not searchable yet', async () => {
    const page = await stripe.invoices.search({ query: 'created>0', limit: 3, expand: ['data.customer'] });
    expect(page.data).toHaveLength(3);
    expect(page.data.every((invoice) => typeof invoice.customer === 'object')).toBe(true);

    const created = emulator.createCustomer({ email: 'fresh-search@example.com' });
    const query = `email:'fresh-search@example.com'`;
    expect((await stripe.customers.search({ query })).data).toEqual([]);
    emulator.clock.advance(61);
    expect((await stripe.customers.search({ query })).data.map((c) => c.id)).toEqual([created.id]);
  });

  it.each([
    ['no query', {}, /Missing required param: query/],
    ['an unknown field', { query: "colour:'red'" }, /unsupported search field/],
    ['a clause it cannot parse', { query: 'created' }, /unable to parse your search query/],
    ['a non-numeric created', { query: "created>'soon'" }, /unix timestamp/],
    ['AND mixed with OR', { query: 'created>1 AND created<5 OR created>9' }, /cannot mix AND and OR/],
    ['a limit over 100', { query: 'created>1', limit: 101 }, /less than or equal to 100/],
    ['a forged page', { query: 'created>1', page: 'not-a-page' }, /Invalid page/],
  ])('400 naming the parameter for %s', async (_name, params, message) => {
    const error = await stripe.invoices.search(params as Stripe.InvoiceSearchParams).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400 });
    expect((error as Error).message).toMatch(message);
  });

  it('counts against its own 20/s endpoint budget, apart from the list', async () => {
    emulator.setRateLimits({ global: {}, endpoint: 25, endpoints: { 'GET /v1/invoices/search': 20 }, concurrency: {} });
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 25 }, () => stripe.invoices.search({ query: 'created>0', limit: 1 }).then(() => 'ok', (e: Stripe.errors.StripeError) => e.headers?.['stripe-rate-limited-reason'] ?? String(e.statusCode))),
      );
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(20);
      expect(outcomes.filter((o) => o === 'endpoint-rate')).toHaveLength(5);
      await expect(stripe.invoices.list({ limit: 1 })).resolves.toMatchObject({ object: 'list' });
      expect(emulator.stats().requests['GET /v1/invoices/search']).toBeGreaterThanOrEqual(25);
    } finally {
      emulator.setRateLimits({ global: {}, endpoint: 0, endpoints: {}, concurrency: {} });
    }
  });
});
