import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { emulatorEnv, followCallback, installFromDashboard } from '../support/oauth-flow.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let emulator: Emulator;
let t: TestApp;
beforeAll(async () => {
  emulator = await startEmulator({ generate: { customers: 10, seed: 5 } });
  t = await startTestApp({ env: { ...emulatorEnv(emulator), STRIPE_APP_SIGNING_SECRETS: 'absec_old,absec_current' }, work: false });
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

const sign = (body: object, secret = 'absec_current', timestamp?: number) =>
  Stripe.webhooks.generateTestHeaderString({ payload: JSON.stringify(body), secret, timestamp });

const ask = (body: { user_id: string; account_id: string }, signature?: string) => {
  const request = t.http.post('/stripe-app/connection').set('origin', 'null').send(body);
  return signature ? request.set('stripe-signature', signature) : request;
};

describe('the Stripe App settings view\'s connection call', () => {
  it('shows the claim code of an install that no workspace has claimed yet, then the linked connection', async () => {
    const account_id = emulator.accounts()[0]!.id;
    const user = { user_id: 'usr_123', account_id };
    const before = await ask(user, sign(user)).expect(200);
    expect(before.body).toEqual({ installed: false, linked: false, claim_code: null, connection: null });

    const install = await installFromDashboard(t, emulator);
    const page = await followCallback(t, install.callbackPath).expect(200);
    const code = /<code>([A-Z0-9-]+)<\/code>/.exec(page.text)![1];
    const unclaimed = await ask(user, sign(user)).expect(200);
    expect(unclaimed.body).toMatchObject({ installed: true, linked: false, claim_code: code });
    expect(unclaimed.headers['access-control-allow-origin']).toBe('*');

    const ws = await t.createWorkspace('Via Dashboard');
    await t.http.post('/api/integrations/stripe/claim').set('authorization', ws.auth).send({ claim_code: code }).expect(200);
    const linked = await ask(user, sign(user, 'absec_old')).expect(200);
    expect(linked.body).toMatchObject({ installed: true, linked: true, claim_code: null, connection: { status: 'pending', stripe_account_id: account_id } });
    expect(JSON.stringify(linked.body)).not.toMatch(/sealed|token/);
  });

  it('refuses a missing, forged, mismatched or stale signature', async () => {
    const user = { user_id: 'usr_123', account_id: 'acct_someoneelse' };
    expect((await ask(user).expect(401)).body.error.code).toBe('missing_signature');
    expect((await ask(user, sign(user, 'absec_unknown')).expect(401)).body.error.code).toBe('invalid_signature');
    await ask(user, sign({ user_id: 'usr_123', account_id: 'acct_other' })).expect(401);
    await ask(user, sign(user, 'absec_current', Math.floor(Date.now() / 1000) - 301)).expect(401);
  });

  it('answers the CORS preflight of a sandboxed view', async () => {
    const res = await t.http
      .options('/stripe-app/connection')
      .set('origin', 'null')
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'content-type,stripe-signature')
      .expect(204);
    expect(res.headers['access-control-allow-headers']).toMatch(/Stripe-Signature/i);
  });
});
