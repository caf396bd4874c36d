import Stripe from 'stripe';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAccount } from '../stripe-emulator/generator.js';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { connectWithOAuth } from '../support/oauth-flow.js';
import type { TestApp } from '../support/test-app.js';
import { connectionOf, eventRows, makeEvent, post, SECRET, sign, startListeningApp, waitFor } from './support.js';

const ACCT = 'acct_1WHHANDLERSAAAAA';

let emulator: Emulator;
let t: TestApp & { webhookUrl: string };
let ws: Awaited<ReturnType<TestApp['createWorkspace']>>;
let connectionId: string;

interface Row {
  id: string;
  email: string | null;
  name: string | null;
  mrr: number;
  ltv: number;
  plan: string | null;
  status: string;
  deleted_in_stripe: boolean;
  segments: string[];
}

const participant = async (customerId: string): Promise<Row | undefined> =>
  (await t.database.rows<Row>(sql`
    select p.id, p.email, p.name, p.mrr::int as mrr, p.ltv::int as ltv, p.plan, p.status, p.deleted_in_stripe,
      coalesce((select jsonb_agg(s.key order by s.key) from segment_members m join segments s on s.id = m.segment_id where m.participant_id = p.id), '[]'::jsonb) as segments
    from participants p where p.workspace_id = ${ws.id} and p.stripe_customer_id = ${customerId}`))[0];

const segment = async (key: string) =>
  (await t.database.rows<{ name: string; participant_count: number; mrr_by_currency: Record<string, number> }>(
    sql`select name, participant_count::int as participant_count, mrr_by_currency from segments where workspace_id = ${ws.id} and key = ${key}`,
  ))[0];

/** Every delivery made, every stored event applied. */
async function settle() {
  await emulator.flushWebhooks();
  await waitFor(() => eventRows(t, sql`connection_id = ${connectionId} and status = 'pending'`), (rows) => rows.length === 0, { what: 'pending events to be applied' });
}

let monthlyPrice: { id: string; unit_amount: number; product: string };

