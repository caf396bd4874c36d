/**
 * Property: whatever order Stripe delivers a history in, with whatever duplicates, the panel ends
 * the same as when the history is applied in order, and the same as a fresh backfill of Stripe's
 * final state. Each run gets an account of its own (the catalog of a generated account, no
 * customers), connects it, plays a random history on the emulator, then delivers the history's
 * signed events over HTTP in a random order, applying them in random-sized batches. In some runs
 * the account's events are in an older API version (2024-06-20): their objects are re-fetched
 * instead of read, and the same must hold.
 */
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAccount, type FixtureAccount } from '../stripe-emulator/generator.js';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import type { TestApp } from '../support/test-app.js';
import { connectionOf, panelSnapshot, post, sign, startListeningApp } from './support.js';

const RUNS = 10;

type Command =
  | { kind: 'customer'; name: string }
  | { kind: 'rename'; c: number; name: string }
  | { kind: 'delete'; c: number }
  | { kind: 'product'; name: string; amount: number }
  | { kind: 'subscribe'; c: number; p: number; quantity: number; trial: boolean }
  | { kind: 'quantity'; s: number; quantity: number }
  | { kind: 'swap'; s: number; p: number }
  | { kind: 'cancel' | 'pause' | 'resume'; s: number }
  | { kind: 'invoice'; s: number; pay: boolean }
  | { kind: 'credit'; i: number }
  | { kind: 'tick'; seconds: number };

const name = fc.constantFrom('Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald');
const index = fc.nat({ max: 20 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('customer' as const), name }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('rename' as const), c: index, name }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), c: index }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('product' as const), name: fc.constantFrom('Basic', 'Team', 'Scale'), amount: fc.integer({ min: 100, max: 9_900 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('subscribe' as const), c: index, p: index, quantity: fc.integer({ min: 1, max: 3 }), trial: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('quantity' as const), s: index, quantity: fc.integer({ min: 1, max: 5 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('swap' as const), s: index, p: index }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constantFrom('cancel' as const, 'pause' as const, 'resume' as const), s: index }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('invoice' as const), s: index, pay: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('credit' as const), i: index }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 0, max: 2 }) }), weight: 3 },
);

/** How the events reach us: a shuffle (sort keys), redeliveries, batch boundaries between applies, their API version. */
const delivery = fc.record({
  apiVersion: fc.constantFrom(undefined, '2024-06-20'),
  keys: fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
  duplicates: fc.array(fc.nat(), { maxLength: 8 }),
  batches: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 16, maxLength: 16 }),
});

let emulator: Emulator;
let t: TestApp & { webhookUrl: string };
const accounts: FixtureAccount[] = Array.from({ length: RUNS }, (_, i) =>
  generateAccount({ customers: 0, seed: 500 + i, accountId: `acct_1WHPROP${String(i).padStart(9, '0')}` }),
);
let nextAccount = 0;

