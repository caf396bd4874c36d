/**
 * Customers attached to a test clock are simulations: Stripe's customer and subscription lists
 * leave them out unless asked for their clock, so the first sync never imports them, and the
 * product does not ask (nor does it make them participants when their events arrive).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAccount } from '../stripe-emulator/generator.js';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { connectWithOAuth } from '../support/oauth-flow.js';
import type { TestApp } from '../support/test-app.js';
import { connectionOf, eventRows, SECRET, startListeningApp, waitFor } from './support.js';

const ACCT = 'acct_1WHTESTCLOCKSAAA';
const CLOCK = 'clock_1WHTestClockAAAA';

let emulator: Emulator;
let t: TestApp & { webhookUrl: string };
let ws: Awaited<ReturnType<TestApp['createWorkspace']>>;
let connectionId: string;
let account: ReturnType<typeof generateAccount>;

const participantIds = async () =>
  (await t.database.rows<{ stripe_customer_id: string }>(sql`select stripe_customer_id from participants where workspace_id = ${ws.id}`)).map((r) => r.stripe_customer_id).sort();

async function settle() {
  await emulator.flushWebhooks();
  await waitFor(() => eventRows(t, sql`connection_id = ${connectionId} and status = 'pending'`), (rows) => rows.length === 0, { what: 'pending events to be applied' });
}

/** A customer on the clock with a subscription and a paid invoice, as Stripe bills a simulation. */
function simulatedCustomer(email: string) {
  const customer = emulator.createCustomer({ email, currency: 'usd', test_clock: CLOCK });
  const price = account.prices.find((p) => p.currency === 'usd' && p.recurring?.usage_type === 'licensed' && p.billing_scheme === 'per_unit' && p.active)!;
  const subscription = emulator.createSubscription({ customer: customer.id, items: [{ price: price.id }] });
  const invoice = emulator.createInvoice({ customer: customer.id, subscription: subscription.id });
  emulator.payInvoice(invoice.id);
  return customer;
}

beforeAll(async () => {
  account = generateAccount({ customers: 12, seed: 5, accountId: ACCT });
  emulator = await startEmulator({ fixtures: { accounts: [account] } });
  t = await startListeningApp(emulator);
  ws = await t.createWorkspace('Test clocks');
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

describe('customers on a test clock', () => {
  it('are left out of the first sync and of the participants their events would create', async () => {
    // Before the connection: only a list could bring it in.
    const before = simulatedCustomer('before@example.com');
    emulator.setOAuth({ accountId: ACCT });
    await connectWithOAuth(t, ws.auth);
    connectionId = (await connectionOf(t, ws.id)).id;
    await waitFor(() => connectionOf(t, ws.id), (c) => c.status === 'complete', { timeoutMs: 30_000, what: 'the first sync' });
    const real = account.customers.map((c) => c.id).sort();
    expect(await participantIds()).toEqual(real);
    expect(await participantIds()).not.toContain(before.id);

    // Delivered by webhook: the simulated customer's events change nothing; a real one's, beside them, do.
    emulator.setWebhookEndpoint({ url: t.webhookUrl, secret: SECRET });
    const during = simulatedCustomer('during@example.com');
    const person = emulator.createCustomer({ email: 'person@example.com', currency: 'usd' });
    await settle();
    expect(await participantIds()).toEqual([...real, person.id].sort());
    expect(await participantIds()).not.toContain(during.id);
  });
});
