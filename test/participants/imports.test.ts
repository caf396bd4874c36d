import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app.js';
import { drainParticipantSyncs, customerRetrievals, startConnected, type Connected } from './support.js';

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

const upload = (csv: string | Buffer, as = auth, filename = 'people.csv') => t.http.post('/api/imports').set('authorization', as).attach('file', Buffer.isBuffer(csv) ? csv : Buffer.from(csv), filename);
const confirm = (id: string, as = auth) => t.http.post(`/api/imports/${id}/confirm`).set('authorization', as);
const count = async (workspaceId = c.ws.id) => Number((await t.database.rows<{ n: string }>(sql`select count(*) as n from participants where workspace_id = ${workspaceId}`))[0]!.n);
const byEmail = async (email: string) => {
  const [row] = await t.database.rows<Record<string, unknown>>(sql`select * from participants where workspace_id = ${c.ws.id} and lower(email) = lower(${email}) order by created_at`);
  // bigint columns come back as strings from PostgreSQL.
  return row && ({ ...row, mrr: Number(row.mrr), ltv: Number(row.ltv) } as Record<string, unknown>);
};
const rowAt = (body: { rows: { line: number }[] }, line: number) => body.rows.find((r) => r.line === line) as Record<string, any>;

describe('POST /api/imports (preview)', () => {
  it('previews create / update / unchanged / error with the changes of each update, writing nothing', async () => {
    await t.http.post('/api/participants').set('authorization', auth).send({ email: 'Ann@Example.com', name: 'Ann', company: 'A Co', groups: ['a'], custom_fields: { tier: 'gold' } }).expect(201);
    await t.http.post('/api/participants').set('authorization', auth).send({ email: 'same@example.com', name: 'Same', sso_uid: 'sso-same' }).expect(201);
    await t.http.post('/api/participants').set('authorization', auth).send({ email: 'old-address@example.com', name: 'Moved', sso_uid: 'sso-moved' }).expect(201);
    const before = await count();
    const csv = [
      'email,name,company,groups,sso_uid,custom.tier',
      'ann@example.com,Ann,B Co,a;b,,gold', // matched by email, case-insensitive
      'same@example.com,Same,,,sso-same,', // nothing changes
      'new-address@example.com,Moved,,,sso-moved,', // matched by sso_uid: its email changes
      'newbie@example.com,Newbie,N Co,,,silver',
      'broken-email,Nope,,,,',
    ].join('\n');
    const res = await upload(csv).expect(201);
    expect(res.body.summary).toEqual({ rows: 5, create: 1, update: 2, unchanged: 1, error: 1 });
    expect(res.body.status).toBe('preview');
    expect(rowAt(res.body, 2)).toMatchObject({ action: 'update', matched_by: 'email' });
    expect(rowAt(res.body, 2).changes).toEqual([
      { field: 'company', old: 'A Co', new: 'B Co' },
      { field: 'groups', old: ['a'], new: ['a', 'b'] },
    ]);
    expect(rowAt(res.body, 3)).toMatchObject({ action: 'unchanged', matched_by: 'sso_uid', changes: [] });
    expect(rowAt(res.body, 4)).toMatchObject({ action: 'update', matched_by: 'sso_uid', changes: [{ field: 'email', old: 'old-address@example.com', new: 'new-address@example.com' }] });
    expect(rowAt(res.body, 5)).toMatchObject({ action: 'create', participant_id: null });
    expect(rowAt(res.body, 5).changes).toContainEqual({ field: 'custom_fields.tier', old: null, new: 'silver' });
    expect(rowAt(res.body, 6)).toMatchObject({ action: 'error', errors: [{ field: 'email', message: 'not a valid email address' }] });
    expect(await count()).toBe(before);
    expect((await byEmail('ann@example.com'))!.company).toBe('A Co');
    // The preview can be read again.
    expect((await t.http.get(`/api/imports/${res.body.id}`).set('authorization', auth).expect(200)).body.summary).toEqual(res.body.summary);
  });

  it('imports a renamed Stripe customers export as is: BOM, CRLF, quoted fields, extra columns', async () => {
    const customer = c.emulator.createCustomer({ email: 'export@example.com', name: 'Export, Person', currency: 'usd' });
    const csv =
      '\uFEFFstripe_customer_id,Description,Email,Name,Created (UTC),Card ID,Delinquent,user_id (metadata)\r\n' +
      `${customer.id},"A ""quoted"" description, with a comma",export@example.com,"Export, Person",2024-01-02 10:00,card_1,false,42\r\n` +
      `cus_NotInStripeX,"line one\r\nline two",second@example.com,Second,2024-01-03 11:00,,false,\r\n`;
    const res = await upload(csv).expect(201);
    expect(res.body.columns.used).toEqual(['stripe_customer_id', 'email', 'name']);
    expect(res.body.columns.ignored).toEqual(['Description', 'Created (UTC)', 'Card ID', 'Delinquent', 'user_id (metadata)']);
    expect(res.body.summary).toMatchObject({ create: 2, error: 0 });
    expect(rowAt(res.body, 2).changes).toContainEqual({ field: 'name', old: null, new: 'Export, Person' });
    // The quoted line break makes the second record span lines 3 and 4.
    expect(rowAt(res.body, 3)).toMatchObject({ action: 'create', email: 'second@example.com' });

    const done = await confirm(res.body.id).expect(200);
    expect(done.body).toMatchObject({ created: 2, updated: 0, syncs_queued: 2 });
    expect(await drainParticipantSyncs(t)).toHaveLength(2);
    expect(await byEmail('export@example.com')).toMatchObject({ source: 'csv', stripe_customer_id: customer.id, name: 'Export, Person', last_sync_error: null });
    expect((await byEmail('export@example.com'))!.last_synced_at).not.toBeNull();
    expect((await byEmail('second@example.com'))!.last_sync_error).toBe('Customer not found in Stripe');
  });

  it('lists bad rows with their line and reason next to the good ones', async () => {
    const csv = [
      'email,stripe_customer_id,mrr,ltv',
      'ok1@example.com,,,',
      ',cus_NoEmail1,,',
      'bad-id@example.com,sub_123,,',
      'figures@example.com,cus_Real1,100,',
      'guest-bad@example.com,gcus_G1,12.50,',
      'dup@example.com,,,',
      'DUP@example.com,,,',
      'ok2@example.com,gcus_Twice,,',
      'ok3@example.com,gcus_Twice,,',
    ].join('\n');
    const res = await upload(csv).expect(201);
    const errors = res.body.rows.filter((r: { action: string }) => r.action === 'error').map((r: { line: number; errors: unknown[] }) => [r.line, r.errors]);
    expect(errors).toEqual([
      [3, [{ field: 'email', message: 'required' }]],
      [4, [{ field: 'stripe_customer_id', message: 'must be a Stripe customer id (cus_… or gcus_…)' }]],
      [5, [{ field: 'mrr', message: 'only imported for guest customers (stripe_customer_id gcus_…); Stripe gives the others' }]],
      [6, [{ field: 'mrr', message: 'must be a whole number of minor units (4200 for 42.00)' }]],
      [8, [{ field: 'email', message: 'same person as line 7' }]],
      [10, [{ field: 'stripe_customer_id', message: 'also on line 9' }]],
    ]);
    expect(res.body.summary).toMatchObject({ rows: 9, create: 3, error: 6 });
  });

  it('answers 422 for a file without an email column, an invalid CSV, or no file; 413 over 10 MB', async () => {
    const noEmail = await upload('name,company\nAnn,A\n').expect(422);
    expect(noEmail.body.error).toMatchObject({ code: 'missing_email_column', fields: [{ field: 'file.email', message: 'column missing' }] });
    expect((await upload('email,name\n"unterminated,x\n').expect(422)).body.error.code).toBe('invalid_csv');
    expect((await upload('').expect(422)).body.error.code).toBe('invalid_csv');
    expect((await t.http.post('/api/imports').set('authorization', auth).send({ email: 'x' }).expect(422)).body.error.fields).toEqual([{ field: 'file', message: 'required' }]);
    const big = Buffer.alloc(10 * 1024 * 1024 + 10, 'a');
    expect((await upload(big).expect(413)).body.error.code).toBe('file_too_large');
  });

  it('also takes the file as a text/csv body', async () => {
    const res = await t.http.post('/api/imports').set('authorization', auth).set('content-type', 'text/csv').send('email\nplain@example.com\n').expect(201);
    expect(res.body.summary).toMatchObject({ create: 1 });
  });
});

