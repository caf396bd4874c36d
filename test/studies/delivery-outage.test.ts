import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../support/processes.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createStudy, invitesOf, seedParticipants, seedSegment, startSmtp, type Smtp } from './support.js';

// The mail server is down at launch: delivery backs off, and sends once it is back.
let port: number;
let smtp: Smtp | undefined;
let t: TestApp;
beforeAll(async () => {
  port = await freePort();
  t = await startTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}`, INTERVIEW_BASE_URL: 'https://interviews.test' } });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

it('keeps invites queued while the mail server is unreachable and delivers them when it returns', async () => {
  const ws = await t.createWorkspace('Outage');
  const ids = await seedParticipants(t, ws.id, [{ email: 'one@example.com', mrr: 2 }, { email: 'two@example.com', mrr: 1 }]);
  const segmentId = await seedSegment(t, ws.id, 'all', ids);
  const studyId = await createStudy(t, ws.auth);
  await t.http.post(`/api/studies/${studyId}/invites`).set('authorization', ws.auth).send({ segment_id: segmentId }).expect(200);

  // A claim counts the attempt at once; wait for its outcome.
  await expect.poll(async () => (await invitesOf(t, studyId)).every((i) => i.last_error !== null), { timeout: 15_000, interval: 200 }).toBe(true);
  const deferred = await invitesOf(t, studyId);
  expect(deferred.map((i) => i.status)).toEqual(['queued', 'queued']);
  expect(deferred[0]!.last_error).toMatch(/ECONNREFUSED|connect/i);

  smtp = await startSmtp({ port });
  await expect.poll(async () => (await invitesOf(t, studyId)).map((i) => i.status), { timeout: 25_000, interval: 250 }).toEqual(['sent', 'sent']);
  expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(['one@example.com', 'two@example.com']);
  expect((await invitesOf(t, studyId)).every((i) => i.last_error === null)).toBe(true);
});
