import { sql } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionUnusableError } from '@ui/backend/src/modules/connections/credentials.js';
import { SYNC_QUEUE } from '@ui/backend/src/modules/sync/queue.js';
import { generateAccount } from '../stripe-emulator/generator.js';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { allStoredText, connectWithOAuth, emulatorEnv } from '../support/oauth-flow.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { onPostgres } from '../support/test-database.js';

const ACCT_A = 'acct_1KEYAAAAAAAAAAAA';
const ACCT_B = 'acct_1KEYBBBBBBBBBBBB';

let emulator: Emulator;
let t: TestApp;
let restrictedKeyA: string;
let fullKeyB: string;
let restrictedKeyB: string;
/** A restricted key of account A that may read everything but customers. */
const NO_CUSTOMERS_KEY_A = 'rk_test_51KEYAAAAAAAAAAAAnocustomers0000';

beforeAll(async () => {
  const a = generateAccount({ customers: 12, seed: 3, accountId: ACCT_A });
  const b = generateAccount({ customers: 12, seed: 4, accountId: ACCT_B });
  restrictedKeyA = a.api_keys.find((k) => k.key.startsWith('rk_'))!.key;
  fullKeyB = b.api_keys.find((k) => k.key.startsWith('sk_'))!.key;
  restrictedKeyB = b.api_keys.find((k) => k.key.startsWith('rk_'))!.key;
  a.api_keys.push({ key: NO_CUSTOMERS_KEY_A, permissions: ['subscription_read', 'invoice_read', 'product_read', 'plan_read', 'coupon_read', 'credit_note_read', 'event_read'] });
  emulator = await startEmulator({ fixtures: { accounts: [a, b] } });
  t = await startTestApp({ env: emulatorEnv(emulator), work: false });
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

const connectionOf = async (workspaceId: string) =>
  (await t.database.rows<{ id: string; mode: 'oauth' | 'api_key'; status: string; api_key_sealed: string | null }>(
    sql`select id, mode, status, api_key_sealed from connections where workspace_id = ${workspaceId} order by updated_at desc limit 1`,
  ))[0]!;
const clientFor = async (workspaceId: string) => {
  const row = await connectionOf(workspaceId);
  return t.services.credentials.stripeFor({ id: row.id, mode: row.mode, status: row.status as never, apiKeySealed: row.api_key_sealed });
};
const expireAccessToken = (workspaceId: string) =>
  t.database.rows(sql`update connections set access_token_expires_at = now() - interval '1 minute' where workspace_id = ${workspaceId}`);
const refreshCalls = () => emulator.stats().requests['POST /v1/oauth/token'] ?? 0;

describe('restricted API key', () => {
  it('checks the key with Stripe, saves it sealed, names what a missing permission skips, and only shows it masked', async () => {
    const ws = await t.createWorkspace('Key');
    const res = await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: restrictedKeyA }).expect(200);
    expect(res.body).toMatchObject({ connected: true, connection_mode: 'api_key', stripe_account_id: ACCT_A, livemode: false, status: 'pending' });
    expect(res.body.api_key).toBe(`rk_test_…${restrictedKeyA.slice(-4)}`);
    expect(res.body.status_messages).toEqual([
      { code: 'missing_credit_note_read', message: expect.stringContaining('LTV is gross of refunds') },
    ]);
    expect(JSON.stringify(res.body)).not.toContain(restrictedKeyA);
    expect(await allStoredText(t)).not.toContain(restrictedKeyA);

    const kept = await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({}).expect(200);
    expect(kept.body.api_key).toBe(res.body.api_key);
    const stripe = await clientFor(ws.id);
    expect((await stripe.customers.list({ limit: 2 })).data).toHaveLength(2);

    // Another account's key, secret or restricted (the latter known only from Stripe's 403), never replaces the connected account's.
    for (const key of [fullKeyB, restrictedKeyB]) {
      const other = await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: key }).expect(409);
      expect(other.body.error.message).toContain(`disconnect the current Stripe account first (${ACCT_A} is connected)`);
    }
    expect((await t.http.get('/api/integrations/stripe').set('authorization', ws.auth).expect(200)).body).toMatchObject({ stripe_account_id: ACCT_A, api_key: res.body.api_key });
    await t.http.delete('/api/integrations/stripe').set('authorization', ws.auth).expect(200);
  });

  it('identifies a restricted key\'s account although Stripe refuses it GET /v1/account, and keeps that account out of a second workspace', async () => {
    const account = await new Stripe(restrictedKeyB, { host: '127.0.0.1', port: emulator.port, protocol: 'http' }).accounts.retrieveCurrent().catch((e: unknown) => e);
    expect(account).toBeInstanceOf(Stripe.errors.StripePermissionError);
    const first = await t.createWorkspace('Restricted B');
    const res = await t.http.put('/api/integrations/stripe/key').set('authorization', first.auth).send({ api_key: restrictedKeyB }).expect(200);
    expect(res.body).toMatchObject({ connected: true, stripe_account_id: ACCT_B, livemode: false });
    const second = await t.createWorkspace('Also B');
    const taken = await t.http.put('/api/integrations/stripe/key').set('authorization', second.auth).send({ api_key: fullKeyB }).expect(409);
    expect(taken.body.error.code).toBe('stripe_account_taken');
    await t.http.delete('/api/integrations/stripe').set('authorization', first.auth).expect(200);
  });

  it('refuses a key that cannot read customers, naming the permission', async () => {
    const ws = await t.createWorkspace('No customers');
    const res = await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: NO_CUSTOMERS_KEY_A }).expect(422);
    expect(res.body.error).toMatchObject({ code: 'stripe_key_insufficient', fields: [{ field: 'body.api_key', message: expect.stringContaining('customer_read') }] });
    expect((await t.http.get('/api/integrations/stripe').set('authorization', ws.auth)).body.connected).toBe(false);
  });

  it('answers 422 with Stripe\'s reason for a key Stripe rejects, and for a malformed key', async () => {
    const ws = await t.createWorkspace('Bad key');
    const rejected = await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: 'rk_test_doesnotexist123' }).expect(422);
    expect(rejected.body.error.code).toBe('stripe_key_rejected');
    expect(rejected.body.error.message).toMatch(/Invalid API Key provided/);
    const malformed = await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: 'pk_test_123' }).expect(422);
    expect(malformed.body.error.fields[0].field).toBe('body.api_key');
    const none = await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({}).expect(422);
    expect(none.body.error.message).toContain('api_key is required');
    expect((await t.http.get('/api/integrations/stripe').set('authorization', ws.auth)).body.connected).toBe(false);
  });
});