describe('POST /api/imports/:id/confirm', () => {
  it('applies creates and updates, keeps guest figures (never asking Stripe), and syncs only the newly linked', async () => {
    await t.http.post('/api/participants').set('authorization', auth).send({ email: 'link-me@example.com', name: 'Link Me' }).expect(201);
    const customer = c.emulator.createCustomer({ email: 'link-me@example.com', currency: 'usd' });
    const price = await c.monthlyPrice();
    c.emulator.createSubscription({ customer: customer.id, items: [{ price: price.id, quantity: 2 }] });
    const csv = ['email,stripe_customer_id,mrr,ltv,currency,groups', `link-me@example.com,${customer.id},,,,vip`, 'guest@example.com,gcus_Imported1,4200,99000,EUR,', 'plain-new@example.com,,,,,'].join('\n');
    const preview = await upload(csv).expect(201);
    expect(preview.body.summary).toMatchObject({ create: 2, update: 1, error: 0 });
    expect(rowAt(preview.body, 2).changes).toEqual([
      { field: 'stripe_customer_id', old: null, new: customer.id },
      { field: 'groups', old: [], new: ['vip'] },
    ]);
    const before = customerRetrievals(c.emulator);
    const done = await confirm(preview.body.id).expect(200);
    expect(done.body).toMatchObject({ status: 'confirmed', created: 2, updated: 1, skipped: 0, syncs_queued: 1 });
    const synced = await drainParticipantSyncs(t);
    expect(synced).toEqual([(await byEmail('link-me@example.com'))!.id]);
    expect(await byEmail('link-me@example.com')).toMatchObject({ stripe_customer_id: customer.id, mrr: price.unit_amount! * 2, status: 'active', groups: ['vip'], source: 'api' });
    expect(await byEmail('guest@example.com')).toMatchObject({ stripe_customer_id: 'gcus_Imported1', mrr: 4200, ltv: 99000, currency: 'eur', source: 'csv', last_synced_at: null });
    // "Sync now" on a guest keeps the imported figures and asks Stripe nothing.
    const guestId = (await byEmail('guest@example.com'))!.id as string;
    expect((await t.http.post(`/api/participants/${guestId}/sync`).set('authorization', auth).expect(200)).body).toMatchObject({ mrr: 4200, ltv: 99000 });
    // One customer was asked for (the newly linked one), never the guest.
    expect(customerRetrievals(c.emulator)).toBe(before + 1);
    expect((await confirm(preview.body.id).expect(409)).body.error.code).toBe('import_already_confirmed');
  });

  it('is all or nothing: a row that no longer fits mid-way leaves nothing written', async () => {
    const csv = ['email,stripe_customer_id', ...Array.from({ length: 1200 }, (_, i) => `bulk${i}@example.com,gcus_Bulk${i}`)].join('\n');
    const preview = await upload(csv).expect(201);
    expect(preview.body.summary).toMatchObject({ create: 1200, error: 0 });
    // Between preview and confirm, someone links a Stripe id that a late row of the file creates.
    await t.http.post('/api/participants').set('authorization', auth).send({ email: 'sneaky@example.com', stripe_customer_id: 'gcus_Bulk1100' }).expect(201);
    const before = await count();
    expect((await confirm(preview.body.id).expect(409)).body.error.code).toBe('import_conflict');
    expect(await count()).toBe(before);
    expect(await byEmail('bulk0@example.com')).toBeUndefined();
    expect((await t.http.get(`/api/imports/${preview.body.id}`).set('authorization', auth).expect(200)).body.status).toBe('preview');
  });

  it("is isolated per workspace: another workspace neither sees, confirms nor matches this one's data", async () => {
    const other = await t.createWorkspace('Other');
    const preview = await upload('email,name\nann@example.com,Other Ann\n', other.auth).expect(201);
    // ann@example.com exists in the first workspace only: a create here.
    expect(preview.body.summary).toMatchObject({ create: 1, update: 0 });
    await t.http.get(`/api/imports/${preview.body.id}`).set('authorization', auth).expect(404);
    await confirm(preview.body.id, auth).expect(404);
    await confirm(preview.body.id, other.auth).expect(200);
    expect(await count(other.id)).toBe(1);
    expect((await byEmail('ann@example.com'))!.name).toBe('Ann');
  });
});
