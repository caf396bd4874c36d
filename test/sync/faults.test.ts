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

it('reads long lists in parallel ranges and ends with exact counts through 20% 429s, 5% 500s and dropped connections', async () => {
  const fullKey = emulator.accounts()[0]!.api_keys.find((k) => k.key.startsWith('sk_'))!.key;
  const ws = await t.createWorkspace('Faults');
  await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: fullKey }).expect(200);
  emulator.resetStats();
  emulator.setFaults({ rateLimitRate: 0.2, errorRate: 0.05, resetRate: 0.05 });

  const [connection] = await t.database.rows<{ id: string }>(sql`select id from connections where workspace_id = ${ws.id}`);
  try {
    await t.services.backfill(connection!.id);
  } finally {
    emulator.setFaults({ rateLimitRate: 0, errorRate: 0, resetRate: 0 });
  }
  const status = (await t.http.get('/api/integrations/stripe').set('authorization', ws.auth)).body;

  expect(status.status).toBe('complete');
  const stats = emulator.stats();
  // The faults happened at about the rates asked for (bounds far outside chance), and each was retried.
  expect(stats.rateLimited / stats.total).toBeGreaterThan(0.07);
  expect(stats.rateLimited / stats.total).toBeLessThan(0.3);
  expect(stats.serverErrors).toBeGreaterThan(0);
  expect(stats.connectionResets).toBeGreaterThan(0);
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
