import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let acme: Awaited<ReturnType<TestApp['createWorkspace']>>;
let globex: Awaited<ReturnType<TestApp['createWorkspace']>>;

beforeAll(async () => {
  t = await startTestApp();
  acme = await t.createWorkspace('Acme');
  globex = await t.createWorkspace('Globex');
});
afterAll(() => t?.close());

describe('health', () => {
  it('answers /healthz and /readyz when the database and queue are up', async () => {
    await t.http.get('/healthz').expect(200, { status: 'ok' });
    const ready = await t.http.get('/readyz').expect(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', jobs: 'ok' } });
  });
});

describe('workspace API keys', () => {
  it('rejects a request without a key, naming the header to send', async () => {
    const res = await t.http.get('/api/workspace').expect(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(res.body.error.message).toContain('Authorization: Bearer');
  });

  it('rejects a malformed key, an unknown key and a key whose secret is wrong, alike', async () => {
    const wrongSecret = `${acme.apiKey.slice(0, -4)}AAAA`;
    for (const key of ['nope', `uik_${'a'.repeat(12)}_${'b'.repeat(43)}`, wrongSecret]) {
      const res = await t.http.get('/api/workspace').set('authorization', `Bearer ${key}`).expect(401);
      expect(res.body.error).toMatchObject({ code: 'invalid_api_key', message: 'the API key is not valid or has been revoked' });
    }
  });

  it('scopes every call to the key\'s own workspace', async () => {
    const a = await t.http.get('/api/workspace').set('authorization', acme.auth).expect(200);
    const b = await t.http.get('/api/workspace').set('authorization', globex.auth).expect(200);
    expect(a.body).toMatchObject({ id: acme.id, name: 'Acme' });
    expect(b.body).toMatchObject({ id: globex.id, name: 'Globex' });
    await t.http.patch('/api/workspace').set('authorization', globex.auth).send({ name: 'Globex Corp' }).expect(200);
    const again = await t.http.get('/api/workspace').set('authorization', acme.auth).expect(200);
    expect(again.body.name).toBe('Acme');
  });

  it('stores only a digest of the key', async () => {
    const rows = await t.database.rows<{ lookup: string; secret_hash: string }>(
      // raw SQL on purpose: this checks what is on disk, not what the ORM maps
      sql`select lookup, secret_hash from api_keys`,
    );
    const secret = acme.apiKey.split('_').slice(2).join('_');
    expect(rows.length).toBe(2);
    for (const row of rows) expect(JSON.stringify(row)).not.toContain(secret);
  });
});

describe('errors', () => {
  it('answers validation problems with 422 and every field named', async () => {
    const res = await t.http.patch('/api/workspace').set('authorization', acme.auth).send({ name: '', colour: 'red' }).expect(422);
    expect(res.body.error.code).toBe('validation_failed');
    const fields = res.body.error.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['body.name', 'body.colour']));
    expect(res.body.error.message).toContain('body.name');
  });

  it('answers a body that is not JSON with 400 and a message', async () => {
    const res = await t.http
      .patch('/api/workspace')
      .set('authorization', acme.auth)
      .set('content-type', 'application/json')
      .send('{"name":')
      .expect(400);
    expect(res.body.error.code).toMatch(/json|body/);
    expect(res.body.error.message.length).toBeGreaterThan(5);
  });

  it('answers an unknown route in the same shape', async () => {
    const res = await t.http.get('/nope').expect(404);
    expect(res.body.error).toMatchObject({ code: 'route_not_found', message: 'no route for GET /nope' });
  });

  it('echoes a caller\'s request id, or makes one', async () => {
    const given = await t.http.get('/healthz').set('x-request-id', 'trace-123').expect(200);
    expect(given.headers['x-request-id']).toBe('trace-123');
    const made = await t.http.get('/healthz').set('x-request-id', 'bad id with spaces').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('OpenAPI', () => {
  it('is generated from the route schemas and served at /docs', async () => {
    const res = await t.http.get('/docs/json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/api/workspace']));
    expect(res.body.paths['/api/workspace'].patch.requestBody).toBeDefined();
    expect(res.body.components.schemas).toHaveProperty('ErrorResponse');
    await t.http.get('/docs/').expect(200).expect('content-type', /html/);
  });
});
