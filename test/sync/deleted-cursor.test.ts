/**
 * A list cursor Stripe no longer knows. Stripe answers a `starting_after` naming a deleted object
 * with 400 resource_missing; a backfill whose range cursor was deleted (while it ran, or while the
 * process was down) goes on from the cursor's second, reading every object exactly once.
 * Customers here come seven to a second, so every cursor shares its second with objects read
 * before it and objects not read yet: the order within a second is Stripe's own.
 */
import { sql } from 'drizzle-orm';
import pino from 'pino';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RangeCursor, SyncCursor } from '@ui/backend/src/db/schema/index.js';
import { generateAccount, type FixtureAccount } from '../stripe-emulator/generator.js';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { emulatorEnv } from '../support/oauth-flow.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CUSTOMERS = 240;
const PER_SECOND = 7;

/** The generated account with its customers' `created` collapsed onto one second per group of `perSecond`. */
function crowdedAccount(seed: number, accountId: string, perSecond = PER_SECOND): FixtureAccount {
  const account = generateAccount({ customers: CUSTOMERS, seed, accountId });
  const newestFirst = [...account.customers].sort((a, b) => b.created - a.created);
  newestFirst.forEach((customer, i) => (customer.created = newestFirst[i - (i % perSecond)]!.created));
  return account;
}

const ACCOUNTS = { during: 'acct_1CURSORDURING0000', down: 'acct_1CURSORDOWN000000', old: 'acct_1CURSOROLDCHECKPT', crowded: 'acct_1CURSORCROWDED000' } as const;

/**
 * Customers deleted the moment Stripe receives a backfill's customer page request naming them as
 * `starting_after`: those in `targets`, or the first `firstOf` cursors of `account`'s customers.
 */
const deleteWhenCursor = { targets: new Set<string>(), firstOf: 0, account: '', deleted: [] as string[] };
const cursorToDelete = (cursor: string) => {
  if (deleteWhenCursor.targets.delete(cursor)) return true;
  if (deleteWhenCursor.firstOf === 0 || !fixtures.find((a) => a.id === deleteWhenCursor.account)?.customers.some((c) => c.id === cursor)) return false;
  deleteWhenCursor.firstOf -= 1;
  return true;
};

let emulator: Emulator;
let t: TestApp;
let fixtures: FixtureAccount[];

