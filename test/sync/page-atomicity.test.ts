import { sql } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { emulatorEnv } from '../support/oauth-flow.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let emulator: Emulator;
let t: TestApp;
beforeAll(async () => {
  emulator = await startEmulator({ generate: { customers: 150, seed: 5 } });
  // No queue workers: the test runs the backfill itself.
  t = await startTestApp({ env: emulatorEnv(emulator), work: false });
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

it('writes a customer page to both tables or to neither', async () => {
  const fullKey = emulator.accounts()[0]!.api_keys.find((k) => k.key.startsWith('sk_'))!.key;
  const ws = await t.createWorkspace('Atomic pages');
  await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: fullKey }).expect(200);
  const [connection] = await t.database.rows<{ id: string }>(sql`select id from connections where workspace_id = ${ws.id}`);
  const stripe = new Stripe(fullKey, { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
  const [customer] = (await stripe.customers.list({ limit: 1 })).data;

  // The participants write of the page holding this customer fails, after its objects were written.
  await t.database.rows(sql.raw(`create function test_refuse_participant() returns trigger language plpgsql as $$
    begin raise exception 'refused for the test'; end $$`));
  await t.database.rows(sql.raw(`create trigger test_refuse_participant before insert on participants for each row
    when (new.stripe_customer_id = '${customer!.id}') execute function test_refuse_participant()`));
  const error = await t.services.backfill(connection!.id).then(() => undefined, (e: unknown) => e as Error & { cause?: unknown });
  expect(String(error?.cause)).toMatch(/refused for the test/);
  const stored = (id: string) => t.database.rows(sql`select 1 from stripe_objects where workspace_id = ${ws.id} and id = ${id}`);
  expect(await stored(customer!.id)).toHaveLength(0);

  await t.database.rows(sql`drop trigger test_refuse_participant on participants`);
  await t.services.backfill(connection!.id);
  expect(await stored(customer!.id)).toHaveLength(1);
  const status = (await t.http.get('/api/integrations/stripe').set('authorization', ws.auth).expect(200)).body;
  expect(status).toMatchObject({ status: 'complete', participant_count: 150 });
  expect(status.sync_progress.customer).toBe(150);
});
