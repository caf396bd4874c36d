import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from './index.js';

let plain: Emulator;
let prerendered: Emulator;
const keyOf = (emulator: Emulator) => emulator.accounts()[0]!.api_keys.find((key) => key.permissions === 'all')!.key;

beforeAll(async () => {
  [plain, prerendered] = await Promise.all([
    startEmulator({ generate: { customers: 120, seed: 3 }, now: 1_760_000_000 }),
    startEmulator({ generate: { customers: 120, seed: 3 }, now: 1_760_000_000, prerender: true }),
  ]);
});

afterAll(async () => {
  await Promise.all([plain.close(), prerendered.close()]);
});

const body = async (emulator: Emulator, path: string) => {
  const response = await fetch(`${emulator.url}${path}`, { headers: { authorization: `Bearer ${keyOf(emulator)}` } });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return response.text();
};

describe('pre-rendered list pages', () => {
  it('are byte for byte what serializing the page whole gives, expanded or not', async () => {
    for (const path of ['/v1/invoices?limit=100', '/v1/customers?limit=7&starting_after=', '/v1/subscriptions?limit=50&status=all&expand[]=data.discounts']) {
      const resolved = path.endsWith('=') ? `${path}${JSON.parse(await body(plain, '/v1/customers?limit=3')).data[2].id}` : path;
      const text = await body(prerendered, resolved);
      expect(text).toBe(await body(plain, resolved));
      expect(JSON.parse(text)).toMatchObject({ object: 'list', has_more: expect.any(Boolean) });
    }
  });

  it('leave out the fields included only on request, and an expand[] still serves them', async () => {
    for (const [path, field, list] of [['/v1/prices?limit=100', 'tiers', 'prices'], ['/v1/coupons?limit=100', 'applies_to', 'coupons']] as const) {
      const plainPage = await body(prerendered, path);
      const expandedPage = await body(prerendered, `${path}&expand[]=data.${field}`);
      expect(plainPage).toBe(await body(plain, path));
      expect(expandedPage).toBe(await body(plain, `${path}&expand[]=data.${field}`));
      const fieldsOf = (text: string) => (JSON.parse(text).data as Record<string, unknown>[]).filter((o) => field in o).length;
      expect(fieldsOf(plainPage), list).toBe(0);
      expect(fieldsOf(expandedPage), list).toBeGreaterThan(0);
    }
  });

  it('show an object as it is after a change, not as it was rendered', async () => {
    const stripe = new Stripe(keyOf(prerendered), { host: '127.0.0.1', port: prerendered.port, protocol: 'http' });
    const [first] = (await stripe.customers.list({ limit: 1 })).data;
    prerendered.updateCustomer(first!.id, { name: 'Renamed After Rendering' });
    const [again] = (await stripe.customers.list({ limit: 1 })).data;
    expect(again).toMatchObject({ id: first!.id, name: 'Renamed After Rendering' });
  });
});
