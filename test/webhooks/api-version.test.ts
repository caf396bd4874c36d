import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAccount } from '../stripe-emulator/generator.js';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { addInterval, makeDiscount, newId } from '../stripe-emulator/objects.js';
import { connectWithOAuth } from '../support/oauth-flow.js';
import type { TestApp } from '../support/test-app.js';
import { connectionOf, eventRows, makeEvent, post, SECRET, sign, startListeningApp, waitFor } from './support.js';

const ACCT = 'acct_1WHVERSIONSAAAAA';
/** Before 2025-03-31.basil (periods on the subscription) and 2025-09-30.clover (discount.coupon). */
const OLD_VERSION = '2024-06-20';
const PINNED = '2026-10-28.endive';

let emulator: Emulator;
let t: TestApp & { webhookUrl: string };
let ws: Awaited<ReturnType<TestApp['createWorkspace']>>;
let connectionId: string;

const participant = async (customerId: string) =>
  (await t.database.rows<{ email: string | null; name: string | null; mrr: number; status: string; deleted_in_stripe: boolean }>(
    sql`select email, name, mrr::int as mrr, status, deleted_in_stripe from participants where workspace_id = ${ws.id} and stripe_customer_id = ${customerId}`,
  ))[0];

const storedObject = async (id: string) =>
  (await t.database.rows<{ data: Record<string, any> }>(sql`select data from stripe_objects where workspace_id = ${ws.id} and id = ${id}`))[0]?.data;

const statusMessages = async () =>
  ((await t.http.get('/api/integrations/stripe').set('authorization', ws.auth).expect(200)).body as { status_messages: { code: string; message: string }[] }).status_messages;

async function settle() {
  await emulator.flushWebhooks();
  await waitFor(() => eventRows(t, sql`connection_id = ${connectionId} and status = 'pending'`), (rows) => rows.length === 0, { what: 'pending events to be applied' });
}

const useEndpoint = (apiVersion?: string) => emulator.setWebhookEndpoint({ url: t.webhookUrl, secret: SECRET, ...(apiVersion ? { apiVersion } : {}) });

/** A customer holding WELCOME25 (25% off, repeating for 3 months) from now, subscribed to a $120.00 monthly price. */
function couponCustomer(email: string) {
  const now = emulator.clock.now();
  const id = newId('cus');
  const discount = makeDiscount({ id: newId('di'), start: now, end: addInterval(now, 'month', 3), customer: id, source: { coupon: 'WELCOME25', type: 'coupon' } });
  const customer = emulator.createCustomer({ id, email, currency: 'usd', discount });
  const product = emulator.createProduct({ name: `Plan for ${email}` });
  const price = emulator.createPrice({ product: product.id, unit_amount: 12_000, currency: 'usd', recurring: { interval: 'month' } });
  const subscription = emulator.createSubscription({ customer: customer.id, items: [{ price: price.id }] });
  return { customer, subscription };
}

