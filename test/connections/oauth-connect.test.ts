import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSignedTokens } from '@ui/backend/src/crypto/signed-token.js';
import { SYNC_QUEUE } from '@ui/backend/src/modules/sync/queue.js';
import { generateAccount } from '../stripe-emulator/generator.js';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { allStoredText, authorizeViaEmulator, connectWithOAuth, emulatorEnv, followCallback, installFromDashboard } from '../support/oauth-flow.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ACCT_A = 'acct_1AAAAAAAAAAAAAAA';
const ACCT_B = 'acct_1BBBBBBBBBBBBBBB';

let emulator: Emulator;
let t: TestApp;

beforeAll(async () => {
  emulator = await startEmulator({
    fixtures: {
      accounts: [generateAccount({ customers: 12, seed: 1, accountId: ACCT_A }), generateAccount({ customers: 12, seed: 2, accountId: ACCT_B })],
    },
  });
  t = await startTestApp({ env: emulatorEnv(emulator), work: false });
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});
afterEach(() => {
  emulator.setOAuth({ deny: false, accountId: ACCT_A });
});

const status = async (auth: string) => (await t.http.get('/api/integrations/stripe').set('authorization', auth).expect(200)).body;
const connectionCount = async () => (await t.database.rows<{ n: number }>((await import('drizzle-orm')).sql`select count(*)::int as n from connections`))[0]!.n;

describe('connecting from the integrations page', () => {
  it('redirects to Stripe with a signed state bound to a cookie, and connects on the way back', async () => {
    const ws = await t.createWorkspace('Round trip');
    const flow = await connectWithOAuth(t, ws.auth);

    expect(flow.authorizeUrl.pathname).toBe('/oauth/v2/authorize');
    expect(flow.authorizeUrl.searchParams.get('client_id')).toBe('ca_emulator_test');
    expect(flow.authorizeUrl.searchParams.get('redirect_uri')).toBe('http://backend.test/connect/stripe/callback');
    expect(flow.authorizeUrl.searchParams.has('scope')).toBe(false);
    expect(flow.cookie).toMatch(/^stripe_oauth_state=/);

    expect(flow.done.status).toBe(302);
    expect(flow.done.headers.location).toBe(`http://app.test/integrations?provider=stripe&status=connected&account=${ACCT_A}`);
    expect(await status(ws.auth)).toMatchObject({ connected: true, status: 'pending', stripe_account_id: ACCT_A, livemode: false, connection_mode: 'oauth', api_key: null });

    const job = await t.jobs.boss.fetch(SYNC_QUEUE);
    expect(job?.[0]?.data).toEqual({ connectionId: expect.any(String), kind: 'backfill' });

    const stored = await allStoredText(t);
    expect(stored).not.toMatch(/sk_test_[A-Za-z0-9]{20}/);
    expect(stored).not.toMatch(/rt_[A-Za-z0-9]{20}/);

    await t.http.delete('/api/integrations/stripe').set('authorization', ws.auth).expect(200);
  });

  it('starts from a short-lived connect link in a browser that has no API key', async () => {
    const ws = await t.createWorkspace('Link');
    const link = await t.http.post('/api/integrations/stripe/connect-link').set('authorization', ws.auth).send({ mode: 'test' }).expect(200);
    const url = new URL(link.body.url);
    expect(url.origin).toBe('http://backend.test');
    const flow = await authorizeViaEmulator(t, `${url.pathname}${url.search}`);
    const done = await followCallback(t, flow.callbackPath, flow.cookie);
    expect(done.headers.location).toContain('status=connected');
    await t.http.delete('/api/integrations/stripe').set('authorization', ws.auth).expect(200);

    const forged = await t.http.get('/connect/stripe/start?mode=test&token=not.a.token').redirects(0).expect(401);
    expect(forged.body.error.code).toBe('invalid_connect_link');
    await t.http.get('/connect/stripe/start?mode=test').redirects(0).expect(401);
  });

  it('sends the user back with the error when they deny access, storing nothing', async () => {
    const ws = await t.createWorkspace('Denied');
    const before = await connectionCount();
    emulator.setOAuth({ deny: true });
    const flow = await connectWithOAuth(t, ws.auth);
    expect(flow.done.status).toBe(302);
    expect(flow.done.headers.location).toMatch(/^http:\/\/app\.test\/integrations\?provider=stripe&status=error&error=access_denied/);
    expect(await connectionCount()).toBe(before);
  });

  it('rejects a tampered, expired, replayed or cookie-less state with a page, storing nothing', async () => {
    const ws = await t.createWorkspace('Attacker');
    const before = await connectionCount();

    const tampered = await authorizeViaEmulator(t, '/connect/stripe/start?mode=test', { authorization: ws.auth });
    const state = tampered.callback.searchParams.get('state')!;
    const payload = JSON.parse(Buffer.from(state.split('.')[1]!, 'base64url').toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...payload, ws: '00000000-0000-0000-0000-000000000000' })).toString('base64url');
    const forged = tampered.callbackPath.replace(state, [state.split('.')[0], forgedPayload, state.split('.')[2]].join('.'));
    const r1 = await followCallback(t, forged, tampered.cookie).expect(400);
    expect(r1.text).toContain('altered');

    const noCookie = await authorizeViaEmulator(t, '/connect/stripe/start?mode=test', { authorization: ws.auth });
    expect((await followCallback(t, noCookie.callbackPath).expect(400)).text).toContain('another browser');

    const expiredState = await createSignedTokens(t.config.ENCRYPTION_KEY[0]!.key, 'stripe-oauth-state').sign({ ws: ws.id, mode: 'test', jti: 'n1' }, -5);
    const r3 = await followCallback(t, `/connect/stripe/callback?code=ac_x&state=${expiredState}`, `stripe_oauth_state=${expiredState}`).expect(400);
    expect(r3.text).toContain('expired');
    expect(await connectionCount()).toBe(before);

    const good = await authorizeViaEmulator(t, '/connect/stripe/start?mode=test', { authorization: ws.auth });
    await followCallback(t, good.callbackPath, good.cookie).expect(302);
    const replay = await followCallback(t, good.callbackPath, good.cookie).expect(400);
    expect(replay.text).toContain('already used');
    expect(await connectionCount()).toBe(before + 1);
    await t.http.delete('/api/integrations/stripe').set('authorization', ws.auth).expect(200);
  });

  it('refuses a different account while one is connected, and accepts the same one again', async () => {
    const ws = await t.createWorkspace('One account');
    await connectWithOAuth(t, ws.auth);
    emulator.setOAuth({ accountId: ACCT_B });
    const other = await connectWithOAuth(t, ws.auth);
    expect(other.done.status).toBe(409);
    expect(other.done.text).toContain('disconnect the current Stripe account first');
    expect((await status(ws.auth)).stripe_account_id).toBe(ACCT_A);

    emulator.setOAuth({ accountId: ACCT_A });
    expect((await connectWithOAuth(t, ws.auth)).done.status).toBe(302);

    const second = await t.createWorkspace('Second');
    const taken = await connectWithOAuth(t, second.auth);
    expect(taken.done.status).toBe(409);
    expect(taken.done.text).toContain('connected to another workspace');
    await t.http.delete('/api/integrations/stripe').set('authorization', ws.auth).expect(200);
  });
});

