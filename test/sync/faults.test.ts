import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { emulatorEnv } from '../support/oauth-flow.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let emulator: Emulator;
let t: TestApp;
beforeAll(async () => {
  emulator = await startEmulator({ generate: { customers: 1200, seed: 21 } });
  // No queue workers: the test runs the backfill itself once the faults are on.
  t = await startTestApp({ env: { ...emulatorEnv(emulator), STRIPE_RATE_LIMIT_TEST: '100', SYNC_CONCURRENCY: '12' }, work: false });
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

it('reads long lists in parallel ranges and ends with exact counts through 429s and 500s', async () => {
  const fullKey = emulator.accounts()[0]!.api_keys.find((k) => k.key.startsWith('sk_'))!.key;
  const ws = await t.createWorkspace('Faults');
  await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: fullKey }).expect(200);
  emulator.resetStats();
  // Stripe's side allows fewer requests than we send, and fails some outright.
  emulator.setRateLimit(25);
  emulator.setFaults({ errorRate: 0.05 });

  const [connection] = await t.database.rows<{ id: string }>(sql`select id from connections where workspace_id = ${ws.id}`);
  try {
    await t.services.backfill(connection!.id);
  } finally {
    emulator.setFaults({ errorRate: 0 });
    emulator.setRateLimit(undefined);
  }
  const status = (await t.http.get('/api/integrations/stripe').set('authorization', ws.auth)).body;

  expect(status.status).toBe('complete');
  const stats = emulator.stats();
  expect(stats.rateLimited).toBeGreaterThan(0);
  expect(stats.serverErrors).toBeGreaterThan(0);
  const counts = emulator.accounts()[0]!.counts;
  for (const type of ['customer', 'subscription', 'invoice', 'credit_note', 'product', 'price', 'coupon']) {
    expect({ type, n: status.sync_progress[type] }).toEqual({ type, n: counts[type] });
  }
  expect(status.participant_count).toBe(1200);
  const [run] = await t.database.rows<{ cursors: Record<string, { ranges?: unknown[] }> }>(sql`select cursors from sync_runs`);
  expect(run!.cursors.invoice!.ranges!.length).toBeGreaterThan(2);
  const [dupes] = await t.database.rows<{ n: number }>(sql`select count(*)::int - count(distinct stripe_customer_id)::int as n from participants`);
  expect(dupes!.n).toBe(0);
});