describe('OAuth tokens', () => {
  it('refreshes an expired token once and keeps the rotated refresh token', async () => {
    const ws = await t.createWorkspace('Refresh');
    await connectWithOAuth(t, ws.auth);
    await expireAccessToken(ws.id);
    const before = refreshCalls();
    const first = await clientFor(ws.id);
    const again = await clientFor(ws.id);
    expect(refreshCalls() - before).toBe(1);
    for (const stripe of [first, again]) expect((await stripe.customers.list({ limit: 1 })).data).toHaveLength(1);

    // The stored refresh token is the rotated one: the next refresh succeeds too.
    await expireAccessToken(ws.id);
    const next = await clientFor(ws.id);
    expect(refreshCalls() - before).toBe(2);
    expect((await next.customers.list({ limit: 1 })).data).toHaveLength(1);
    await t.http.delete('/api/integrations/stripe').set('authorization', ws.auth).expect(200);
  });

  // PGlite runs one transaction at a time: the callers never contend for the connection's row lock there.
  it.runIf(onPostgres)('refreshes once for many concurrent callers (PostgreSQL only)', async () => {
    const ws = await t.createWorkspace('Refresh at once');
    await connectWithOAuth(t, ws.auth);
    await expireAccessToken(ws.id);
    const before = refreshCalls();
    const clients = await Promise.all(Array.from({ length: 8 }, () => clientFor(ws.id)));
    expect(refreshCalls() - before).toBe(1);
    for (const stripe of clients) expect((await stripe.customers.list({ limit: 1 })).data).toHaveLength(1);
    await t.http.delete('/api/integrations/stripe').set('authorization', ws.auth).expect(200);
  });

  it('marks the connection as needing re-authorization when Stripe refuses the refresh token', async () => {
    const ws = await t.createWorkspace('Revoked');
    emulator.setOAuth({ accountId: ACCT_B });
    await connectWithOAuth(t, ws.auth);
    emulator.deauthorize(ACCT_B);
    await expireAccessToken(ws.id);
    await expect(clientFor(ws.id)).rejects.toBeInstanceOf(ConnectionUnusableError);
    const status = (await t.http.get('/api/integrations/stripe').set('authorization', ws.auth)).body;
    expect(status).toMatchObject({ status: 'needs_reauth', last_error: expect.stringContaining('reconnect Stripe') });
    emulator.setOAuth({ accountId: ACCT_A });
  });
});

