import { sql } from 'drizzle-orm';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app.js';
import { drainParticipantSyncs, customerRetrievals, startConnected, type Connected } from './support.js';

let c: Connected;
let t: TestApp;
let secret: string;

beforeAll(async () => {
  c = await startConnected();
  t = c.t;
  secret = (await t.http.post('/api/sso/secret').set('authorization', c.ws.auth).expect(201)).body.secret;
});
afterAll(async () => {
  await t?.close();
  await c?.emulator.close();
});

/** An HS256 (or `alg`) JWT, signed the way a workspace's own backend would. */
const sign = async (claims: Record<string, unknown>, options: { key?: string; exp?: number | null; alg?: 'HS256' | 'HS512' } = {}) => {
  const now = Math.floor(Date.now() / 1000);
  const payload = { ...claims, iat: now, ...(options.exp === null ? {} : { exp: options.exp ?? now + 300 }) };
  const alg = options.alg ?? 'HS256';
  const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${encode({ alg, typ: 'JWT' })}.${encode(payload)}`;
  const signature = createHmac(alg === 'HS256' ? 'sha256' : 'sha512', options.key ?? secret).update(input).digest('base64url');
  return `${input}.${signature}`;
};
const identify = (token: string, workspaceId = c.ws.id) => t.http.post('/api/sso/identify').send({ workspace_id: workspaceId, token });
const participant = async (id: string) => {
  const [row] = await t.database.rows<Record<string, unknown>>(sql`select * from participants where id = ${id}`);
  return { ...row!, mrr: Number(row!.mrr), ltv: Number(row!.ltv) };
};

describe('POST /api/sso/identify', () => {
  it('creates the participant on first sign-in, updates it on the next, and syncs when the Stripe id is new or changed', async () => {
    const customer = c.emulator.createCustomer({ email: 'sso@example.com', currency: 'usd' });
    const price = await c.monthlyPrice();
    c.emulator.createSubscription({ customer: customer.id, items: [{ price: price.id, quantity: 1 }] });

    const first = await identify(await sign({ email: 'sso@example.com', name: 'Sam', sso_uid: 'user-7', stripe_customer_id: customer.id }));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ created: true, sync_queued: true });
    expect(await drainParticipantSyncs(t)).toEqual([first.body.participant_id]);
    expect(await participant(first.body.participant_id)).toMatchObject({ source: 'sso', email: 'sso@example.com', name: 'Sam', sso_uid: 'user-7', mrr: price.unit_amount!, status: 'active' });

    // Same person (matched by sso_uid), new email and name, same Stripe id: updated, not synced again.
    const again = await identify(await sign({ email: 'sam@new.example.com', name: 'Samuel', sso_uid: 'user-7', stripe_customer_id: customer.id })).expect(200);
    expect(again.body).toEqual({ participant_id: first.body.participant_id, created: false, sync_queued: false });
    expect(await drainParticipantSyncs(t)).toEqual([]);
    expect(await participant(first.body.participant_id)).toMatchObject({ email: 'sam@new.example.com', name: 'Samuel' });

    const other = c.emulator.createCustomer({ email: 'sam@new.example.com', currency: 'usd' });
    const before = customerRetrievals(c.emulator);
    const changed = await identify(await sign({ email: 'sam@new.example.com', sso_uid: 'user-7', stripe_customer_id: other.id })).expect(200);
    expect(changed.body).toMatchObject({ created: false, sync_queued: true });
    await drainParticipantSyncs(t);
    expect(customerRetrievals(c.emulator)).toBe(before + 1);
  });

  it('matches by email (case-insensitive) someone added another way, and never queries a guest id', async () => {
    const before = customerRetrievals(c.emulator);
    const added = await t.http.post('/api/participants').set('authorization', c.ws.auth).send({ email: 'Mixed@Example.com' }).expect(201);
    const res = await identify(await sign({ email: 'mixed@example.com', sso_uid: 'user-8', stripe_customer_id: 'gcus_SsoGuest' })).expect(200);
    expect(res.body).toEqual({ participant_id: added.body.id, created: false, sync_queued: false });
    expect(await participant(added.body.id)).toMatchObject({ sso_uid: 'user-8', stripe_customer_id: 'gcus_SsoGuest', source: 'api' });
    expect(await drainParticipantSyncs(t)).toEqual([]);
    expect(customerRetrievals(c.emulator)).toBe(before);
  });

  it('refuses a bad signature, an expired token, a token without expiry, another algorithm and garbage with 401 and a reason', async () => {
    const cases: [string, string, RegExp][] = [
      [await sign({ email: 'x@example.com' }, { key: 'not-the-secret' }), 'invalid_sso_signature', /signature/],
      [await sign({ email: 'x@example.com' }, { exp: Math.floor(Date.now() / 1000) - 60 }), 'sso_token_expired', /expired/],
      [await sign({ email: 'x@example.com' }, { exp: null }), 'invalid_sso_token', /exp/],
      [await sign({ email: 'x@example.com' }, { alg: 'HS512' }), 'invalid_sso_token', /HS256/],
      ['not.a.jwt', 'invalid_sso_token', /not a valid JWT/],
    ];
    for (const [token, code, message] of cases) {
      const res = await identify(token).expect(401);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toMatch(message);
    }
  });

  it('answers 422 for a missing email or a bad Stripe id, naming the claim; 422 for a bad body', async () => {
    const missing = await identify(await sign({ name: 'No Mail' })).expect(422);
    expect(missing.body.error.fields).toEqual([{ field: 'token.email', message: 'required' }]);
    const badId = await identify(await sign({ email: 'y@example.com', stripe_customer_id: 'acct_1' })).expect(422);
    expect(badId.body.error.fields[0].field).toBe('token.stripe_customer_id');
    const [taken] = await t.database.rows<{ stripe_customer_id: string }>(sql`select stripe_customer_id from participants where workspace_id = ${c.ws.id} and source = 'stripe' limit 1`);
    const dup = await identify(await sign({ email: 'z@example.com', stripe_customer_id: taken!.stripe_customer_id })).expect(422);
    expect(dup.body.error.fields[0].field).toBe('token.stripe_customer_id');
    expect((await t.http.post('/api/sso/identify').send({ token: 'x' }).expect(422)).body.error.fields[0].field).toBe('body.workspace_id');
  });

  it("is isolated per workspace: one workspace's secret does not sign in to another, and a rotated secret stops working", async () => {
    const other = await t.createWorkspace('Other');
    const token = await sign({ email: 'cross@example.com' });
    expect((await identify(token, other.id).expect(401)).body.error.code).toBe('sso_not_configured');
    await t.http.post('/api/sso/secret').set('authorization', other.auth).expect(201);
    expect((await identify(token, other.id).expect(401)).body.error.code).toBe('invalid_sso_signature');
    expect(Number((await t.database.rows<{ n: string }>(sql`select count(*) as n from participants where workspace_id = ${other.id}`))[0]!.n)).toBe(0);

    const rotated = (await t.http.post('/api/sso/secret').set('authorization', c.ws.auth).expect(201)).body.secret;
    expect((await identify(token).expect(401)).body.error.code).toBe('invalid_sso_signature');
    await identify(await sign({ email: 'cross@example.com' }, { key: rotated })).expect(200);
    await t.http.post('/api/sso/secret').expect(401);
  });
});
