import { sql } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESYNC_SCHEDULE_QUEUE } from '@ui/backend/src/modules/sync/queue.js';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { emulatorEnv } from '../support/oauth-flow.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let emulator: Emulator;
let t: TestApp;
let ws: Awaited<ReturnType<TestApp['createWorkspace']>>;
let connectionId: string;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startEmulator({ generate: { customers: 60, seed: 13 } });
  t = await startTestApp({ env: emulatorEnv(emulator) });
  const fullKey = emulator.accounts()[0]!.api_keys.find((k) => k.key.startsWith('sk_'))!.key;
  stripe = new Stripe(fullKey, { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
  ws = await t.createWorkspace('Resync');
  await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: fullKey }).expect(200);
  connectionId = (await t.database.rows<{ id: string }>(sql`select id from connections where workspace_id = ${ws.id}`))[0]!.id;
  for (const deadline = Date.now() + 30_000; (await runs('backfill'))[0]?.status !== 'succeeded'; ) {
    if (Date.now() > deadline) throw new Error('the first sync did not finish');
    await new Promise((r) => setTimeout(r, 100));
  }
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

const runs = (kind: string) =>
  t.database.rows<{ status: string; counts: Record<string, number> }>(sql`select status, counts from sync_runs where connection_id = ${connectionId} and kind = ${kind} order by started_at`);
const participant = async (customerId: string) =>
  (await t.database.rows<{ mrr: number; ltv: number; status: string }>(sql`select mrr::int, ltv::int, status from participants where workspace_id = ${ws.id} and stripe_customer_id = ${customerId}`))[0]!;

describe('scheduled resyncs', () => {
  it('registers the weekly MRR and monthly LTV schedules', async () => {
    const schedules = (await t.jobs.boss.getSchedules()).filter((s) => s.name === RESYNC_SCHEDULE_QUEUE);
    expect(schedules.map((s) => [s.name, s.cron, (s.data as { kind: string }).kind]).sort()).toEqual([
      [RESYNC_SCHEDULE_QUEUE, '0 3 * * 0', 'mrr'],
      [RESYNC_SCHEDULE_QUEUE, '0 4 1 * *', 'ltv'],
    ]);
  });

  it('picks up a new paid invoice in the LTV resync, reading only its window, and a repeated run does no harm', async () => {
    const [customer] = (await stripe.customers.list({ limit: 1 })).data;
    const before = await participant(customer!.id);
    const invoice = emulator.createInvoice({ customer: customer!.id, amount: 4321 });
    emulator.payInvoice(invoice.id);

    await t.jobs.send(RESYNC_SCHEDULE_QUEUE, { kind: 'ltv' });
    await expect.poll(async () => (await runs('resync_ltv')).map((r) => r.status), { timeout: 30_000, interval: 100 }).toEqual(['succeeded']);
    expect((await participant(customer!.id)).ltv).toBe(before.ltv + 4321);

    const totalInvoices = emulator.accounts()[0]!.counts.invoice!;
    const [ltvRun] = await runs('resync_ltv');
    expect(ltvRun!.counts.invoice).toBeGreaterThan(0);
    expect(ltvRun!.counts.invoice).toBeLessThan(totalInvoices);

    await t.services.resync(connectionId, 'ltv');
    expect((await participant(customer!.id)).ltv).toBe(before.ltv + 4321);
  });

  it('catches up after missed LTV runs: the window starts at the last success, however long ago', async () => {
    // The last success was 90 days ago (two monthly runs missed); an invoice was paid 80 days ago.
    await t.database.rows(sql`update sync_runs set started_at = now() - interval '90 days' where connection_id = ${connectionId} and status = 'succeeded' and kind in ('backfill', 'resync_ltv')`);
    const [, customer] = (await stripe.customers.list({ limit: 2 })).data;
    const before = await participant(customer!.id);
    const invoice = emulator.createInvoice({ customer: customer!.id, amount: 1234, created: Math.floor(Date.now() / 1000) - 80 * 86_400 });
    emulator.payInvoice(invoice.id);

    await t.services.resync(connectionId, 'ltv');
    expect((await participant(customer!.id)).ltv).toBe(before.ltv + 1234);
  });

  it('picks up a subscription change in the MRR resync', async () => {
    const customer = emulator.createCustomer({ email: 'later@example.com', currency: 'usd' });
    await t.services.syncParticipant(ws.id, await (async () => {
      await t.database.rows(sql`insert into participants (workspace_id, source, stripe_customer_id) values (${ws.id}, 'api', ${customer.id})`);
      return (await t.database.rows<{ id: string }>(sql`select id from participants where stripe_customer_id = ${customer.id}`))[0]!.id;
    })());
    expect((await participant(customer.id)).status).toBe('none');
    const price = (await stripe.prices.list({ limit: 100 })).data.find((p) => p.currency === 'usd' && p.recurring?.interval === 'month' && p.recurring.interval_count === 1 && p.recurring.usage_type === 'licensed' && p.billing_scheme === 'per_unit' && p.unit_amount)!;
    emulator.createSubscription({ customer: customer.id, items: [{ price: price.id }] });

    await t.services.resync(connectionId, 'mrr');
    expect(await participant(customer.id)).toEqual({ mrr: price.unit_amount, ltv: 0, status: 'active' });
    expect((await runs('resync_mrr')).map((r) => r.status)).toEqual(['succeeded']);
  });
});
