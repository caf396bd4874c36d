import type { JobDefinition, JobQueue } from '../../jobs/job-queue.js';

export const SYNC_QUEUE = 'connection-sync';

export type SyncKind = 'backfill' | 'mrr' | 'ltv';

export interface SyncJob {
  connectionId: string;
  /** Absent: the full backfill. */
  kind?: SyncKind;
}

export const RESYNC_SCHEDULE_QUEUE = 'resync-schedule';

/** Weekly MRR on Sunday, monthly LTV on the 1st (UTC); each visits every connected workspace. */
export const RESYNC_SCHEDULES: { kind: Exclude<SyncKind, 'backfill'>; cron: string }[] = [
  { kind: 'mrr', cron: '0 3 * * 0' },
  { kind: 'ltv', cron: '0 4 1 * *' },
];

/**
 * One sync per connection at a time, whatever its kind: the queue is stately and every sync of a
 * connection shares its singleton key, so at most one runs and one waits. Repeated requests
 * (reconnects, "sync now") collapse into the waiting one. The worker registers `handle`.
 */
export const syncQueue = (handle?: JobDefinition<SyncJob>['handle']): JobDefinition<SyncJob> => ({
  name: SYNC_QUEUE,
  // Heartbeats let another instance (or a restarted one) retry a sync whose process died, which
  // then resumes from the run's checkpoints; a long backfill is not cut off by expiry.
  queue: { policy: 'stately', retryLimit: 10, retryDelay: 5, retryBackoff: true, retryDelayMax: 300, heartbeatSeconds: 10, expireInSeconds: 6 * 3600 },
  handle,
});

/**
 * Queues a sync unless one is already waiting for the connection. A waiting resync gives its place
 * to a backfill, which reads everything the resync would; a resync that finds another one waiting
 * is dropped, and its next scheduled run catches up (each resync's window starts at its own last
 * success).
 */
export const enqueueSync = (jobs: JobQueue) => async (connectionId: string, kind: SyncKind = 'backfill') => {
  const send = () => jobs.send<SyncJob>(SYNC_QUEUE, { connectionId, kind }, { singletonKey: connectionId });
  if ((await send()) !== null || kind !== 'backfill') return;
  const waiting = await jobs.boss.findJobs<SyncJob>(SYNC_QUEUE, { key: connectionId, queued: true });
  const resyncs = waiting.filter((job) => (job.data.kind ?? 'backfill') !== 'backfill');
  if (waiting.length > resyncs.length) return;
  // Also when nothing waits any more: the one that did has just started.
  if (resyncs.length > 0) await jobs.boss.cancel(SYNC_QUEUE, resyncs.map((job) => job.id));
  await send();
};

/** Fans a scheduled resync out to one job per connection. */
export const resyncScheduleQueue = (deps: { listSyncableConnections(): Promise<{ id: string }[]>; enqueue(connectionId: string, kind: SyncKind): Promise<void> }): JobDefinition<{ kind: 'mrr' | 'ltv' }> => ({
  name: RESYNC_SCHEDULE_QUEUE,
  schedules: RESYNC_SCHEDULES.map((s) => ({ cron: s.cron, data: { kind: s.kind }, key: s.kind })),
  async handle(job) {
    for (const connection of await deps.listSyncableConnections()) await deps.enqueue(connection.id, job.data.kind);
  },
});

/** Cancels the connection's queued syncs (a running one stops when its credentials are gone). */
export const cancelSyncs = (jobs: JobQueue) => async (connectionId: string) => {
  const queued = await jobs.boss.findJobs(SYNC_QUEUE, { data: { connectionId }, queued: true });
  if (queued.length > 0) await jobs.boss.cancel(SYNC_QUEUE, queued.map((job) => job.id));
};
