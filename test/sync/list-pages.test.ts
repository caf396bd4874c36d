/**
 * List pages of the mirrored types come back from the service's Stripe clients already trimmed to
 * what is stored, parsed on a worker thread; everything else is stripe-node's as usual.
 */
import { createListPageParser } from '@ui/backend/src/stripe/list-page-parser.js';
import { createStripeFactory } from '@ui/backend/src/stripe/client.js';
import { objectType } from '@ui/backend/src/stripe/registry.js';
import { withStripeRetry } from '@ui/backend/src/modules/sync/stripe-retry.js';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';

let emulator: Emulator;
let key: string;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startEmulator({ generate: { customers: 40, seed: 11 } });
  key = emulator.accounts()[0]!.api_keys.find((k) => k.key.startsWith('sk_'))!.key;
  stripe = createStripeFactory({ apiBase: emulator.url }).forKey(key);
});
afterEach(() => {
  emulator.setFaults({ truncateNext: 0 });
});
afterAll(async () => {
  await emulator?.close();
});

const raw = async (path: string) => (await fetch(`${emulator.url}${path}`, { headers: { authorization: `Bearer ${key}` } })).json() as Promise<{ data: unknown[]; has_more: boolean }>;

describe('list pages of mirrored types', () => {
  it('hold exactly the stored fields of every object, with the list envelope and pagination intact', async () => {
    const page = await stripe.invoices.list({ limit: 100 });
    const expected = await raw('/v1/invoices?limit=100');
    expect(page.data.length).toBeGreaterThan(40);
    expect(page.data).toEqual(expected.data.map((invoice) => objectType('invoice').store(invoice)));
    expect(page.data[0]).not.toHaveProperty('lines');
    expect(page.has_more).toBe(expected.has_more);

    const all = await stripe.customers.list({ limit: 7 }).autoPagingToArray({ limit: 1000 });
    expect(all.map((c) => c.id)).toEqual((await raw('/v1/customers?limit=100')).data.map((c) => (c as { id: string }).id));
    expect(Object.keys(all[0]!).sort()).toEqual(Object.keys(objectType('customer').store(all[0])).sort());
  });

  it('leave other requests whole: a retrieved invoice keeps its lines', async () => {
    const [first] = (await raw('/v1/invoices?limit=1')).data as { id: string }[];
    expect(await stripe.invoices.retrieve(first!.id)).toHaveProperty('lines.data');
  });

  it('a body cut off midway is a connection error, as with stripe-node’s own client, which the sync retries', async () => {
    const expected = (await raw('/v1/credit_notes?limit=100')).data.map((note) => objectType('credit_note').store(note));
    const plain = new Stripe(key, { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
    for (const client of [stripe, plain]) {
      emulator.setFaults({ truncateNext: 1 });
      await expect(client.creditNotes.list({ limit: 100 })).rejects.toBeInstanceOf(Stripe.errors.StripeConnectionError);
    }
    emulator.setFaults({ truncateNext: 2 });
    expect((await withStripeRetry(() => stripe.creditNotes.list({ limit: 100 }), { baseDelayMs: 1 })).data).toEqual(expected);
  });
});

describe('the page parser', () => {
  it('rejects a body that is not JSON, naming the problem, and goes on parsing', async () => {
    const parser = createListPageParser();
    await expect(parser.parse('invoice', Buffer.from('{"object":"list","data":['))).rejects.toThrow(SyntaxError);
    const page = { object: 'list', data: [{ id: 'in_1', status: 'paid', lines: { data: [] } }], has_more: false, url: '/v1/invoices' };
    expect(await parser.parse('invoice', Buffer.from(JSON.stringify(page)))).toEqual({ ...page, data: [{ id: 'in_1', status: 'paid' }] });
  });

  it('copies a small buffer cut from Node’s shared pool instead of taking the pool along', async () => {
    const parser = createListPageParser();
    const neighbour = Buffer.from('still readable');
    const pooled = Buffer.from(JSON.stringify({ object: 'list', data: [], has_more: false }));
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.byteLength);
    await parser.parse('customer', pooled);
    expect(neighbour.toString()).toBe('still readable');
    expect(pooled.toString()).toContain('"object":"list"');
  });
});
