import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_QUEUE, syncQueue } from '@ui/backend/src/modules/sync/queue.js';
import { everyBackendPath } from '../../stripe-app/src/api/paths.js';
import { generateAccount } from '../stripe-emulator/generator.js';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { emulatorEnv } from '../support/oauth-flow.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { connectionStatus, installAccount, queuedSyncs, seedPanel, signAs, updateConnection } from './support/panel.js';

const ACCT_A = 'acct_1RouteAAAAAAAAAA';
const ACCT_B = 'acct_1RouteBBBBBBBBBB';
const ACCT_UNCLAIMED = 'acct_1RouteCCCCCCCCCC';
const ACCT_NONE = 'acct_1RouteDDDDDDDDDD';
const SECRETS = { old: 'absec_old', current: 'absec_current' };

let emulator: Emulator;
let t: TestApp;
let a: Awaited<ReturnType<typeof installAccount>>;
let b: Awaited<ReturnType<typeof installAccount>>;

const user = (account_id: string) => ({ user_id: 'usr_routes', account_id });
const call = (path: string, body: { user_id: string; account_id: string }, signature?: string) => {
  const request = t.http.post(path).set('origin', 'null').send(body);
  return signature === undefined ? request : request.set('stripe-signature', signature);
};
/** A call signed the way Stripe's host signs it for this account. */
const signed = (path: string, account_id: string, secret = SECRETS.current) => call(path, user(account_id), signAs(user(account_id), secret));

