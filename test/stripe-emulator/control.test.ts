import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from './index.js';

let emulator: Emulator;
let stripe: Stripe;

async function control<T = Record<string, unknown>>(path: string, body?: unknown, method = 'POST'): Promise<{ status: number; json: T }> {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as T };
}

beforeAll(async () => {
  emulator = await startEmulator({ generate: { customers: 10, seed: 2 } });
  stripe = new Stripe(emulator.accounts()[0]!.api_keys[0]!.key, { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
});

afterAll(async () => {
  await emulator.close();
});

describe('control routes', () => {
  it('reports per-endpoint counters, accounts and keys at /_emulator/stats', async () => {
    await control('stats/reset');
    await stripe.customers.list({ limit: 2 });
    await stripe.customers.list({ limit: 2 });
    await stripe.products.list();
    await stripe.customers.retrieve('cus_nope').catch(() => undefined);
    const { json } = await control<{ requests: Record<string, number>; accounts: { id: string; api_keys: { key: string }[] }[] }>('stats', undefined, 'GET');
    expect(json.requests).toEqual({ 'GET /v1/customers': 2, 'GET /v1/products': 1, 'GET /v1/customers/:id': 1 });
    expect(json.accounts[0]!.id).toBe(emulator.accounts()[0]!.id);
    expect(json.accounts[0]!.api_keys.map((key) => key.key)).toEqual(emulator.accounts()[0]!.api_keys.map((key) => key.key));
  });

  it('changes customers and subscriptions over HTTP', async () => {
    const created = await control<Stripe.Customer>('customers', { email: 'ctl@example.com', metadata: { source: 'ctl' } });
    expect(created.status).toBe(200);
    const updated = await control<Stripe.Customer>(`customers/${created.json.id}`, { name: 'Control' });
    expect(updated.json.name).toBe('Control');
    await expect(stripe.customers.retrieve(created.json.id)).resolves.toMatchObject({ name: 'Control', email: 'ctl@example.com' });

    const product = await control<Stripe.Product>('products', { name: 'Team' });
    const price = await control<Stripe.Price>('prices', { product: product.json.id, unit_amount: 2000 });
    const subscription = await control<Stripe.Subscription>('subscriptions', { customer: created.json.id, items: [{ price: price.json.id, quantity: 3 }] });
    expect(subscription.json.status).toBe('active');
    const canceled = await control<Stripe.Subscription>(`subscriptions/${subscription.json.id}/cancel`);
    expect(canceled.json.status).toBe('canceled');
    const listed = await stripe.subscriptions.list({ customer: created.json.id });
    expect(listed.data).toHaveLength(0);

    const deleted = await control(`customers/${created.json.id}`, undefined, 'DELETE');
    expect(deleted.json).toEqual({ id: created.json.id, object: 'customer', deleted: true });
    const missing = await control(`customers/cus_unknown`, { name: 'x' });
    expect(missing.status).toBe(404);
  });

  it('moves the clock and flips switches', async () => {
    const before = emulator.clock.now();
    const { json } = await control<{ now: number }>('clock', { advance: 3600 });
    expect(json.now).toBeGreaterThanOrEqual(before + 3600);
    const customer = emulator.createCustomer({});
    expect(customer.created).toBeGreaterThanOrEqual(before + 3600);

    expect((await control('faults', { errorRate: 0.5 })).json).toMatchObject({ errorRate: 0.5, resetRate: 0 });
    await control('faults', { errorRate: 0 });
    expect((await control('oauth', { deny: true })).json).toMatchObject({ deny: true });
    await control('oauth', { deny: false });
    expect((await control('webhooks', { duplicate: true })).json).toMatchObject({ duplicate: true, reorder: false });
    expect((await control('webhooks/flush')).json).toEqual({ flushed: true });
  });
});
