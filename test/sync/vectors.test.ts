/**
 * End to end over revenue-metrics.md: an emulator account that encodes every vector of the table
 * as Stripe objects (vector-account.ts) is connected with its secret key, the first sync runs
 * through the job queue, and each participant read back through the API must show the table's
 * MRR, LTV, status and plan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { emulatorEnv } from '../support/oauth-flow.js';
import { waitForComplete } from '../support/sync-status.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { buildVectorAccount, NOW, type VectorAccount } from './vector-account.js';

let emulator: Emulator;
let t: TestApp;
const fixture: VectorAccount = buildVectorAccount();

beforeAll(async () => {
  emulator = await startEmulator({ fixtures: { accounts: [fixture.account] }, now: NOW });
  t = await startTestApp({ env: emulatorEnv(emulator) });
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

async function allParticipants(auth: string): Promise<any[]> {
  const all: any[] = [];
  let cursor: string | null = null;
  do {
    // A small page size so that paging is exercised with only 38 participants.
    const res: any = await t.http.get('/api/participants').query({ limit: 10, ...(cursor ? { cursor } : {}) }).set('authorization', auth).expect(200);
    all.push(...res.body.data);
    cursor = res.body.next_cursor;
  } while (cursor);
  return all;
}

describe('the revenue-metrics vectors, through a real first sync', () => {
  let participants: any[];
  let auth: string;

  beforeAll(async () => {
    const ws = await t.createWorkspace('Vectors');
    await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: fixture.secretKey }).expect(200);
    const status = await waitForComplete(t, ws.auth);
    expect(status.status_messages).toEqual([]);
    expect(status.last_error).toBeNull();
    const counts = emulator.accounts()[0]!.counts;
    expect(status.sync_progress).toMatchObject({
      customer: counts.customer,
      subscription: counts.subscription,
      invoice: counts.invoice,
      credit_note: counts.credit_note,
      product: counts.product,
      price: counts.price,
      coupon: counts.coupon,
    });
    participants = await allParticipants(ws.auth);
    auth = ws.auth;
  });

  it('imports one participant per customer, none twice', () => {
    expect(participants).toHaveLength(fixture.account.customers.length);
    expect(new Set(participants.map((p) => p.stripe_customer_id))).toEqual(new Set(fixture.expected.keys()));
  });

  it.each([...fixture.expected].map(([customerId, row]) => [row.vector, customerId, row] as const))('vector %s', (vector, customerId, row) => {
    const p = participants.find((candidate) => candidate.stripe_customer_id === customerId);
    expect(p, `participant for vector ${vector}`).toBeDefined();
    expect({ mrr: p.mrr, ltv: p.ltv, status: p.status, currency: p.currency, plan: p.plan }).toEqual({
      mrr: row.mrr,
      ltv: row.ltv,
      status: row.status,
      currency: row.currency,
      plan: row.plan,
    });
    // Main plan first; the order of the others is not part of the rules.
    expect(p.plan_products[0] ?? null).toBe(row.plan);
    expect([...p.plan_products].sort()).toEqual([...row.planProducts].sort());
    expect(p.last_sync_error).toBeNull();
    expect(p.last_synced_at).not.toBeNull();
  });

  it('"sync now" of each participant gives the same figures (it reads Stripe through the same registry)', async () => {
    for (const [customerId, row] of fixture.expected) {
      const p = participants.find((candidate) => candidate.stripe_customer_id === customerId);
      const synced = (await t.http.post(`/api/participants/${p.id}/sync`).set('authorization', auth).expect(200)).body;
      expect({ vector: row.vector, mrr: synced.mrr, ltv: synced.ltv, status: synced.status, plan: synced.plan }).toEqual({ vector: row.vector, mrr: row.mrr, ltv: row.ltv, status: row.status, plan: row.plan });
    }
  });
});
