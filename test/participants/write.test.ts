import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app.js';
import { customerRetrievals, startConnected, type Connected } from './support.js';

let c: Connected;
let t: TestApp;
let auth: string;

beforeAll(async () => {
  c = await startConnected();
  t = c.t;
  auth = c.ws.auth;
});
afterAll(async () => {
  await t?.close();
  await c?.emulator.close();
});

const post = (body: object, as = auth) => t.http.post('/api/participants').set('authorization', as).send(body);
const patch = (id: string, body: object, as = auth) => t.http.patch(`/api/participants/${id}`).set('authorization', as).send(body);
const fieldsOf = (res: { body: { error: { fields?: { field: string }[] } } }) => res.body.error.fields?.map((f) => f.field);

describe('POST /api/participants', () => {
  it('creates a participant with every writable field (source api, not synced without a Stripe id)', async () => {
    const res = await post({ email: 'pat@example.com', name: 'Pat', phone: '+44 20 7946 0000', company: 'Example Ltd', groups: ['beta', 'beta', 'panel'], custom_fields: { tier: 'gold' }, sso_uid: 'u-1' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ source: 'api', email: 'pat@example.com', company: 'Example Ltd', groups: ['beta', 'panel'], custom_fields: { tier: 'gold' }, sso_uid: 'u-1', stripe_customer_id: null, last_synced_at: null });
    await t.http.get(`/api/participants/${res.body.id}`).set('authorization', auth).expect(200);
  });

  it('syncs at once when created with a Stripe customer id', async () => {
    const customer = c.emulator.createCustomer({ email: 'linked@example.com', name: 'From Stripe', currency: 'usd' });
    const price = await c.monthlyPrice();
    c.emulator.createSubscription({ customer: customer.id, items: [{ price: price.id, quantity: 3 }] });
    const res = await post({ email: 'linked@example.com', stripe_customer_id: customer.id }).expect(201);
    expect(res.body).toMatchObject({ stripe_customer_id: customer.id, status: 'active', mrr: price.unit_amount! * 3, last_sync_error: null, name: 'From Stripe' });
    expect(res.body.last_synced_at).not.toBeNull();
  });

  it('records a Stripe id Stripe does not know, and never queries a guest (gcus_) id', async () => {
    const missing = await post({ email: 'ghost@example.com', stripe_customer_id: 'cus_DoesNotExist9' }).expect(201);
    expect(missing.body.last_sync_error).toBe('Customer not found in Stripe');
    const before = customerRetrievals(c.emulator);
    const guest = await post({ email: 'guest@example.com', stripe_customer_id: 'gcus_Guest42' }).expect(201);
    expect(guest.body).toMatchObject({ stripe_customer_id: 'gcus_Guest42', last_sync_error: null, last_synced_at: null });
    expect(customerRetrievals(c.emulator)).toBe(before);
  });

  it('answers 422 naming the field: bad Stripe id, bad email, missing email, unknown field, duplicate Stripe id or sso_uid', async () => {
    expect(fieldsOf(await post({ email: 'a@example.com', stripe_customer_id: 'acct_123' }).expect(422))).toEqual(['body.stripe_customer_id']);
    expect(fieldsOf(await post({ email: 'a@example.com', stripe_customer_id: 'sub_123' }).expect(422))).toEqual(['body.stripe_customer_id']);
    expect(fieldsOf(await post({ email: 'not-an-email' }).expect(422))).toEqual(['body.email']);
    expect(fieldsOf(await post({ name: 'No Mail' }).expect(422))).toEqual(['body.email']);
    const unknown = await post({ email: 'a@example.com', favourite_colour: 'red' }).expect(422);
    expect(unknown.body.error.fields).toEqual([{ field: 'body.favourite_colour', message: 'unknown field' }]);
    const [taken] = await t.database.rows<{ stripe_customer_id: string }>(sql`select stripe_customer_id from participants where workspace_id = ${c.ws.id} and source = 'stripe' limit 1`);
    expect(fieldsOf(await post({ email: 'a@example.com', stripe_customer_id: taken!.stripe_customer_id }).expect(422))).toEqual(['body.stripe_customer_id']);
    expect(fieldsOf(await post({ email: 'a@example.com', sso_uid: 'u-1' }).expect(422))).toEqual(['body.sso_uid']);
  });
});

