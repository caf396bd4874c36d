import { sql } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { emulatorEnv } from '../support/oauth-flow.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let emulator: Emulator;
let t: TestApp;
let ws: Awaited<ReturnType<TestApp['createWorkspace']>>;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startEmulator({ generate: { customers: 30, seed: 9 } });
  t = await startTestApp({ env: emulatorEnv(emulator), work: false });
  const fullKey = emulator.accounts()[0]!.api_keys.find((k) => k.key.startsWith('sk_'))!.key;
  stripe = new Stripe(fullKey, { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
  ws = await t.createWorkspace('Sync now');
  await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: fullKey }).expect(200);
  const [connection] = await t.database.rows<{ id: string }>(sql`select id from connections where workspace_id = ${ws.id}`);
  await t.services.backfill(connection!.id);
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

const participantFor = async (customerId: string) =>
  (await t.database.rows<{ id: string }>(sql`select id from participants where workspace_id = ${ws.id} and stripe_customer_id = ${customerId}`))[0]!.id;
const syncNow = (id: string) => t.http.post(`/api/participants/${id}/sync`).set('authorization', ws.auth);
const inAllCustomers = async (id: string) =>
  (await t.database.rows(sql`select 1 from segment_members m join segments s on s.id = m.segment_id where s.key = 'all' and m.participant_id = ${id}`)).length === 1;

