import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { emulatorEnv } from '../support/oauth-flow.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let emulator: Emulator;
let t: TestApp;
beforeAll(async () => {
  emulator = await startEmulator({ generate: { customers: 1500, seed: 9 }, latencyMs: 5 });
  t = await startTestApp({ env: { ...emulatorEnv(emulator), STRIPE_SEARCH_READS: 'on' }, work: false });
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

async function connect(name: string) {
  const fullKey = emulator.accounts()[0]!.api_keys.find((k) => k.key.startsWith('sk_'))!.key;
  const ws = await t.createWorkspace(name);
  await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: fullKey }).expect(200);
  const [connection] = await t.database.rows<{ id: string }>(sql`select id from connections where workspace_id = ${ws.id}`);
  return { ws, connectionId: connection!.id };
}

const storedInvoices = async (workspaceId: string) =>
  (await t.database.rows<{ n: number }>(sql`select count(*)::int as n from stripe_objects where workspace_id = ${workspaceId} and type = 'invoice'`))[0]!.n;

it('reads the oldest invoices through the Search API beside the list, each stored and counted once', async () => {
  const { ws, connectionId } = await connect('Search reads');
  emulator.resetStats();
  await t.services.backfill(connectionId);
  const expected = emulator.accounts()[0]!.counts.invoice!;
  const requests = emulator.stats().requests;
  expect(requests['GET /v1/invoices/search']).toBeGreaterThan(0);
  expect(requests['GET /v1/invoices']).toBeGreaterThan(0);
  const status = (await t.http.get('/api/integrations/stripe').set('authorization', ws.auth).expect(200)).body;
  expect(status).toMatchObject({ status: 'complete', participant_count: 1500 });
  expect(status.sync_progress.invoice).toBe(expected);
  expect(await storedInvoices(ws.id)).toBe(expected);
});

it('a run failing midway resumes with its search slices read again from their start, the counts still exact', async () => {
  // One Stripe account connects to one workspace: the first test's connection goes.
  await t.database.rows(sql`delete from connections`);
  const { ws, connectionId } = await connect('Search reads resumed');
  const expected = emulator.accounts()[0]!.counts.invoice!;
  // Invoice writes fail once about half the invoices are stored, search pages among them.
  await t.database.rows(sql.raw(`create sequence test_invoice_writes`));
  await t.database.rows(sql.raw(`create function test_refuse_half() returns trigger language plpgsql as $$
    begin
      if nextval('test_invoice_writes') > ${Math.floor(expected / 2)} then
        raise exception 'invoice refused for the test';
      end if;
      return new;
    end $$`));
  await t.database.rows(sql.raw(`create trigger test_refuse_half before insert on stripe_objects for each row
    when (new.type = 'invoice') execute function test_refuse_half()`));
  emulator.resetStats();
  const error = await t.services.backfill(connectionId).then(() => undefined, (e: unknown) => e as Error & { cause?: unknown });
  expect(String(error?.cause ?? error)).toMatch(/invoice refused for the test/);
  expect(emulator.stats().requests['GET /v1/invoices/search']).toBeGreaterThan(0);
  const [run] = await t.database.rows<{ cursors: { invoice?: { ranges?: { via?: string; counted?: number; done: boolean }[] } } }>(
    sql`select cursors from sync_runs where connection_id = ${connectionId} order by started_at desc limit 1`,
  );
  // The checkpoint holds a search slice cut off midway: the case the resume must count right.
  expect(run!.cursors.invoice?.ranges?.some((r) => r.via === 'search' && !r.done && (r.counted ?? 0) > 0)).toBe(true);

  await t.database.rows(sql`drop trigger test_refuse_half on stripe_objects`);
  await t.services.backfill(connectionId);
  const status = (await t.http.get('/api/integrations/stripe').set('authorization', ws.auth).expect(200)).body;
  expect(status.status).toBe('complete');
  expect(status.sync_progress.invoice).toBe(expected);
  expect(await storedInvoices(ws.id)).toBe(expected);
});