describe('PATCH /api/participants/:id', () => {
  it('edits given fields only, merges custom fields (an empty value removes a key), clears with null', async () => {
    const created = await post({ email: 'edit@example.com', name: 'Ed', company: 'Old Co', custom_fields: { a: '1', b: '2' } }).expect(201);
    const res = await patch(created.body.id, { company: 'New Co', name: null, custom_fields: { b: '', c: '3' }, groups: ['x'] }).expect(200);
    expect(res.body).toMatchObject({ email: 'edit@example.com', name: null, company: 'New Co', custom_fields: { a: '1', c: '3' }, groups: ['x'] });
    expect(res.body.last_synced_at).toBeNull();
  });

  it('linking an existing participant, then changing its Stripe id, syncs each time; unlinking resets its figures', async () => {
    const created = await post({ email: 'later@example.com' }).expect(201);
    const first = c.emulator.createCustomer({ email: 'later@example.com', currency: 'usd' });
    const price = await c.monthlyPrice();
    c.emulator.createSubscription({ customer: first.id, items: [{ price: price.id, quantity: 1 }] });
    const before = customerRetrievals(c.emulator);
    const linked = await patch(created.body.id, { stripe_customer_id: first.id }).expect(200);
    expect(linked.body).toMatchObject({ mrr: price.unit_amount!, status: 'active' });
    expect(customerRetrievals(c.emulator)).toBe(before + 1);

    // Editing something else does not sync again.
    await patch(created.body.id, { company: 'Co' }).expect(200);
    expect(customerRetrievals(c.emulator)).toBe(before + 1);

    const second = c.emulator.createCustomer({ email: 'later@example.com', currency: 'usd' });
    const relinked = await patch(created.body.id, { stripe_customer_id: second.id }).expect(200);
    expect(relinked.body).toMatchObject({ stripe_customer_id: second.id, mrr: 0, status: 'none', last_sync_error: null });
    expect(customerRetrievals(c.emulator)).toBe(before + 2);

    // Relinked to a guest: out of the Stripe-derived segments, and their counts say so at once.
    const allCount = async () => (await t.http.get('/api/segments').set('authorization', auth).expect(200)).body.data.find((s: { key: string }) => s.key === 'all').participant_count as number;
    const inAll = await allCount();
    const guest = await patch(created.body.id, { stripe_customer_id: 'gcus_Later1' }).expect(200);
    expect(guest.body).toMatchObject({ stripe_customer_id: 'gcus_Later1', last_sync_error: null });
    expect(await allCount()).toBe(inAll - 1);
    expect(customerRetrievals(c.emulator)).toBe(before + 2);

    const unlinked = await patch(created.body.id, { stripe_customer_id: null }).expect(200);
    expect(unlinked.body).toMatchObject({ stripe_customer_id: null, mrr: 0, ltv: 0, status: 'none', plan: null });
    const memberships = await t.database.rows(sql`select 1 from segment_members where participant_id = ${created.body.id}`);
    expect(memberships).toHaveLength(0);
  });

  it('answers 422 for a Stripe id another participant holds and for unknown fields; 404 across workspaces', async () => {
    const a = await post({ email: 'holder@example.com', stripe_customer_id: 'gcus_Holder1' }).expect(201);
    const b = await post({ email: 'taker@example.com' }).expect(201);
    expect(fieldsOf(await patch(b.body.id, { stripe_customer_id: 'gcus_Holder1' }).expect(422))).toEqual(['body.stripe_customer_id']);
    // Re-sending a participant's own id is not a duplicate.
    await patch(a.body.id, { stripe_customer_id: 'gcus_Holder1' }).expect(200);
    expect(fieldsOf(await patch(b.body.id, { id: 'x' }).expect(422))).toEqual(['body.id']);
    expect(fieldsOf(await patch(b.body.id, { email: null }).expect(422))).toEqual(['body.email']);

    const other = await t.createWorkspace('Elsewhere');
    await patch(a.body.id, { name: 'Hijack' }, other.auth).expect(404);
    await t.http.get(`/api/participants/${a.body.id}`).set('authorization', other.auth).expect(404);
    // The same Stripe id may be linked in another workspace.
    await post({ email: 'holder@example.com', stripe_customer_id: 'gcus_Holder1' }, other.auth).expect(201);
    expect((await t.http.get('/api/participants').set('authorization', other.auth).expect(200)).body.data).toHaveLength(1);
  });
});
