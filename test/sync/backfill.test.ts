import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { allStoredText, emulatorEnv } from '../support/oauth-flow.js';
import { recordConnectionStatuses } from '../support/status-log.js';
import { customerOf, stripeAccount as accountFrom } from '../support/stripe-account.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { buildVectorCopies, NOW } from './vector-copies.js';

/** Every participant's expected figures are the hand-written vectors' (vector-copies.ts). */
const fixture = buildVectorCopies({ copies: 8, layout: { kind: 'spread' } });
const CUSTOMERS = fixture.account.customers.length;
let emulator: Emulator;
let t: TestApp;
let fullKey: string;
let restrictedKey: string;
let statusesOf: (connectionId: string) => Promise<string[]>;

beforeAll(async () => {
  emulator = await startEmulator({ fixtures: { accounts: [fixture.account] }, now: NOW, latencyMs: 5 });
  fullKey = fixture.secretKey;
  restrictedKey = fixture.restrictedKey;
  t = await startTestApp({ env: emulatorEnv(emulator) });
  statusesOf = await recordConnectionStatuses(t.database);
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

// One Stripe account serves every test: each test's workspace lets go of it afterwards.
let connected: string | undefined;
afterEach(async () => {
  if (connected) await t.http.delete('/api/integrations/stripe').set('authorization', connected);
  connected = undefined;
});

async function connectWithKey(name: string, apiKey: string) {
  const ws = await t.createWorkspace(name);
  await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: apiKey }).expect(200);
  connected = ws.auth;
  return ws;
}

const stripeAccount = () => accountFrom(emulator, fullKey);
const connectionIdOf = async (workspaceId: string) => (await t.database.rows<{ id: string }>(sql`select id from connections where workspace_id = ${workspaceId}`))[0]!.id;
const statusOf = async (auth: string) => (await t.http.get('/api/integrations/stripe').set('authorization', auth).expect(200)).body;

/** Polls the status API, recording each distinct status, until the sync completes. */
async function watchSync(auth: string): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { status, last_error } = await statusOf(auth);
    if (seen.at(-1) !== status) seen.push(status);
    if (status === 'complete') return seen;
    if (last_error && !/retry/.test(last_error)) throw new Error(last_error);
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`sync did not complete; saw ${seen.join(' → ')}`);
}

async function allParticipants(auth: string) {
  const all: any[] = [];
  let cursor: string | null = null;
  do {
    const res: any = await t.http.get('/api/participants').query({ limit: 100, ...(cursor ? { cursor } : {}) }).set('authorization', auth).expect(200);
    all.push(...res.body.data);
    cursor = res.body.next_cursor;
  } while (cursor);
  return all;
}

