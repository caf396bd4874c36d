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
  // Heartbeats let another instance (or a restarted one) retry a sync whose process died, which
  // then resumes from the run's checkpoints; a long backfill is not cut off by expiry.
  queue: { policy: 'stately', retryLimit: 10, retryDelay: 5, retryBackoff: true, retryDelayMax: 300, heartbeatSeconds: 10, expireInSeconds: 6 * 3600 },
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