beforeAll(async () => {
  emulator = await startEmulator({ fixtures: { accounts } });
  // Nothing works the queues: the test runs backfills and applies itself, at the points it chooses.
  t = await startListeningApp(emulator, { work: false });
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

const subscribable = (account: FixtureAccount) =>
  account.prices
    .filter((p) => p.active && p.currency === 'usd' && p.billing_scheme === 'per_unit' && p.recurring?.usage_type === 'licensed' && p.unit_amount)
    .slice(0, 3)
    .map((p) => p.id);

/** Plays the commands on the emulator, skipping those that do not apply to the state reached. */
function play(account: FixtureAccount, commands: Command[]) {
  const scope = { account: account.id };
  const prices = subscribable(account);
  const customers: string[] = [];
  const subscriptions: { id: string; item: string; status: string }[] = [];
  const paid: string[] = [];
  const pick = <T>(list: T[], i: number) => (list.length > 0 ? list[i % list.length] : undefined);
  for (const cmd of commands) {
    switch (cmd.kind) {
      case 'customer':
        customers.push(emulator.createCustomer({ ...scope, name: cmd.name, email: `${cmd.name.toLowerCase()}${customers.length}@example.com`, currency: 'usd' }).id);
        break;
      case 'rename': {
        const c = pick(customers, cmd.c);
        if (c) emulator.updateCustomer(c, { name: `${cmd.name} ${cmd.c}` });
        break;
      }
      case 'delete': {
        const c = pick(customers, cmd.c);
        if (!c) break;
        emulator.deleteCustomer(c);
        customers.splice(customers.indexOf(c), 1);
        for (const s of subscriptions) if (emulator.getObject(s.id)?.status === 'canceled') s.status = 'canceled';
        break;
      }
      case 'product': {
        const product = emulator.createProduct({ ...scope, name: cmd.name });
        prices.push(emulator.createPrice({ ...scope, product: product.id, unit_amount: cmd.amount }).id);
        break;
      }
      case 'subscribe': {
        const c = pick(customers, cmd.c);
        if (!c) break;
        const trial = cmd.trial ? { trial_end: emulator.clock.now() + 7 * 86_400 } : {};
        const s = emulator.createSubscription({ ...scope, customer: c, items: [{ price: pick(prices, cmd.p)!, quantity: cmd.quantity }], ...trial });
        subscriptions.push({ id: s.id, item: s.items.data[0]!.id, status: s.status });
        break;
      }
      case 'quantity':
      case 'swap': {
        const s = pick(subscriptions.filter((x) => x.status !== 'canceled'), cmd.s);
        if (!s) break;
        const item = cmd.kind === 'quantity' ? { id: s.item, quantity: cmd.quantity } : { id: s.item, price: pick(prices, cmd.p)! };
        emulator.updateSubscription(s.id, { items: [item] });
        break;
      }
      case 'cancel':
      case 'pause':
      case 'resume': {
        const eligible = subscriptions.filter((x) => (cmd.kind === 'resume' ? x.status === 'paused' : x.status !== 'canceled' && x.status !== 'paused'));
        const s = pick(eligible, cmd.s);
        if (!s) break;
        s.status = { cancel: emulator.cancelSubscription, pause: emulator.pauseSubscription, resume: emulator.resumeSubscription }[cmd.kind](s.id).status;
        break;
      }
      case 'invoice': {
        const s = pick(subscriptions.filter((x) => x.status !== 'canceled'), cmd.s);
        const customer = s && (emulator.getObject(s.id)?.customer as string);
        if (!s || !customers.includes(customer!)) break;
        const invoice = emulator.createInvoice({ ...scope, customer: customer!, subscription: s.id });
        if (cmd.pay) paid.push(emulator.payInvoice(invoice.id).id);
        break;
      }
      case 'credit': {
        const i = pick(paid, cmd.i);
        if (i) emulator.createCreditNote({ invoice: i, amount: 100 });
        break;
      }
      case 'tick':
        emulator.clock.advance(cmd.seconds);
        break;
    }
  }
}

/** The delivery order: a permutation of the history, with some events delivered again. */
function deliveryOrder<T>(events: T[], plan: { keys: number[]; duplicates: number[] }): T[] {
  const order = events.map((event, i) => ({ event, key: plan.keys[i % plan.keys.length]!, i })).sort((a, b) => a.key - b.key || a.i - b.i).map((x) => x.event);
  for (const d of plan.duplicates) if (events.length > 0) order.splice((d * 31) % (order.length + 1), 0, events[d % events.length]!);
  return order;
}

async function deliver(connectionId: string, payloads: string[], batches: number[]) {
  let b = 0;
  for (let i = 0; i < payloads.length; ) {
    const size = batches[b++ % batches.length]!;
    for (const payload of payloads.slice(i, i + size)) {
      const res = await post(t.webhookUrl, payload, sign(payload));
      if (res.status !== 200) throw new Error(`delivery refused: ${JSON.stringify(res.body)}`);
    }
    i += size;
    await t.services.webhooks.drain(connectionId);
  }
  await t.services.webhooks.drain(connectionId);
}

async function connect(workspace: { id: string; auth: string }, key: string): Promise<string> {
  await t.http.put('/api/integrations/stripe/key').set('authorization', workspace.auth).send({ api_key: key }).expect(200);
  const { id } = await connectionOf(t, workspace.id);
  await t.services.backfill(id);
  return id;
}

/** Back to just after the first backfill (only the account's catalog), events forgotten. */
async function reset(workspaceId: string, historyStart: number) {
  await t.database.rows(sql`delete from webhook_events where workspace_id = ${workspaceId}`);
  await t.database.rows(sql`delete from participants where workspace_id = ${workspaceId}`);
  await t.database.rows(sql`delete from stripe_objects where workspace_id = ${workspaceId} and version >= ${historyStart}`);
  await t.database.rows(sql`update segments set participant_count = 0, mrr_by_currency = '{}'::jsonb where workspace_id = ${workspaceId}`);
}

describe('out-of-order and duplicated events (property)', () => {
  it('any delivery order with duplicates ends like in-order delivery and like a fresh backfill', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 8, maxLength: 28 }), delivery, async (commands, plan) => {
        const account = accounts[nextAccount++ % accounts.length]!;
        const key = account.api_keys.find((k) => k.key.startsWith('sk_'))!.key;
        const stripe = new Stripe(key, { host: '127.0.0.1', port: emulator.port, protocol: 'http' });

        const live = await t.createWorkspace(`Live ${nextAccount}`);
        const connectionId = await connect(live, key);
        // The history starts in a later second than anything the backfill observed (at wall-clock
        // times, never ahead of the emulator's), so its objects are told apart by their version.
        const historyStart = emulator.clock.advance(1) * 1000;
        emulator.setAccountApiVersion(plan.apiVersion, account.id);
        play(account, commands);
        emulator.setAccountApiVersion(undefined, account.id);
        const events = (await stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 })).reverse();
        const payloads = events.map((e) => JSON.stringify(e));

        await deliver(connectionId, deliveryOrder(payloads, plan), plan.batches);
        const versions = await t.database.rows<{ api_version: string }>(sql`select distinct api_version from webhook_events where workspace_id = ${live.id}`);
        if (payloads.length > 0) expect(versions).toEqual([{ api_version: plan.apiVersion ?? Stripe.API_VERSION }]);
        const shuffled = await panelSnapshot(t, live.id);

        await reset(live.id, historyStart);
        await deliver(connectionId, payloads, [payloads.length || 1]);
        const inOrder = await panelSnapshot(t, live.id);
        expect(shuffled).toEqual(inOrder);

        await t.http.delete('/api/integrations/stripe').set('authorization', live.auth).expect(200);
        const fresh = await t.createWorkspace(`Fresh ${nextAccount}`);
        await connect(fresh, key);
        expect(await panelSnapshot(t, live.id, { includeDeleted: false })).toEqual(await panelSnapshot(t, fresh.id));
        await t.http.delete('/api/integrations/stripe').set('authorization', fresh.auth).expect(200);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  });
});
