import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYNC_QUEUE, type SyncJob } from '@ui/backend/src/modules/sync/queue.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  // Queues exist but nothing works them: the jobs stay where the test can see them.
  t = await startTestApp({ work: false });
});
afterAll(async () => {
  await t?.close();
});

const waiting = async (connectionId: string) =>
  (await t.jobs.boss.findJobs<SyncJob>(SYNC_QUEUE, { key: connectionId, queued: true })).map((job) => job.data.kind);

it('keeps one sync per connection waiting, whatever its kind, and lets a backfill take a resync\'s place', async () => {
  const [a, b] = [randomUUID(), randomUUID()];
  await t.services.enqueueSync(a, 'mrr');
  await t.services.enqueueSync(a, 'ltv');
  await t.services.enqueueSync(a, 'mrr');
  expect(await waiting(a)).toEqual(['mrr']);

  await t.services.enqueueSync(a);
  expect(await waiting(a)).toEqual(['backfill']);
  await t.services.enqueueSync(a, 'ltv');
  await t.services.enqueueSync(a);
  expect(await waiting(a)).toEqual(['backfill']);

  await t.services.enqueueSync(b, 'ltv');
  expect(await waiting(b)).toEqual(['ltv']);
});

it('runs one sync per connection at a time: the next one waits until the running one ends', async () => {
  const others = await t.jobs.boss.findJobs(SYNC_QUEUE, { queued: true });
  if (others.length > 0) await t.jobs.boss.cancel(SYNC_QUEUE, others.map((job) => job.id));
  const connectionId = randomUUID();
  await t.services.enqueueSync(connectionId);
  const [running] = await t.jobs.boss.fetch<SyncJob>(SYNC_QUEUE);
  expect(running?.data).toEqual({ connectionId, kind: 'backfill' });

  await t.services.enqueueSync(connectionId, 'mrr');
  expect(await waiting(connectionId)).toEqual(['mrr']);
  expect(await t.jobs.boss.fetch(SYNC_QUEUE)).toEqual([]);

  await t.jobs.boss.complete(SYNC_QUEUE, running!.id);
  const [next] = await t.jobs.boss.fetch<SyncJob>(SYNC_QUEUE);
  expect(next?.data).toEqual({ connectionId, kind: 'mrr' });
});