beforeAll(async () => {
  emulator = await startEmulator({
    fixtures: { accounts: [ACCT_A, ACCT_B, ACCT_UNCLAIMED].map((accountId, n) => generateAccount({ customers: 2, seed: 40 + n, accountId })) },
  });
  t = await startTestApp({ env: { ...emulatorEnv(emulator), STRIPE_APP_SIGNING_SECRETS: `${SECRETS.old},${SECRETS.current}` }, jobs: [syncQueue()] });
  a = await installAccount(t, emulator, ACCT_A, true);
  b = await installAccount(t, emulator, ACCT_B, true);
  await installAccount(t, emulator, ACCT_UNCLAIMED, false);
  const shared = { customerId: 'cus_Shared', currency: 'usd', status: 'active' as const };
  await seedPanel(t.database.db, a.workspaceId!, {
    segments: [
      { key: 'product:prod_Pro', name: 'Pro', participantCount: 1, mrrByCurrency: { usd: 2000 } },
      { key: 'active', name: 'Active subscribers', participantCount: 2, mrrByCurrency: { usd: 2000, jpy: 5000 } },
      { key: 'all', name: 'All customers', participantCount: 3, mrrByCurrency: { usd: 2000, jpy: 5000 } },
    ],
    participants: [
      { ...shared, name: 'Ada of A', email: 'ada@a.example', mrr: 2000, ltv: 6000, plan: 'Pro', segments: ['all', 'active', 'product:prod_Pro'], lastSyncError: 'Stripe answered 500' },
      { customerId: 'cus_OnlyA', name: 'Ono', currency: 'jpy', mrr: 5000, status: 'active', segments: ['all', 'active'] },
    ],
  });
  await seedPanel(t.database.db, b.workspaceId!, {
    segments: [{ key: 'all', name: 'All customers', participantCount: 2, mrrByCurrency: { eur: 990 } }],
    participants: [
      { ...shared, name: 'Bea of B', currency: 'eur', mrr: 990, segments: ['all'] },
      { customerId: 'cus_OnlyB', name: 'Bo' },
    ],
  });
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

describe('every route the views call', () => {
  const paths = everyBackendPath('cus_Shared');

  it('exists, answers the CORS preflight of a sandboxed view, and accepts a current or rotated-out secret', async () => {
    for (const path of paths.filter((p) => !p.endsWith('/disconnect'))) {
      const preflight = await t.http
        .options(path)
        .set('origin', 'null')
        .set('access-control-request-method', 'POST')
        .set('access-control-request-headers', 'content-type,stripe-signature')
        .expect(204);
      expect(preflight.headers['access-control-allow-headers'], path).toMatch(/Stripe-Signature/i);
      const res = await signed(path, ACCT_A, SECRETS.old);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
    }
  });

  it('answers 401 to a missing header, an unknown secret, a stale timestamp or a signature for another account', async () => {
    const stale = Math.floor(Date.now() / 1000) - 301;
    for (const path of paths) {
      expect((await call(path, user(ACCT_A)).expect(401)).body.error.code, path).toBe('missing_signature');
      expect((await call(path, user(ACCT_A), signAs(user(ACCT_A), 'absec_unknown')).expect(401)).body.error.code, path).toBe('invalid_signature');
      await call(path, user(ACCT_A), signAs(user(ACCT_A), SECRETS.current, stale)).expect(401);
      // A's signature presented with B's account id, and B's with A's.
      await call(path, user(ACCT_B), signAs(user(ACCT_A), SECRETS.current)).expect(401);
      await call(path, user(ACCT_A), signAs(user(ACCT_B), SECRETS.current)).expect(401);
      // The user id is signed too.
      await call(path, { user_id: 'usr_other', account_id: ACCT_A }, signAs(user(ACCT_A), SECRETS.current)).expect(401);
      // Garbage in the body cannot sign.
      await call(path, { user_id: 42, account_id: ACCT_A } as never, signAs(user(ACCT_A), SECRETS.current)).expect(401);
    }
    expect(await connectionStatus(t.database.db, a.connectionId)).not.toBe('disconnected');
  });

  it('validates the customer id after the signature', async () => {
    const res = await signed('/stripe-app/customers/not-a-customer', ACCT_A).expect(422);
    expect(res.body.error.fields[0].field).toBe('params.id');
  });
});

describe('what a signed account reads', () => {
  it('segments: its own workspace\'s, built-ins first, with counts and MRR per currency', async () => {
    const res = await signed('/stripe-app/segments', ACCT_A).expect(200);
    expect(res.body.segments).toEqual([
      { key: 'all', name: 'All customers', participant_count: 3, mrr_by_currency: { usd: 2000, jpy: 5000 } },
      { key: 'active', name: 'Active subscribers', participant_count: 2, mrr_by_currency: { usd: 2000, jpy: 5000 } },
      { key: 'product:prod_Pro', name: 'Pro', participant_count: 1, mrr_by_currency: { usd: 2000 } },
    ]);
    expect((await signed('/stripe-app/segments', ACCT_B).expect(200)).body.segments.map((s: { name: string }) => s.name)).toEqual(['All customers']);
  });

  it('a customer: the participant of its own workspace, never another account\'s', async () => {
    const fromA = (await signed('/stripe-app/customers/cus_Shared', ACCT_A).expect(200)).body;
    expect(fromA).toMatchObject({
      customer_id: 'cus_Shared',
      // last_sync_error is left out: earlier tests press "Sync from Stripe" on this (seeded, not in Stripe) customer.
      participant: { name: 'Ada of A', email: 'ada@a.example', currency: 'usd', mrr: 2000, ltv: 6000, plan: 'Pro', status: 'active' },
      segments: [{ key: 'all' }, { key: 'active' }, { key: 'product:prod_Pro' }],
      invites: [],
    });
    const fromB = (await signed('/stripe-app/customers/cus_Shared', ACCT_B).expect(200)).body;
    expect(fromB.participant).toMatchObject({ name: 'Bea of B', currency: 'eur', mrr: 990 });
    expect(fromB.segments).toEqual([{ key: 'all', name: 'All customers' }]);

    expect((await signed('/stripe-app/customers/cus_OnlyB', ACCT_A).expect(200)).body).toEqual({ customer_id: 'cus_OnlyB', participant: null, segments: [], invites: [] });
    expect((await signed('/stripe-app/customers/cus_OnlyA', ACCT_B).expect(200)).body.participant).toBeNull();
  });

  it('the connection, with panel counts and no credentials', async () => {
    const res = await signed('/stripe-app/connection', ACCT_A).expect(200);
    expect(res.body).toMatchObject({ installed: true, linked: true, claim_code: null, connection: { stripe_account_id: ACCT_A, participant_count: 2, segment_count: 3, api_key: null } });
    expect(JSON.stringify(res.body)).not.toMatch(/sealed|token|sk_|rk_/);
  });
});

describe('what an account that is not linked gets', () => {
  it('not installed: nothing to read (404), nothing to sync or disconnect', async () => {
    expect((await signed('/stripe-app/connection', ACCT_NONE).expect(200)).body).toEqual({ installed: false, linked: false, claim_code: null, connection: null });
    for (const path of ['/stripe-app/segments', '/stripe-app/sync', '/stripe-app/disconnect', '/stripe-app/customers/cus_Shared', '/stripe-app/customers/cus_Shared/sync']) {
      expect((await signed(path, ACCT_NONE).expect(404)).body.error.code, path).toBe('not_installed');
    }
  });

  it('installed from the Dashboard but unclaimed: the claim code, and 409 not_linked for panel routes', async () => {
    const res = await signed('/stripe-app/connection', ACCT_UNCLAIMED).expect(200);
    expect(res.body).toMatchObject({ installed: true, linked: false, claim_code: expect.stringMatching(/^[A-Z0-9-]+$/) });
    for (const path of ['/stripe-app/segments', '/stripe-app/sync', '/stripe-app/customers/cus_Shared', '/stripe-app/customers/cus_Shared/sync']) {
      expect((await signed(path, ACCT_UNCLAIMED).expect(409)).body.error.code, path).toBe('not_linked');
    }
  });
});

describe('actions', () => {
  // The queue collapses repeated requests or not (that is the sync queue's policy): at least one waits.
  it('Sync now queues a sync of the caller\'s connection only', async () => {
    await t.jobs.boss.deleteQueuedJobs(SYNC_QUEUE);
    const res = await signed('/stripe-app/sync', ACCT_A).expect(200);
    expect(res.body).toMatchObject({ scope: 'account', requested_at: expect.any(String) });
    expect(await queuedSyncs(t, a.connectionId)).toBeGreaterThanOrEqual(1);
    expect(await queuedSyncs(t, b.connectionId)).toBe(0);
  });

  it('Sync from Stripe on a customer syncs that customer now, through the caller\'s connection only', async () => {
    await t.jobs.boss.deleteQueuedJobs(SYNC_QUEUE);
    const res = await signed('/stripe-app/customers/cus_OnlyA/sync', ACCT_A).expect(200);
    expect(res.body.scope).toBe('customer');
    // cus_OnlyA is seeded data, not a customer of the emulator's account A: Stripe does not know it.
    const after = (await signed('/stripe-app/customers/cus_OnlyA', ACCT_A).expect(200)).body;
    expect(after.participant.last_sync_error).toBe('Customer not found in Stripe');
    expect(await queuedSyncs(t, a.connectionId)).toBe(0);
    expect(await queuedSyncs(t, b.connectionId)).toBe(0);
  });

  it('refuses to sync a connection that lost its authorization, but still shows its data', async () => {
    await updateConnection(t.database.db, b.connectionId, { status: 'needs_reauth' });
    expect((await signed('/stripe-app/sync', ACCT_B).expect(409)).body.error.code).toBe('needs_reauth');
    expect((await signed('/stripe-app/customers/cus_Shared/sync', ACCT_B).expect(409)).body.error.code).toBe('needs_reauth');
    await signed('/stripe-app/customers/cus_Shared', ACCT_B).expect(200);
    await updateConnection(t.database.db, b.connectionId, { status: 'complete' });
  });

  it('Disconnect wipes the caller\'s connection only; afterwards the view shows the disconnect and no panel data', async () => {
    const res = await signed('/stripe-app/disconnect', ACCT_A).expect(200);
    expect(res.body).toMatchObject({
      installed: false,
      linked: false,
      claim_code: null,
      connection: { status: 'disconnected', participant_count: 0, segment_count: 0, status_messages: [{ code: 'disconnected', message: 'Disconnected from the Stripe Dashboard' }] },
    });
    expect(await connectionStatus(t.database.db, a.connectionId)).toBe('disconnected');
    expect(await connectionStatus(t.database.db, b.connectionId)).toBe('complete');
    expect(await queuedSyncs(t, a.connectionId)).toBe(0);

    expect((await signed('/stripe-app/connection', ACCT_A).expect(200)).body.connection.status).toBe('disconnected');
    expect((await signed('/stripe-app/segments', ACCT_A).expect(404)).body.error.code).toBe('not_installed');
    expect((await signed('/stripe-app/customers/cus_Shared', ACCT_A).expect(404)).body.error.code).toBe('not_installed');
    expect((await signed('/stripe-app/customers/cus_Shared', ACCT_B).expect(200)).body.participant.name).toBe('Bea of B');
  });
});
