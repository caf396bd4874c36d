import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAccount } from '../stripe-emulator/generator.js';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import type { TestApp } from '../support/test-app.js';
import { connectionOf, eventRows, makeEvent, OLD_SECRET, post, SECRET, sign, startListeningApp, waitFor } from './support.js';

const ACCT = 'acct_1WHRECEIVEAAAAAA';
const ACCT_DISCONNECTED = 'acct_1WHRECEIVEBBBBBB';

let emulator: Emulator;
let t: TestApp & { webhookUrl: string };
let workspaceId: string;
let auth: string;

const customer = (id = 'cus_receive1') => ({ id, object: 'customer', created: 1_790_000_000, email: 'a@example.com', name: 'A', invoice_settings: { default_payment_method: 'pm_secret' }, metadata: {} });
const stored = () => t.database.rows<{ n: number }>(sql`select count(*)::int as n from webhook_events`).then((rows) => rows[0]!.n);

beforeAll(async () => {
  const a = generateAccount({ customers: 0, seed: 21, accountId: ACCT });
  const b = generateAccount({ customers: 0, seed: 22, accountId: ACCT_DISCONNECTED });
  emulator = await startEmulator({ fixtures: { accounts: [a, b] } });
  // Nothing works the queues here: receiving must not depend on applying.
  t = await startListeningApp(emulator, { work: false });
  const key = (fixture: typeof a) => fixture.api_keys.find((k) => k.key.startsWith('sk_'))!.key;
  const ws = await t.createWorkspace('Receiver');
  workspaceId = ws.id;
  auth = ws.auth;
  await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: key(a) }).expect(200);
  const gone = await t.createWorkspace('Gone');
  await t.http.put('/api/integrations/stripe/key').set('authorization', gone.auth).send({ api_key: key(b) }).expect(200);
  await t.http.delete('/api/integrations/stripe').set('authorization', gone.auth).expect(200);
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

describe('POST /webhooks/stripe: verification', () => {
  it('accepts an event signed like constructEvent expects, stores it trimmed and pending, and queues its apply job', async () => {
    const payload = JSON.stringify(makeEvent('customer.created', customer(), { account: ACCT }));
    const started = performance.now();
    const res = await post(t.webhookUrl, payload, sign(payload));
    const elapsed = performance.now() - started;
    expect(res).toEqual({ status: 200, body: { received: true, outcome: 'accepted' } });
    const [row] = await eventRows(t, sql`type = 'customer.created' and account = ${ACCT}`);
    expect(row).toMatchObject({ status: 'pending', source: 'webhook', workspace_id: workspaceId, object: { id: 'cus_receive1', email: 'a@example.com' } });
    // The registry's allow-list: no payment data at rest.
    expect(JSON.stringify(row!.object)).not.toContain('pm_secret');
    const connection = await connectionOf(t, workspaceId);
    await waitFor(() => t.jobs.boss.findJobs('webhook-apply', { key: connection.id, queued: true }), (jobs) => jobs.length === 1, { what: 'the apply job' });
    expect(elapsed).toBeLessThan(500);
  });

  it('accepts the rotated-out secret during a rotation, and several v1 signatures in one header', async () => {
    const payload = JSON.stringify(makeEvent('customer.updated', customer(), { account: ACCT }));
    expect((await post(t.webhookUrl, payload, sign(payload, OLD_SECRET))).status).toBe(200);
    const both = JSON.stringify(makeEvent('customer.updated', customer(), { account: ACCT }));
    const timestamp = Math.floor(Date.now() / 1000);
    const v1 = (secret: string) => sign(both, secret, timestamp).split(',')[1]!;
    expect((await post(t.webhookUrl, both, `t=${timestamp},${v1('whsec_unknown')},${v1(SECRET)}`)).status).toBe(200);
  });

  it.each([
    ['a missing signature', (p: string) => [p, undefined], 'missing_signature'],
    ['a signature with an unknown secret', (p: string) => [p, sign(p, 'whsec_someone_else')], 'invalid_signature'],
    ['a body changed after signing', (p: string) => [p.replace('a@example.com', 'b@example.com'), sign(p)], 'invalid_signature'],
    ['a garbled header', (p: string) => [p, 'not-a-signature'], 'invalid_signature'],
    ['a timestamp older than 300 s', (p: string) => [p, sign(p, SECRET, Math.floor(Date.now() / 1000) - 301)], 'stale_signature'],
    // 302: a second of margin, or a request signed just before a second boundary and checked just after it lands on 300.
    ['a timestamp 300 s in the future', (p: string) => [p, sign(p, SECRET, Math.floor(Date.now() / 1000) + 302)], 'stale_signature'],
    ['a body that is not JSON', () => ['{"id": "evt_1", nope', sign('{"id": "evt_1", nope')], 'invalid_payload'],
    ['JSON that is not an event', () => ['{"hello": "world"}', sign('{"hello": "world"}')], 'invalid_event'],
  ] as const)('answers 400 for %s and stores nothing', async (_name, build, code) => {
    const before = await stored();
    const [payload, signature] = build(JSON.stringify(makeEvent('customer.created', customer('cus_rejected'), { account: ACCT })));
    const res = await post(t.webhookUrl, payload!, signature);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(await stored()).toBe(before);
  });

  it('answers 400 for an empty body and 413 over 1 MB, storing nothing', async () => {
    const before = await stored();
    expect((await post(t.webhookUrl, '', sign(''))).status).toBe(400);
    const big = JSON.stringify(makeEvent('customer.updated', { ...customer(), metadata: { blob: 'x'.repeat(1024 * 1024) } }, { account: ACCT }));
    const res = await post(t.webhookUrl, big, sign(big));
    expect(res.status).toBe(413);
    expect(await stored()).toBe(before);
  });

  it('reads the raw body whatever the content type says, and leaves JSON parsing of other routes alone', async () => {
    const payload = JSON.stringify(makeEvent('customer.updated', customer(), { account: ACCT }));
    expect((await post(t.webhookUrl, payload, sign(payload), { 'content-type': 'text/plain' })).status).toBe(200);
    await t.http.put('/api/integrations/stripe/key').set('authorization', auth).send({}).expect(200);
  });
});