describe('disconnecting', () => {
  it('wipes credentials, keeps the row, and a reconnect of the same account reuses it', async () => {
    const ws = await t.createWorkspace('Cycle');
    await connectWithOAuth(t, ws.auth);
    const first = await connectionOf(ws.id);
    expect(await t.jobs.boss.findJobs(SYNC_QUEUE, { key: first.id, queued: true })).toHaveLength(1);
    // What a sync would have imported: it must survive the disconnect.
    await t.database.rows(sql`insert into participants (workspace_id, source, stripe_customer_id, email) values (${ws.id}, 'stripe', 'cus_kept', 'kept@example.com')`);
    await t.database.rows(sql`insert into segments (workspace_id, key, name) values (${ws.id}, 'all', 'All customers')`);
    const off = await t.http.delete('/api/integrations/stripe').set('authorization', ws.auth).expect(200);
    expect(off.body).toMatchObject({ connected: false, status: 'disconnected', stripe_account_id: ACCT_A, participant_count: 1, segment_count: 1 });
    const [wiped] = await t.database.rows<Record<string, unknown>>(sql`select access_token_sealed, refresh_token_sealed, api_key_sealed from connections where id = ${first.id}`);
    expect(wiped).toEqual({ access_token_sealed: null, refresh_token_sealed: null, api_key_sealed: null });
    await expect(clientFor(ws.id)).rejects.toBeInstanceOf(ConnectionUnusableError);
    expect(await t.jobs.boss.findJobs(SYNC_QUEUE, { key: first.id, queued: true })).toHaveLength(0);
    await t.http.delete('/api/integrations/stripe').set('authorization', ws.auth).expect(404);

    await connectWithOAuth(t, ws.auth);
    const again = await connectionOf(ws.id);
    expect(again.id).toBe(first.id);
    expect(again.status).toBe('pending');
    const [{ n }] = (await t.database.rows<{ n: number }>(sql`select count(*)::int as n from connections where workspace_id = ${ws.id}`)) as [{ n: number }];
    expect(n).toBe(1);
    await t.http.delete('/api/integrations/stripe').set('authorization', ws.auth).expect(200);
  });

  it('keeps each workspace out of another\'s connection', async () => {
    const a = await t.createWorkspace('A');
    const b = await t.createWorkspace('B');
    await connectWithOAuth(t, a.auth);
    expect((await t.http.get('/api/integrations/stripe').set('authorization', b.auth).expect(200)).body.connected).toBe(false);
    await t.http.delete('/api/integrations/stripe').set('authorization', b.auth).expect(404);
    expect((await t.http.get('/api/integrations/stripe').set('authorization', a.auth).expect(200)).body.connected).toBe(true);
    await t.http.delete('/api/integrations/stripe').set('authorization', a.auth).expect(200);
  });
});