describe('POST /api/participants/:id/sync', () => {
  it('refreshes one participant from Stripe: contact details, subscriptions and metrics', async () => {
    const customer = emulator.createCustomer({ email: 'new@example.com', name: 'New Person', currency: 'usd' });
    const id = await (async () => {
      await t.database.rows(sql`insert into participants (workspace_id, source, stripe_customer_id, email) values (${ws.id}, 'api', ${customer.id}, 'typed@example.com')`);
      return participantFor(customer.id);
    })();
    const prices = await stripe.prices.list({ limit: 100 });
    const monthly = prices.data.find((p) => p.currency === 'usd' && p.recurring?.interval === 'month' && p.recurring.interval_count === 1 && p.recurring.usage_type === 'licensed' && p.billing_scheme === 'per_unit' && p.unit_amount)!;
    emulator.createSubscription({ customer: customer.id, items: [{ price: monthly.id, quantity: 2 }] });

    const res = await syncNow(id).expect(200);
    expect(res.body).toMatchObject({ id, stripe_customer_id: customer.id, email: 'typed@example.com', name: 'New Person', status: 'active', mrr: monthly.unit_amount! * 2, last_sync_error: null });
    expect(res.body.last_synced_at).not.toBeNull();
    expect(await inAllCustomers(id)).toBe(true);

    // Its invoices and credit notes too: a paid invoice adds to LTV, a refund through a credit note takes off.
    const invoice = emulator.payInvoice(emulator.createInvoice({ customer: customer.id, amount: 9000 }).id);
    emulator.createCreditNote({ invoice: invoice.id, amount: 1500, outOfBandAmount: 1500 });
    const again = await syncNow(id).expect(200);
    expect(again.body.ltv).toBe(res.body.ltv + 9000 - 1500);
    expect(new Date(again.body.last_synced_at).getTime()).toBeGreaterThanOrEqual(new Date(res.body.last_synced_at).getTime());
  });

  it('records "Customer not found in Stripe" instead of failing, and keeps a guest\'s imported figures', async () => {
    await t.database.rows(sql`insert into participants (workspace_id, source, stripe_customer_id, email, mrr) values (${ws.id}, 'csv', 'cus_NotInStripe123', 'gone@example.com', 0), (${ws.id}, 'csv', 'gcus_Guest123', 'guest@example.com', 4200)`);
    const missing = await syncNow(await participantFor('cus_NotInStripe123')).expect(200);
    expect(missing.body.last_sync_error).toBe('Customer not found in Stripe');
    const retrievals = () => emulator.stats().requests['GET /v1/customers/:id'] ?? 0;
    const before = retrievals();
    const guest = await syncNow(await participantFor('gcus_Guest123')).expect(200);
    expect(guest.body).toMatchObject({ mrr: 4200, last_sync_error: null });
    expect(retrievals()).toBe(before);
  });

  it('never overwrites what a newer write (a webhook landing during the sync) left', async () => {
    const [newer, older] = await t.database.rows<{ id: string; email: string }>(sql`select id, data->>'email' as email from stripe_objects where workspace_id = ${ws.id} and type = 'customer' and data->>'email' is not null order by id limit 2`);
    const later = Date.now() + 3_600_000;
    await t.database.rows(sql`update stripe_objects set data = data || '{"email": "newer@example.com"}'::jsonb, version = ${later} where workspace_id = ${ws.id} and id = ${newer!.id}`);
    await t.database.rows(sql`update participants set email = 'newer@example.com', stripe_version = ${later} where workspace_id = ${ws.id} and stripe_customer_id = ${newer!.id}`);
    await t.database.rows(sql`update participants set email = 'stale@example.com', stripe_version = 1 where workspace_id = ${ws.id} and stripe_customer_id = ${older!.id}`);
    const [connection] = await t.database.rows<{ id: string }>(sql`select id from connections where workspace_id = ${ws.id}`);
    await t.services.backfill(connection!.id);

    const [stored] = await t.database.rows<{ email: string }>(sql`select data->>'email' as email from stripe_objects where workspace_id = ${ws.id} and id = ${newer!.id}`);
    expect(stored!.email).toBe('newer@example.com');
    const email = async (customerId: string) => (await t.http.get(`/api/participants/${await participantFor(customerId)}`).set('authorization', ws.auth).expect(200)).body.email;
    expect(await email(newer!.id)).toBe('newer@example.com');
    // The guard is per row: an older row on the same page is brought up to date.
    expect(await email(older!.id)).toBe(older!.email);
  });

  it("leaves a guest's imported figures alone in a full sync and the resyncs", async () => {
    await t.database.rows(sql`insert into participants (workspace_id, source, stripe_customer_id, email, mrr, ltv, currency, plan, status) values (${ws.id}, 'csv', 'gcus_Kept1', 'kept@example.com', 1500, 36000, 'eur', 'Imported plan', 'active')`);
    const [connection] = await t.database.rows<{ id: string }>(sql`select id from connections where workspace_id = ${ws.id}`);
    await t.services.backfill(connection!.id);
    await t.services.resync(connection!.id, 'mrr');
    await t.services.resync(connection!.id, 'ltv');
    const guest = await t.http.get(`/api/participants/${await participantFor('gcus_Kept1')}`).set('authorization', ws.auth).expect(200);
    expect(guest.body).toMatchObject({ mrr: 1500, ltv: 36000, currency: 'eur', plan: 'Imported plan', status: 'active', last_sync_error: null, last_synced_at: null });
  });

  it('marks a customer deleted in Stripe and takes it out of Stripe-derived segments', async () => {
    const [someone] = await t.database.rows<{ id: string; stripe_customer_id: string }>(
      sql`select id, stripe_customer_id from participants where workspace_id = ${ws.id} and source = 'stripe' and stripe_customer_id like 'cus_%' limit 1`,
    );
    expect(await inAllCustomers(someone!.id)).toBe(true);
    emulator.deleteCustomer(someone!.stripe_customer_id);
    const res = await syncNow(someone!.id).expect(200);
    expect(res.body.deleted_in_stripe).toBe(true);
    expect(await inAllCustomers(someone!.id)).toBe(false);
  });

  it('answers 422 for a participant without a Stripe id, and 404 for another workspace\'s participant', async () => {
    await t.database.rows(sql`insert into participants (workspace_id, source, email) values (${ws.id}, 'manual', 'nolink@example.com')`);
    const [unlinked] = await t.database.rows<{ id: string }>(sql`select id from participants where email = 'nolink@example.com'`);
    expect((await syncNow(unlinked!.id).expect(422)).body.error.code).toBe('not_linked_to_stripe');
    const other = await t.createWorkspace('Other');
    await t.http.post(`/api/participants/${unlinked!.id}/sync`).set('authorization', other.auth).expect(404);
  });
});