beforeAll(async () => {
  // The last one has all its customers in one second: pages of them read before a cursor among them.
  fixtures = [crowdedAccount(11, ACCOUNTS.during), crowdedAccount(12, ACCOUNTS.down), crowdedAccount(13, ACCOUNTS.old), crowdedAccount(14, ACCOUNTS.crowded, CUSTOMERS)];
  // The emulator logs each request as it arrives, before answering it: a synchronous point to delete its cursor at.
  const logger = pino({ level: 'info' }, {
    write(line: string) {
      const url = (JSON.parse(line) as { req?: { url: string } }).req?.url;
      const cursor = url?.startsWith('/v1/customers?') && /[?&]limit=100(&|$)/.test(url) ? /[?&]starting_after=(cus_\w+)/.exec(url)?.[1] : undefined;
      if (!cursor || deleteWhenCursor.deleted.includes(cursor) || !cursorToDelete(cursor)) return;
      deleteWhenCursor.deleted.push(cursor);
      emulator.deleteCustomer(cursor);
    },
  });
  emulator = await startEmulator({ fixtures: { accounts: fixtures }, logger });
  // No queue workers: each test runs the backfill itself.
  t = await startTestApp({ env: emulatorEnv(emulator), work: false });
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

const secretKeyOf = (accountId: string) => fixtures.find((a) => a.id === accountId)!.api_keys.find((k) => k.key.startsWith('sk_'))!.key;

/** The account's customers in Stripe's list order (newest first), read before anything is deleted. */
async function listOrder(accountId: string): Promise<{ id: string; created: number }[]> {
  const stripe = new Stripe(secretKeyOf(accountId), { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
  return (await stripe.customers.list({ limit: 100 }).autoPagingToArray({ limit: 1000 })).map((c) => ({ id: c.id, created: c.created }));
}

/** How many customers of `id`'s second Stripe lists before it, and after it. */
function siblings(order: { id: string; created: number }[], id: string): { before: number; after: number } {
  const index = order.findIndex((c) => c.id === id);
  const second = order.filter((c) => c.created === order[index]!.created);
  const at = second.findIndex((c) => c.id === id);
  return { before: at, after: second.length - at - 1 };
}

async function connect(accountId: string) {
  const ws = await t.createWorkspace(accountId);
  await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: secretKeyOf(accountId) }).expect(200);
  const [connection] = await t.database.rows<{ id: string }>(sql`select id from connections where workspace_id = ${ws.id}`);
  return { ws, connectionId: connection!.id };
}

async function storedCustomerIds(workspaceId: string): Promise<string[]> {
  const rows = await t.database.rows<{ id: string }>(sql`select id from stripe_objects where workspace_id = ${workspaceId} and type = 'customer' order by id`);
  return rows.map((r) => r.id);
}

async function syncRun(connectionId: string) {
  const [run] = await t.database.rows<{ id: string; status: string; cursors: Record<string, SyncCursor>; counts: Record<string, number> }>(
    sql`select id, status, cursors, counts from sync_runs where connection_id = ${connectionId} order by started_at desc limit 1`,
  );
  return run!;
}

async function expectEveryCustomerOnce(accountId: string, workspaceId: string, connectionId: string, countedTwice = 0) {
  const ids = fixtures.find((a) => a.id === accountId)!.customers.map((c) => c.id).sort();
  expect(await storedCustomerIds(workspaceId)).toEqual(ids);
  const [{ n }] = (await t.database.rows<{ n: number }>(sql`select count(*)::int as n from participants where workspace_id = ${workspaceId}`)) as [{ n: number }];
  expect(n).toBe(CUSTOMERS);
  const run = await syncRun(connectionId);
  expect(run.status).toBe('succeeded');
  expect(run.counts.customer).toBe(CUSTOMERS + countedTwice);
  const emulated = emulator.accounts().find((a) => a.id === accountId)!.counts;
  expect(run.counts.invoice).toBe(emulated.invoice);
  expect(run.counts.subscription).toBe(emulated.subscription);
}

/** Fails the store of the page holding `customerId`, leaving the run checkpointed before it. */
async function refuseParticipant(customerId: string) {
  await t.database.rows(sql.raw(`create or replace function test_refuse_participant() returns trigger language plpgsql as $$
    begin raise exception 'refused for the test'; end $$`));
  await t.database.rows(sql.raw(`create trigger test_refuse_participant before insert on participants for each row
    when (new.stripe_customer_id = '${customerId}') execute function test_refuse_participant()`));
}
const allowParticipants = () => t.database.rows(sql`drop trigger test_refuse_participant on participants`);

/** Runs the backfill until the page holding `customerId` fails, then waits for the last checkpoint to land. */
async function backfillUntilRefused(connectionId: string, customerId: string): Promise<RangeCursor[]> {
  await refuseParticipant(customerId);
  const error = await t.services.backfill(connectionId).then(() => undefined, (e: unknown) => e as Error & { cause?: unknown });
  expect(String(error?.cause ?? error)).toMatch(/refused for the test/);
  await allowParticipants();
  // Checkpoints are written behind the reads: wait until the stored one stops moving.
  let last = '';
  for (let i = 0; i < 100; i++) {
    const now = JSON.stringify((await syncRun(connectionId)).cursors.customer);
    if (now === last) break;
    last = now;
    await new Promise((r) => setTimeout(r, 50));
  }
  const ranges = (await syncRun(connectionId)).cursors.customer?.ranges ?? [];
  const open = ranges.filter((r) => !r.done && r.startingAfter);
  expect(open.length).toBeGreaterThan(0);
  return open;
}

describe('a list cursor deleted in Stripe', () => {
  it('mid-backfill: the range goes on from the cursor\'s second, with every customer read once', async () => {
    const order = await listOrder(ACCOUNTS.during);
    const { ws, connectionId } = await connect(ACCOUNTS.during);
    Object.assign(deleteWhenCursor, { account: ACCOUNTS.during, firstOf: 2, deleted: [] });
    await t.services.backfill(connectionId);
    const cursors = deleteWhenCursor.deleted;
    // The range's first cursor (the first page's last customer) and the one after the page read again from its second.
    expect(cursors).toHaveLength(2);
    expect(cursors[0]).toBe(order[99]!.id);
    // Each had customers of its second read before it and others still to read.
    for (const id of cursors) expect(siblings(order, id).before * siblings(order, id).after).toBeGreaterThan(0);
    await expectEveryCustomerOnce(ACCOUNTS.during, ws.id, connectionId);
  });

  it('in a second holding more than a page of customers read before it: those are dropped from every page read again', async () => {
    const order = await listOrder(ACCOUNTS.crowded);
    const { ws, connectionId } = await connect(ACCOUNTS.crowded);
    const cursor = order[199]!.id;
    expect(siblings(order, cursor)).toEqual({ before: 199, after: CUSTOMERS - 200 });
    Object.assign(deleteWhenCursor, { targets: new Set([cursor]), firstOf: 0, deleted: [] });
    await t.services.backfill(connectionId);
    expect(deleteWhenCursor.deleted).toEqual([cursor]);
    await expectEveryCustomerOnce(ACCOUNTS.crowded, ws.id, connectionId);
  });

  it('while the process was down: the resumed run goes on from the checkpointed cursor\'s second', async () => {
    const order = await listOrder(ACCOUNTS.down);
    const { ws, connectionId } = await connect(ACCOUNTS.down);
    const open = await backfillUntilRefused(connectionId, order[200]!.id);
    for (const range of open) {
      expect(range.cursorCreated).toBe(order.find((c) => c.id === range.startingAfter)!.created);
      expect(range.cursorSecond).toContain(range.startingAfter);
      emulator.deleteCustomer(range.startingAfter!);
    }
    expect(open.some((r) => siblings(order, r.startingAfter!).before > 0 && siblings(order, r.startingAfter!).after > 0)).toBe(true);
    await t.services.backfill(connectionId);
    await expectEveryCustomerOnce(ACCOUNTS.down, ws.id, connectionId);
  });

  it('from a checkpoint written before cursors kept their second: found in the store, its second read again', async () => {
    const order = await listOrder(ACCOUNTS.old);
    const { ws, connectionId } = await connect(ACCOUNTS.old);
    const open = await backfillUntilRefused(connectionId, order[200]!.id);
    const run = await syncRun(connectionId);
    for (const range of run.cursors.customer!.ranges!) {
      delete range.cursorCreated;
      delete range.cursorSecond;
    }
    await t.database.rows(sql`update sync_runs set cursors = ${JSON.stringify(run.cursors)}::jsonb where id = ${run.id}`);
    for (const range of open) emulator.deleteCustomer(range.startingAfter!);
    await t.services.backfill(connectionId);
    // Not knowing which customers of the cursor's second it had read, the run read them again: stored once, counted twice.
    const countedTwice = open.reduce((n, range) => n + siblings(order, range.startingAfter!).before, 0);
    expect(countedTwice).toBeGreaterThan(0);
    await expectEveryCustomerOnce(ACCOUNTS.old, ws.id, connectionId, countedTwice);
  });
});