describe('POST /webhooks/stripe: dedupe and ignored events', () => {
  it('stores an event id once: a redelivery answers 200 and does nothing', async () => {
    const event = makeEvent('customer.updated', customer('cus_twice'), { account: ACCT });
    const payload = JSON.stringify(event);
    const first = await post(t.webhookUrl, payload, sign(payload));
    const again = await post(t.webhookUrl, payload, sign(payload));
    // A redelivery is signed again, with another timestamp: still the same event.
    const later = await post(t.webhookUrl, payload, sign(payload, SECRET, Math.floor(Date.now() / 1000) - 100));
    expect([first.body.outcome, again.body.outcome, later.body.outcome]).toEqual(['accepted', 'duplicate', 'duplicate']);
    expect(await eventRows(t, sql`id = ${event.id}`)).toHaveLength(1);
  });

  it.each([
    ['an unknown account', () => makeEvent('customer.created', customer(), { account: 'acct_1NOBODYHEREXXXXX' }), 'unknown_account'],
    ['a disconnected connection', () => makeEvent('customer.created', customer(), { account: ACCT_DISCONNECTED }), 'connection_disconnected'],
    ['a livemode that does not match the connection', () => makeEvent('customer.created', customer(), { account: ACCT, livemode: true }), 'livemode_mismatch'],
    ['an event type the product does not handle', () => makeEvent('payment_intent.succeeded', { id: 'pi_1', object: 'payment_intent' }, { account: ACCT }), 'unhandled_type'],
    ["the platform's own event (no account)", () => makeEvent('customer.created', customer()), 'no_account'],
  ] as const)('answers 200 and stores as ignored: %s', async (_name, build, reason) => {
    const event = build();
    const payload = JSON.stringify(event);
    const res = await post(t.webhookUrl, payload, sign(payload));
    expect(res).toEqual({ status: 200, body: { received: true, outcome: 'ignored', reason } });
    const [row] = await eventRows(t, sql`id = ${event.id}`);
    expect(row).toMatchObject({ status: 'ignored', reason, object: null });
  });
});
