import type { JobDefinition, JobQueue } from '../../jobs/job-queue.js';

export const SYNC_QUEUE = 'connection-sync';

export interface SyncJob {
  connectionId: string;
}

/**
 * One sync per connection at a time: the singleton key collapses repeated requests (reconnects,
 * "sync now") while one is queued. The worker that performs the backfill registers `handle`.
 */
export const syncQueue = (handle?: JobDefinition<SyncJob>['handle']): JobDefinition<SyncJob> => ({
  name: SYNC_QUEUE,
  queue: { retryLimit: 5, retryDelay: 30, retryBackoff: true },
  handle,
});

export const enqueueSync = (jobs: JobQueue) => async (connectionId: string) => {
  await jobs.send<SyncJob>(SYNC_QUEUE, { connectionId }, { singletonKey: connectionId });
};

/** Cancels the connection's queued syncs (a running one stops when its credentials are gone). */
export const cancelSyncs = (jobs: JobQueue) => async (connectionId: string) => {
  const queued = await jobs.boss.findJobs(SYNC_QUEUE, { key: connectionId, queued: true });
  if (queued.length > 0) await jobs.boss.cancel(SYNC_QUEUE, queued.map((job) => job.id));
};