beforeAll(async () => {
  const account = generateAccount({ customers: 10, seed: 61, accountId: ACCT });
  emulator = await startEmulator({ fixtures: { accounts: [account] } });
  t = await startListeningApp(emulator);
  ws = await t.createWorkspace('Versions');
  emulator.setOAuth({ accountId: ACCT });
  await connectWithOAuth(t, ws.auth);
  connectionId = (await connectionOf(t, ws.id)).id;
  await waitFor(() => connectionOf(t, ws.id), (c) => c.status === 'complete', { timeoutMs: 30_000, what: 'the first sync' });
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

describe("events in the webhook endpoint's API version", () => {
  it(`an endpoint on ${OLD_VERSION}: objects are re-fetched in ${PINNED}, the coupon counts, and the connection says the versions differ`, async () => {
    useEndpoint(OLD_VERSION);
    const { customer, subscription } = couponCustomer('old-version@example.com');
    await settle();

    // By hand: $120.00 a month, 25% off while the repeating coupon lasts (3 months from now) → $90.00.
    expect(await participant(customer.id)).toMatchObject({ status: 'active', mrr: 9_000 });
    const rows = await eventRows(t, sql`connection_id = ${connectionId} and object->>'id' in (${customer.id}, ${subscription.id})`);
    expect(rows.map((r) => r.type)).toEqual(expect.arrayContaining(['customer.created', 'customer.subscription.created']));
    expect(rows.every((r) => r.status === 'applied' && r.reason === null)).toBe(true);
    const versions = await t.database.rows<{ api_version: string }>(sql`select distinct api_version from webhook_events where connection_id = ${connectionId} and object->>'id' = ${customer.id}`);
    expect(versions).toEqual([{ api_version: OLD_VERSION }]);

    // What is stored is the pinned version's shape, as the API returned it.
    expect((await storedObject(customer.id))!.discount).toMatchObject({ source: { coupon: 'WELCOME25', type: 'coupon' } });
    expect((await storedObject(customer.id))!.discount).not.toHaveProperty('coupon');
    const item = (await storedObject(subscription.id))!.items.data[0];
    expect(item.current_period_start).toBe(subscription.items.data[0]!.current_period_start);

    const [mismatch, ...others] = (await statusMessages()).filter((m) => m.code === 'webhook_api_version_mismatch');
    expect(others).toEqual([]);
    expect(mismatch!.message).toContain(OLD_VERSION);
    expect(mismatch!.message).toContain(PINNED);

    // A full sync replaces its own messages only: the endpoint's version is still wrong.
    await t.services.backfill(connectionId);
    expect((await statusMessages()).filter((m) => m.code === 'webhook_api_version_mismatch')).toEqual([mismatch]);
  });

  it('a deletion in an older version marks the stored copy deleted and keeps its fields; nothing is read from the payload', async () => {
    useEndpoint(PINNED);
    const { customer } = couponCustomer('deleted-old@example.com');
    emulator.updateCustomer(customer.id, { name: 'Known in the pinned version' });
    await settle();
    expect(await participant(customer.id)).toMatchObject({ mrr: 9_000, deleted_in_stripe: false });

    useEndpoint(OLD_VERSION);
    emulator.deleteCustomer(customer.id);
    await settle();
    expect(await participant(customer.id)).toMatchObject({ email: 'deleted-old@example.com', name: 'Known in the pinned version', status: 'churned', mrr: 0, deleted_in_stripe: true });
    const stored = await storedObject(customer.id);
    expect(stored).toMatchObject({ deleted: true, discount: { source: { coupon: 'WELCOME25', type: 'coupon' } } });
    expect(stored!.discount).not.toHaveProperty('coupon');
  });

  it('a deletion in an older version of a customer never stored leaves a tombstone: an older copy arriving later does not revive it', async () => {
    const now = Math.floor(Date.now() / 1000);
    const id = 'cus_tombstone_1';
    const deleted = makeEvent('customer.deleted', { id, object: 'customer', created: now - 60, email: 'gone@example.com', deleted: true }, { account: ACCT, created: now, api_version: OLD_VERSION });
    const created = makeEvent('customer.created', { id, object: 'customer', created: now - 60, email: 'gone@example.com' }, { account: ACCT, created: now - 10 });
    for (const event of [deleted, created]) {
      const payload = JSON.stringify(event);
      expect((await post(t.webhookUrl, payload, sign(payload))).body.outcome).toBe('accepted');
      await waitFor(() => eventRows(t, sql`id = ${event.id}`), (rows) => rows[0]?.status === 'applied', { what: `${event.type} to be applied` });
    }
    expect(await storedObject(id)).toEqual({ id, object: 'customer', deleted: true });
    expect(await participant(id)).toBeUndefined();
  });

  it('a delivery in the pinned version again (the endpoint was replaced) clears the message; events read from the payload again', async () => {
    useEndpoint(OLD_VERSION);
    const customer = emulator.createCustomer({ email: 'again@example.com', currency: 'usd' });
    await settle();
    expect((await statusMessages()).map((m) => m.code)).toContain('webhook_api_version_mismatch');

    useEndpoint(PINNED);
    const retrievals = emulator.stats().requests['GET /v1/customers/:id'] ?? 0;
    // A second later than the re-fetch that stored the customer, or the tie would be re-fetched too.
    emulator.clock.advance(1);
    emulator.updateCustomer(customer.id, { name: 'Pinned again' });
    await settle();
    expect(await participant(customer.id)).toMatchObject({ name: 'Pinned again' });
    expect((await statusMessages()).map((m) => m.code)).not.toContain('webhook_api_version_mismatch');
    // Read from the payload: no customer was retrieved for it.
    expect(emulator.stats().requests['GET /v1/customers/:id'] ?? 0).toBe(retrievals);
  });

  it("events listed by the catch-up keep the account's version: the same rule applies, and they say nothing of the endpoint", async () => {
    emulator.setAccountApiVersion(OLD_VERSION, ACCT);
    emulator.setWebhookEndpoint(undefined);
    try {
      const { customer, subscription } = couponCustomer('caught-up@example.com');
      const result = await t.services.webhooks.catchUp(connectionId);
      expect(result.found).toBe(4); // customer, product, price, subscription
      await waitFor(() => eventRows(t, sql`connection_id = ${connectionId} and status = 'pending'`), (rows) => rows.length === 0, { what: 'the catch-up events to apply' });

      expect(await participant(customer.id)).toMatchObject({ status: 'active', mrr: 9_000 });
      const rows = await t.database.rows<{ api_version: string; status: string; reason: string | null }>(
        sql`select api_version, status, reason from webhook_events where connection_id = ${connectionId} and source = 'catch_up' and object->>'id' in (${customer.id}, ${subscription.id})`,
      );
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(rows.every((r) => r.api_version === OLD_VERSION && r.status === 'applied' && r.reason === null)).toBe(true);
      expect((await storedObject(customer.id))!.discount).toMatchObject({ source: { coupon: 'WELCOME25', type: 'coupon' } });
      expect((await statusMessages()).map((m) => m.code)).not.toContain('webhook_api_version_mismatch');
    } finally {
      emulator.setAccountApiVersion(undefined, ACCT);
      useEndpoint(PINNED);
    }
  });
});
