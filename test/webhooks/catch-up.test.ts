import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_QUEUE } from '@ui/backend/src/modules/sync/queue.js';
import { EVENT_RETENTION_SECONDS } from '@ui/backend/src/modules/webhooks/catch-up.js';
import { WEBHOOK_CATCH_UP_QUEUE } from '@ui/backend/src/modules/webhooks/jobs.js';
import { generateAccount } from '../stripe-emulator/generator.js';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import type { TestApp } from '../support/test-app.js';
import { connectionOf, eventRows, panelSnapshot, SECRET, startListeningApp, waitFor } from './support.js';

const ACCT = 'acct_1WHCATCHUPAAAAAA';

let emulator: Emulator;
let t: TestApp & { webhookUrl: string };
let ws: Awaited<ReturnType<TestApp['createWorkspace']>>;
let connectionId: string;
let key: string;

const participant = async (customerId: string) =>
  (await t.database.rows<{ name: string | null; status: string; mrr: number; deleted_in_stripe: boolean }>(
    sql`select name, status, mrr::int as mrr, deleted_in_stripe from participants where workspace_id = ${ws.id} and stripe_customer_id = ${customerId}`,
  ))[0];

beforeAll(async () => {
  const account = generateAccount({ customers: 10, seed: 41, accountId: ACCT });
  key = account.api_keys.find((k) => k.key.startsWith('sk_'))!.key;
  emulator = await startEmulator({ fixtures: { accounts: [account] } });
  t = await startListeningApp(emulator);
  ws = await t.createWorkspace('Catch-up');
  await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: key }).expect(200);
  connectionId = (await connectionOf(t, ws.id)).id;
  await waitFor(() => connectionOf(t, ws.id), (c) => c.status === 'complete', { timeoutMs: 30_000, what: 'the first sync' });
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

describe('catching up on missed deliveries from GET /v1/events', () => {
  it('applies what was never delivered, through the same handlers and dedupe, and ends where Stripe is', async () => {
    // Some deliveries arrive, then the endpoint is unreachable (a downtime): those events are lost.
    emulator.setWebhookEndpoint({ url: t.webhookUrl, secret: SECRET });
    const kept = emulator.createCustomer({ email: 'delivered@example.com', name: 'Delivered', currency: 'usd' });
    await emulator.flushWebhooks();
    emulator.setWebhookEndpoint(undefined);
    const missed = emulator.createCustomer({ email: 'missed@example.com', name: 'Missed', currency: 'usd' });
    emulator.updateCustomer(kept.id, { name: 'Renamed while down' });
    const price = (await t.database.rows<{ id: string }>(sql`
      select id from stripe_objects where workspace_id = ${ws.id} and type = 'price'
        and data->>'currency' = 'usd' and data->>'billing_scheme' = 'per_unit' and (data->>'active')::boolean
        and data->'recurring'->>'interval' = 'month' and data->'recurring'->>'usage_type' = 'licensed' limit 1`))[0]!.id;
    emulator.createSubscription({ customer: missed.id, items: [{ price }] });
    const gone = emulator.createCustomer({ email: 'gone@example.com', currency: 'usd' });
    emulator.deleteCustomer(gone.id);
    expect(await participant(missed.id)).toBeUndefined();

    const result = await t.services.webhooks.catchUp(connectionId);
    expect(result.found).toBeGreaterThanOrEqual(5);
    await waitFor(() => eventRows(t, sql`connection_id = ${connectionId} and status = 'pending'`), (rows) => rows.length === 0, { what: 'the catch-up events to apply' });

    expect(await participant(kept.id)).toMatchObject({ name: 'Renamed while down' });
    expect(await participant(missed.id)).toMatchObject({ name: 'Missed', status: 'active' });
    expect(await participant(gone.id)).toMatchObject({ deleted_in_stripe: true });
    const sources = await eventRows(t, sql`connection_id = ${connectionId}`);
    expect(sources.filter((e) => e.source === 'webhook').map((e) => e.type)).toEqual(['customer.created']);
    expect(sources.filter((e) => e.source === 'catch_up').every((e) => e.status === 'applied')).toBe(true);

    // A second run finds nothing new: what it lists again is deduplicated.
    const again = await t.services.webhooks.catchUp(connectionId);
    expect(again.listed).toBeGreaterThan(0);
    expect(again.found).toBe(0);
  });

  it('ends in the same participants and segments as a fresh backfill of the account', async () => {
    const other = await t.createWorkspace('Fresh backfill');
    await t.http.delete('/api/integrations/stripe').set('authorization', ws.auth).expect(200);
    await t.http.put('/api/integrations/stripe/key').set('authorization', other.auth).send({ api_key: key }).expect(200);
    await waitFor(() => connectionOf(t, other.id), (c) => c.status === 'complete', { timeoutMs: 30_000, what: 'the fresh backfill' });
    const live = await panelSnapshot(t, ws.id, { includeDeleted: false });
    const fresh = await panelSnapshot(t, other.id, { includeDeleted: false });
    expect(live).toEqual(fresh);
    // Hand the account back for the next test.
    await t.http.delete('/api/integrations/stripe').set('authorization', other.auth).expect(200);
    await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: key }).expect(200);
    await waitFor(() => connectionOf(t, ws.id), (c) => c.status === 'complete', { timeoutMs: 30_000, what: 'the reconnect' });
  });

  it('after a downtime longer than Stripe keeps events, queues a full resync instead', async () => {
    await t.database.rows(sql`update webhook_catch_ups set listed_through = ${Math.floor(Date.now() / 1000) - EVENT_RETENTION_SECONDS - 3600} where connection_id = ${connectionId}`);
    const syncJobs = async () => (await t.jobs.boss.findJobs(SYNC_QUEUE, { key: connectionId })).length;
    const before = await syncJobs();
    const result = await t.services.webhooks.catchUp(connectionId);
    expect(result.resync).toBe(true);
    expect(await syncJobs()).toBe(before + 1);
    const [cursor] = await t.database.rows<{ listed_through: number }>(sql`select listed_through::int as listed_through from webhook_catch_ups where connection_id = ${connectionId}`);
    expect(cursor!.listed_through).toBeGreaterThan(Math.floor(Date.now() / 1000) - 60);
    await waitFor(() => connectionOf(t, ws.id), (c) => c.status === 'complete', { timeoutMs: 30_000, what: 'the resync' });
  });

  it('runs on a schedule: the periodic pass queues a catch-up per connected account and wakes stalled events', async () => {
    const scheduled = await t.jobs.boss.getSchedules();
    expect(scheduled.map((s) => s.name)).toContain('webhook-schedule');
    await t.database.rows(sql`insert into webhook_events (id, type, livemode, created, connection_id, workspace_id, status, account, object, received_at)
      values ('evt_stalled_1', 'customer.updated', false, ${Math.floor(Date.now() / 1000)}, ${connectionId}, ${ws.id}, 'pending', ${ACCT},
        ${JSON.stringify({ id: 'cus_stalled', object: 'customer', created: 1, name: 'Stalled' })}::jsonb, now() - interval '5 minutes')`);
    await t.services.webhooks.tick();
    const queued = await t.jobs.boss.findJobs(WEBHOOK_CATCH_UP_QUEUE, { key: connectionId });
    expect(queued.length).toBeGreaterThanOrEqual(1);
    await waitFor(() => eventRows(t, sql`id = 'evt_stalled_1'`), (rows) => rows[0]?.status === 'applied', { what: 'the stalled event' });
  });
});
