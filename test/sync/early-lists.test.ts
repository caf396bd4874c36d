import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { emulatorEnv } from '../support/oauth-flow.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let emulator: Emulator;
let t: TestApp;
beforeAll(async () => {
  emulator = await startEmulator({ generate: { customers: 300, seed: 6 }, latencyMs: 10 });
  t = await startTestApp({ env: emulatorEnv(emulator), work: false });
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

it('reads invoices beside the catalog, and a failure there fails the run with its own error, every reader stopped', async () => {
  const fullKey = emulator.accounts()[0]!.api_keys.find((k) => k.key.startsWith('sk_'))!.key;
  const ws = await t.createWorkspace('Early lists');
  await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: fullKey }).expect(200);
  const [connection] = await t.database.rows<{ id: string }>(sql`select id from connections where workspace_id = ${ws.id}`);

  // Every invoice write fails: the invoice list fails while the catalog is being read.
  await t.database.rows(sql.raw(`create function test_refuse_invoice() returns trigger language plpgsql as $$
    begin raise exception 'invoice refused for the test'; end $$`));
  await t.database.rows(sql.raw(`create trigger test_refuse_invoice before insert on stripe_objects for each row
    when (new.type = 'invoice') execute function test_refuse_invoice()`));
  emulator.resetStats();
  const error = await t.services.backfill(connection!.id).then(() => undefined, (e: unknown) => e as Error & { cause?: unknown });
  expect(String(error?.cause ?? error)).toMatch(/invoice refused for the test/);
  // Its first page was asked for with the catalog's, before any customer page.
  expect(emulator.stats().requests['GET /v1/invoices']).toBeGreaterThanOrEqual(1);
  const stored = async () => (await t.database.rows<{ n: number }>(sql`select count(*)::int as n from stripe_objects where workspace_id = ${ws.id}`))[0]!.n;
  const atFailure = await stored();
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(await stored()).toBe(atFailure);
  const status = (await t.http.get('/api/integrations/stripe').set('authorization', ws.auth).expect(200)).body;
  expect(status.status).not.toBe('complete');
  expect(status.last_error).toMatch(/^Sync failed/);

  await t.database.rows(sql`drop trigger test_refuse_invoice on stripe_objects`);
  await t.services.backfill(connection!.id);
  const done = (await t.http.get('/api/integrations/stripe').set('authorization', ws.auth).expect(200)).body;
  expect(done).toMatchObject({ status: 'complete', participant_count: 300 });
  expect(done.sync_progress.invoice).toBe(emulator.accounts()[0]!.counts.invoice);
});