describe('installing from the Stripe Dashboard', () => {
  it('parks the install behind a one-time claim code that a workspace redeems', async () => {
    const install = await installFromDashboard(t, emulator);
    const page = await followCallback(t, install.callbackPath).expect(200);
    const code = /<code>([A-Z0-9-]+)<\/code>/.exec(page.text)?.[1];
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(page.text).toContain(ACCT_A);

    const ws = await t.createWorkspace('Claimer');
    const claimed = await t.http.post('/api/integrations/stripe/claim').set('authorization', ws.auth).send({ claim_code: code!.toLowerCase() }).expect(200);
    expect(claimed.body).toMatchObject({ connected: true, status: 'pending', stripe_account_id: ACCT_A, connection_mode: 'oauth' });

    const again = await t.http.post('/api/integrations/stripe/claim').set('authorization', (await t.createWorkspace('Late')).auth).send({ claim_code: code }).expect(404);
    expect(again.body.error.message).toContain('claim code');

    // The claimed connection works like one made from the integrations page.
    const [row] = await t.database.rows<{ id: string; mode: string }>((await import('drizzle-orm')).sql`select id, mode from connections where workspace_id = ${ws.id}`);
    const stripe = await t.services.credentials.stripeFor({ id: row!.id, mode: 'oauth', apiKeySealed: null, status: 'pending' });
    expect((await stripe.customers.list({ limit: 3 })).data).toHaveLength(3);
    await t.http.delete('/api/integrations/stripe').set('authorization', ws.auth).expect(200);
  });

  it('refuses an authorization code that was already used', async () => {
    const install = await installFromDashboard(t, emulator);
    await followCallback(t, install.callbackPath).expect(200);
    const before = await connectionCount();
    const reused = await followCallback(t, install.callbackPath).expect(400);
    expect(reused.text).toMatch(/Stripe refused the authorization code/);
    expect(await connectionCount()).toBe(before);
  });
});