describe('the first sync', () => {
  it('moves pending → syncing → segments_synced → complete and imports every customer with its revenue data', async () => {
    emulator.resetStats();
    const ws = await connectWithKey('Backfill', fullKey);
    await watchSync(ws.auth);
    expect(await statusesOf(await connectionIdOf(ws.id))).toEqual(['pending', 'syncing', 'segments_synced', 'complete']);

    const status = await statusOf(ws.auth);
    const counts = emulator.accounts()[0]!.counts;
    expect(status.participant_count).toBe(CUSTOMERS);
    expect(status.sync_progress.customer).toBe(CUSTOMERS);
    expect(status.sync_progress.invoice).toBe(counts.invoice);
    expect(status.status_messages).toEqual([]);

    const stats = emulator.stats().requests;
    const pages = (n: number) => Math.max(1, Math.ceil(n / 100));
    const minimum = pages(counts.customer!) + pages(counts.subscription!) + pages(counts.invoice!) + pages(counts.credit_note!) + pages(counts.product!) + pages(counts.price!) + pages(counts.coupon!);
    const listRequests = ['customers', 'subscriptions', 'invoices', 'credit_notes', 'products', 'prices', 'coupons'].reduce((n, r) => n + (stats[`GET /v1/${r}`] ?? 0), 0);
    // The key check before saving lists each of the 7 types once (limit 1); the backfill, the minimum.
    expect(listRequests).toBe(minimum + 7);

    const participants = await allParticipants(ws.auth);
    expect(participants).toHaveLength(CUSTOMERS);
    const customers = new Map((await stripeAccount()).customers.map((c) => [c.id, c]));
    for (const p of participants) {
      const c = customers.get(p.stripe_customer_id)!;
      const e = fixture.expected.get(p.stripe_customer_id)!;
      expect({ id: p.stripe_customer_id, email: p.email, name: p.name, phone: p.phone, metadata: p.metadata, signup_at: p.signup_at }).toEqual({
        id: c.id,
        email: c.email ?? null,
        name: c.name ?? null,
        phone: c.phone ?? null,
        metadata: c.metadata,
        signup_at: new Date(c.created * 1000).toISOString(),
      });
      expect({ id: p.stripe_customer_id, vector: e.vector, mrr: p.mrr, ltv: p.ltv, status: p.status, plan: p.plan, currency: p.currency }).toEqual({
        id: p.stripe_customer_id,
        vector: e.vector,
        mrr: e.mrr,
        ltv: e.ltv,
        status: e.status,
        plan: e.plan,
        currency: e.currency,
      });
      // Main plan first; the order of the others is not part of the rules.
      expect(p.plan_products[0] ?? null).toBe(e.plan);
      expect([...p.plan_products].sort()).toEqual([...e.planProducts].sort());
      expect(p.last_synced_at).not.toBeNull();
    }
    expect(participants.some((p) => p.email === null)).toBe(true);
    expect(new Set(participants.map((p) => p.status))).toEqual(new Set(['active', 'trial', 'churned', 'none']));

    // Only list endpoints (and the account, for its creation time; events are the webhook catch-up's): never one object at a time.
    expect(Object.keys(stats).filter((k) => !/^GET \/v1\/(customers|subscriptions|invoices|credit_notes|products|prices|coupons|subscription_items|account|events)$/.test(k))).toEqual([]);
  });

  it('builds segments whose counts and MRR totals add up from their members', async () => {
    const ws = await connectWithKey('Segments', fullKey);
    await watchSync(ws.auth);
    const segments = (await t.http.get('/api/segments').set('authorization', ws.auth).expect(200)).body.data;
    const byKey = new Map(segments.map((s: any) => [s.key, s]));
    expect([...byKey.keys()]).toEqual(expect.arrayContaining(['all', 'active', 'trialing', 'churned']));
    expect(segments.some((s: any) => s.key.startsWith('product:') && s.name.startsWith('Product: '))).toBe(true);
    const participants = await allParticipants(ws.auth);
    expect((byKey.get('all') as any).participant_count).toBe(participants.length);
    for (const [key, status] of [['active', 'active'], ['trialing', 'trial'], ['churned', 'churned']]) {
      expect({ key, n: (byKey.get(key) as any).participant_count }).toEqual({ key, n: participants.filter((p) => p.status === status).length });
    }
    // A product's segment: the customers with an active, past-due or trialing subscription to it.
    const subscribers = new Map<string, Set<string>>();
    for (const subscription of (await stripeAccount()).subscriptions) {
      if (!['active', 'past_due', 'trialing'].includes(subscription.status)) continue;
      for (const item of subscription.items.data) {
        const product = typeof item.price.product === 'string' ? item.price.product : item.price.product.id;
        subscribers.set(product, (subscribers.get(product) ?? new Set()).add(customerOf(subscription)));
      }
    }
    expect(segments.filter((s: any) => s.key.startsWith('product:')).length).toBeGreaterThan(1);
    for (const segment of segments) {
      const members: any[] = [];
      let cursor: string | null = null;
      do {
        const res: any = await t.http.get(`/api/segments/${segment.id}/participants`).query({ limit: 100, ...(cursor ? { cursor } : {}) }).set('authorization', ws.auth).expect(200);
        members.push(...res.body.data);
        cursor = res.body.next_cursor;
      } while (cursor);
      expect(members).toHaveLength(segment.participant_count);
      if (segment.key.startsWith('product:')) {
        const product = segment.key.slice('product:'.length);
        expect({ product, members: members.map((m) => m.stripe_customer_id).sort() }).toEqual({ product, members: [...(subscribers.get(product) ?? [])].sort() });
      }
      const totals: Record<string, number> = {};
      for (const m of members) if (m.mrr > 0) totals[m.currency] = (totals[m.currency] ?? 0) + m.mrr;
      expect(segment.mrr).toEqual(totals);
    }
  });

  it('skips what a restricted key may not read, says so, and never stores payment data', async () => {
    const ws = await connectWithKey('Restricted', restrictedKey);
    await watchSync(ws.auth);
    const status = await statusOf(ws.auth);
    expect(status.status_messages).toEqual([{ code: 'missing_credit_note_read', message: expect.stringContaining('credit notes') }]);
    expect(status.participant_count).toBe(CUSTOMERS);
    // Without credit notes, LTV is gross: what was paid, with nothing taken off for credit notes.
    const participants = await allParticipants(ws.auth);
    const ltv = (p: any) => [p.stripe_customer_id, p.ltv];
    expect(participants.map(ltv)).toEqual(participants.map((p) => [p.stripe_customer_id, fixture.expected.get(p.stripe_customer_id)!.grossLtv]));
    expect(participants.some((p) => fixture.expected.get(p.stripe_customer_id)!.ltv !== p.ltv)).toBe(true);
    const stored = await allStoredText(t);
    expect(stored).not.toMatch(/default_source|default_payment_method|"sources"|"card"|invoice_settings/);
  });

  it('updates participants on a second sync instead of duplicating them', async () => {
    const ws = await connectWithKey('Twice', fullKey);
    await watchSync(ws.auth);
    const first = await allParticipants(ws.auth);
    await t.http.delete('/api/integrations/stripe').set('authorization', ws.auth).expect(200);
    await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: fullKey }).expect(200);
    await watchSync(ws.auth);
    const second = await allParticipants(ws.auth);
    expect(second.map((p) => p.id).sort()).toEqual(first.map((p) => p.id).sort());
  });

  it('resumes a run stopped after its segments were built without the status going back', async () => {
    const ws = await connectWithKey('Resumed', fullKey);
    await watchSync(ws.auth);
    const connectionId = await connectionIdOf(ws.id);
    // As a process killed in the customers step leaves it: catalog read, customer data not begun.
    const catalogDone = Object.fromEntries(['product', 'price', 'coupon', 'subscription'].map((type) => [type, { done: true }]));
    await t.database.rows(sql`insert into sync_runs (connection_id, kind, cursors) values (${connectionId}, 'backfill', ${JSON.stringify(catalogDone)}::jsonb)`);
    await t.database.rows(sql`update connections set status = 'segments_synced' where id = ${connectionId}`);
    const before = (await statusesOf(connectionId)).length;
    await t.services.backfill(connectionId);
    expect((await statusesOf(connectionId)).slice(before)).toEqual(['complete']);
    expect((await statusOf(ws.auth)).sync_progress.customer).toBe(CUSTOMERS);
  });

  it('starts afresh after a reconnect instead of resuming a run begun before it', async () => {
    const ws = await connectWithKey('Abandoned', fullKey);
    await watchSync(ws.auth);
    const connectionId = await connectionIdOf(ws.id);
    // A backfill cut short before the workspace disconnected, its job's retries used up: resumed, it would read nothing more.
    const done = Object.fromEntries(['product', 'price', 'coupon', 'subscription', 'customer', 'invoice', 'credit_note'].map((type) => [type, { done: true }]));
    await t.database.rows(sql`insert into sync_runs (connection_id, kind, cursors, counts, started_at) values (${connectionId}, 'backfill', ${JSON.stringify(done)}::jsonb, '{"customer": 1}'::jsonb, now() - interval '1 minute')`);
    await t.http.delete('/api/integrations/stripe').set('authorization', ws.auth).expect(200);
    await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: fullKey }).expect(200);
    await watchSync(ws.auth);

    const runs = await t.database.rows<{ status: string; error: string | null; counts: Record<string, number> }>(sql`select status, error, counts from sync_runs where connection_id = ${connectionId} order by started_at`);
    expect(runs.map((r) => r.status)).toEqual(['failed', 'succeeded', 'succeeded']);
    expect(runs[0]!.error).toMatch(/reconnected/);
    expect(runs[2]!.counts.customer).toBe(CUSTOMERS);
    expect((await statusOf(ws.auth)).sync_progress.customer).toBe(CUSTOMERS);
  });
});