beforeAll(async () => {
  const account = generateAccount({ customers: 15, seed: 31, accountId: ACCT });
  emulator = await startEmulator({ fixtures: { accounts: [account] } });
  t = await startListeningApp(emulator);
  emulator.setWebhookEndpoint({ url: t.webhookUrl, secret: SECRET });
  ws = await t.createWorkspace('Webhooks');
  emulator.setOAuth({ accountId: ACCT });
  await connectWithOAuth(t, ws.auth);
  connectionId = (await connectionOf(t, ws.id)).id;
  await waitFor(() => connectionOf(t, ws.id), (c) => c.status === 'complete', { timeoutMs: 30_000, what: 'the first sync' });
  const price = account.prices.find((p) => p.currency === 'usd' && p.recurring?.interval === 'month' && p.recurring.interval_count === 1 && p.billing_scheme === 'per_unit' && p.recurring.usage_type === 'licensed' && p.unit_amount && p.active)!;
  monthlyPrice = { id: price.id, unit_amount: price.unit_amount!, product: price.product as string };
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

describe('events delivered by Stripe (the emulator) to the listening backend', () => {
  it('customer.created / updated / deleted: the participant appears, changes, then is kept but leaves Stripe segments', async () => {
    const allBefore = (await segment('all'))!.participant_count;
    const customer = emulator.createCustomer({ email: 'ada@example.com', name: 'Ada', currency: 'usd' });
    await settle();
    expect(await participant(customer.id)).toMatchObject({ email: 'ada@example.com', name: 'Ada', status: 'none', deleted_in_stripe: false, segments: ['all'] });
    expect((await segment('all'))!.participant_count).toBe(allBefore + 1);

    emulator.updateCustomer(customer.id, { name: 'Ada Lovelace', email: 'ada@lovelace.dev' });
    await settle();
    expect(await participant(customer.id)).toMatchObject({ email: 'ada@lovelace.dev', name: 'Ada Lovelace' });

    emulator.deleteCustomer(customer.id);
    await settle();
    expect(await participant(customer.id)).toMatchObject({ email: 'ada@lovelace.dev', deleted_in_stripe: true, segments: [] });
    expect((await segment('all'))!.participant_count).toBe(allBefore);
  });

  it('customer.subscription.*: MRR, plan, status and segment counts follow created, updated, paused, resumed and deleted', async () => {
    const customer = emulator.createCustomer({ email: 'sub@example.com', currency: 'usd' });
    await settle();
    const active = (await segment('active'))!.participant_count;
    const churned = (await segment('churned'))!.participant_count;
    const productKey = `product:${monthlyPrice.product}`;
    const productMembers = (await segment(productKey))!.participant_count;

    const subscription = emulator.createSubscription({ customer: customer.id, items: [{ price: monthlyPrice.id }] });
    await settle();
    const productName = (await segment(productKey))!.name.replace(/^Product: /, '');
    expect(await participant(customer.id)).toMatchObject({ status: 'active', mrr: monthlyPrice.unit_amount, plan: expect.stringContaining(productName), segments: ['active', 'all', productKey] });
    expect((await segment('active'))!.participant_count).toBe(active + 1);
    expect((await segment(productKey))!.participant_count).toBe(productMembers + 1);

    emulator.updateSubscription(subscription.id, { items: [{ id: subscription.items.data[0]!.id, quantity: 3 }] });
    await settle();
    expect((await participant(customer.id))!.mrr).toBe(monthlyPrice.unit_amount * 3);

    emulator.pauseSubscription(subscription.id);
    await settle();
    expect(await participant(customer.id)).toMatchObject({ status: 'churned', mrr: 0 });
    emulator.resumeSubscription(subscription.id);
    await settle();
    expect(await participant(customer.id)).toMatchObject({ status: 'active', mrr: monthlyPrice.unit_amount * 3 });

    // Canceling moves the counts: out of "Active subscribers" and the product, into "Churned".
    emulator.cancelSubscription(subscription.id);
    await settle();
    expect(await participant(customer.id)).toMatchObject({ status: 'churned', mrr: 0, segments: ['all', 'churned'] });
    expect((await segment('active'))!.participant_count).toBe(active);
    expect((await segment('churned'))!.participant_count).toBe(churned + 1);
    expect((await segment(productKey))!.participant_count).toBe(productMembers);
  });

  it('a trialing subscription puts the participant in "Trialing"', async () => {
    const customer = emulator.createCustomer({ email: 'trial@example.com', currency: 'usd' });
    emulator.createSubscription({ customer: customer.id, items: [{ price: monthlyPrice.id }], trial_end: emulator.clock.now() + 14 * 86_400 });
    await settle();
    expect(await participant(customer.id)).toMatchObject({ status: 'trial', segments: ['all', `product:${monthlyPrice.product}`, 'trialing'] });
  });

  it('product.created and price.created: a new product gets its segment, and its name becomes the plan', async () => {
    const product = emulator.createProduct({ name: 'Research Pro' });
    const price = emulator.createPrice({ product: product.id, unit_amount: 12_300 });
    await settle();
    expect(await segment(`product:${product.id}`)).toMatchObject({ name: 'Product: Research Pro', participant_count: 0 });

    const customer = emulator.createCustomer({ email: 'pro@example.com', currency: 'usd' });
    emulator.createSubscription({ customer: customer.id, items: [{ price: price.id }] });
    await settle();
    expect(await participant(customer.id)).toMatchObject({ plan: 'Research Pro', mrr: 12_300 });
    expect(await segment(`product:${product.id}`)).toMatchObject({ participant_count: 1, mrr_by_currency: { usd: 12_300 } });
  });

  it('coupon.updated: the payload has no applies_to (Stripe includes it only on request), so the coupon is re-fetched with it', async () => {
    const storedCoupon = async () =>
      (await t.database.rows<{ data: Record<string, unknown> }>(sql`select data from stripe_objects where workspace_id = ${ws.id} and id = 'PRO20'`))[0]?.data;
    const restriction = (await storedCoupon())!.applies_to;
    // The generated coupon PRO20 is restricted to one product, and the backfill listed it so.
    expect(restriction).toEqual({ products: [expect.stringMatching(/^prod_/)] });
    const stripe = new Stripe(emulator.accounts().find((a) => a.id === ACCT)!.api_keys[0]!.key, { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
    const payloadCoupon = { ...(await stripe.coupons.retrieve('PRO20')), metadata: { renamed: 'yes' } };
    const before = emulator.stats().requests['GET /v1/coupons/:id'] ?? 0;
    expect(payloadCoupon).not.toHaveProperty('applies_to');
    const payload = JSON.stringify(makeEvent('coupon.updated', payloadCoupon, { account: ACCT }));
    expect((await post(t.webhookUrl, payload, sign(payload))).body.outcome).toBe('accepted');
    await settle();
    expect(emulator.stats().requests['GET /v1/coupons/:id'] ?? 0).toBeGreaterThan(before);
    expect((await storedCoupon())!.applies_to).toEqual(restriction);
  });

  it('price.updated: the payload has no currency_options (included only on request), so the price is re-fetched with them', async () => {
    const stripe = new Stripe(emulator.accounts().find((a) => a.id === ACCT)!.api_keys[0]!.key, { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
    const payloadPrice = { ...(await stripe.prices.retrieve(monthlyPrice.id)), nickname: 'Renamed' };
    const before = emulator.stats().requests['GET /v1/prices/:id'] ?? 0;
    expect(payloadPrice).not.toHaveProperty('currency_options');
    const payload = JSON.stringify(makeEvent('price.updated', payloadPrice, { account: ACCT }));
    expect((await post(t.webhookUrl, payload, sign(payload))).body.outcome).toBe('accepted');
    await settle();
    expect(emulator.stats().requests['GET /v1/prices/:id'] ?? 0).toBeGreaterThan(before);
  });

  it('invoice.paid / invoice.payment_succeeded add to LTV, credit_note.created takes refunds off', async () => {
    const customer = emulator.createCustomer({ email: 'ltv@example.com', currency: 'usd' });
    const subscription = emulator.createSubscription({ customer: customer.id, items: [{ price: monthlyPrice.id, quantity: 2 }] });
    const invoice = emulator.createInvoice({ customer: customer.id, subscription: subscription.id });
    await settle();
    expect((await participant(customer.id))!.ltv).toBe(0);
    emulator.payInvoice(invoice.id);
    await settle();
    expect((await participant(customer.id))!.ltv).toBe(monthlyPrice.unit_amount * 2);
    // A credit to the balance is not a refund (the rules subtract refunds only): mirrored, LTV unchanged.
    const credit = emulator.createCreditNote({ invoice: invoice.id, amount: 500 });
    await settle();
    expect((await participant(customer.id))!.ltv).toBe(monthlyPrice.unit_amount * 2);
    expect(await t.database.rows(sql`select id from stripe_objects where workspace_id = ${ws.id} and id = ${credit.id}`)).toHaveLength(1);
    // A credit note that refunds (the emulator makes none): signed like Stripe's, it takes the refund off.
    const refund = { ...credit, id: 'cn_refund_1', refunds: [{ amount_refunded: 700, refund: 're_1' }], out_of_band_amount: null };
    const payload = JSON.stringify(makeEvent('credit_note.created', refund, { account: ACCT }));
    expect((await post(t.webhookUrl, payload, sign(payload))).body.outcome).toBe('accepted');
    await settle();
    expect((await participant(customer.id))!.ltv).toBe(monthlyPrice.unit_amount * 2 - 700);
    const types = (await eventRows(t, sql`connection_id = ${connectionId}`)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['invoice.created', 'invoice.paid', 'invoice.payment_succeeded', 'credit_note.created']));
  });

  it('duplicated and reordered deliveries end in the latest state, each event applied once', async () => {
    const customer = emulator.createCustomer({ email: 'order@example.com', currency: 'usd' });
    await settle();
    emulator.setWebhookDelivery({ duplicate: true, reorder: true });
    try {
      for (let i = 1; i <= 6; i++) {
        // A second apart, as edits are: the order of event times is the order of the edits.
        emulator.clock.advance(1);
        emulator.updateCustomer(customer.id, { name: `Version ${i}`, metadata: { step: String(i) } });
      }
      await settle();
    } finally {
      emulator.setWebhookDelivery({ duplicate: false, reorder: false });
    }
    expect(await participant(customer.id)).toMatchObject({ name: 'Version 6' });
    const updates = await eventRows(t, sql`connection_id = ${connectionId} and type = 'customer.updated' and object->>'id' = ${customer.id}`);
    expect(updates).toHaveLength(6);
    expect(updates.every((e) => e.status === 'applied')).toBe(true);
  });

  it('the same object changed twice within one second is re-fetched rather than guessed', async () => {
    const customer = emulator.createCustomer({ email: 'tie@example.com', currency: 'usd' });
    await settle();
    emulator.setWebhookDelivery({ reorder: true });
    const before = emulator.stats().requests['GET /v1/customers/:id'] ?? 0;
    try {
      emulator.updateCustomer(customer.id, { name: 'First' });
      emulator.updateCustomer(customer.id, { name: 'Second' });
      emulator.updateCustomer(customer.id, { name: 'Third' });
      await settle();
    } finally {
      emulator.setWebhookDelivery({ reorder: false });
    }
    expect((await participant(customer.id))!.name).toBe('Third');
    expect(emulator.stats().requests['GET /v1/customers/:id'] ?? 0).toBeGreaterThan(before);
  });

  it('account.application.deauthorized disconnects: credentials wiped, later events ignored, the panel kept', async () => {
    const participantsBefore = (await segment('all'))!.participant_count;
    emulator.deauthorize(ACCT);
    await emulator.flushWebhooks();
    const connection = await waitFor(() => connectionOf(t, ws.id), (c) => c.status === 'disconnected', { what: 'the disconnect' });
    expect(connection).toMatchObject({ access_token_sealed: null, refresh_token_sealed: null });
    // The event is marked applied once its whole batch is done (the disconnect happens within it).
    await waitFor(() => eventRows(t, sql`type = 'account.application.deauthorized'`), (rows) => rows[0]?.status === 'applied', { what: 'the deauthorization to be applied' });
    expect((await segment('all'))!.participant_count).toBe(participantsBefore);

    // An event that still arrives (a retry from before the uninstall) is stored and ignored: at
    // once, or, while a receiver still has the account's route cached (2 s), when it is applied.
    const event = makeEvent('customer.created', { id: 'cus_late', object: 'customer', created: 1, email: 'late@example.com' }, { account: ACCT });
    const late = JSON.stringify(event);
    expect((await post(t.webhookUrl, late, sign(late))).body.outcome).toMatch(/^(ignored|accepted)$/);
    await waitFor(() => eventRows(t, sql`id = ${event.id}`), (rows) => rows[0]?.status === 'ignored', { what: 'the late event to be ignored' });
    expect((await eventRows(t, sql`id = ${event.id}`))[0]!.reason).toBe('connection_disconnected');
    expect(await participant('cus_late')).toBeUndefined();
  });
});
