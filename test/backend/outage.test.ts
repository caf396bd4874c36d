import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let auth: string;
beforeAll(async () => {
  t = await startTestApp();
  auth = (await t.createWorkspace()).auth;
  // The database goes away under a running service.
  await t.jobs.stop(1_000);
  await t.database.close();
});
afterAll(() => t?.app.close());

it('reports not ready when the database is unreachable', async () => {
  const res = await t.http.get('/readyz').expect(503);
  expect(res.body.status).toBe('unavailable');
  expect(res.body.checks.database).toBe('unreachable');
});

it('answers 500 without internals when a query fails', async () => {
  const res = await t.http.get('/api/workspace').set('authorization', auth).expect(500);
  expect(res.body.error.code).toBe('internal_error');
  expect(res.body.error.request_id).toBeTruthy();
  expect(JSON.stringify(res.body)).not.toMatch(/pglite|pool|select|stack|at \w+/i);
});
