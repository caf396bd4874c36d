import type { JobDefinition, JobQueue } from '../../jobs/job-queue.js';

export const WEBHOOK_APPLY_QUEUE = 'webhook-apply';
export const WEBHOOK_CATCH_UP_QUEUE = 'webhook-catch-up';
export const WEBHOOK_SCHEDULE_QUEUE = 'webhook-schedule';

export interface ConnectionJob {
  connectionId: string;
}

/** Every 5 minutes: list missed events per connection, wake stalled drains, prune old rows. */
export const CATCH_UP_CRON = '*/5 * * * *';

/**
 * One drain per connection at a time (stately + singleton key): events of a connection are applied
 * by one worker, in batches, oldest first; a wake-up while it runs queues exactly one follow-up.
 * Polling at the minimum pg-boss allows keeps the lag from receipt to applied under a second.
 */
export const webhookApplyQueue = (handle?: JobDefinition<ConnectionJob>['handle']): JobDefinition<ConnectionJob> => ({
  name: WEBHOOK_APPLY_QUEUE,
  queue: { policy: 'stately', retryLimit: 20, retryDelay: 2, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 15 * 60 },
  work: { pollingIntervalSeconds: 0.5, localConcurrency: 4 },
  handle,
});

export const webhookCatchUpQueue = (handle?: JobDefinition<ConnectionJob>['handle']): JobDefinition<ConnectionJob> => ({
  name: WEBHOOK_CATCH_UP_QUEUE,
  queue: { policy: 'stately', retryLimit: 5, retryDelay: 30, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 30 * 60 },
  work: { pollingIntervalSeconds: 2, localConcurrency: 2 },
  handle,
});

/** The periodic pass; pg-boss keeps one schedule across instances (keyed), and after a downtime the next tick covers the gap. */
export const webhookScheduleQueue = (handle?: JobDefinition<object>['handle']): JobDefinition<object> => ({
  name: WEBHOOK_SCHEDULE_QUEUE,
  queue: { policy: 'stately', retryLimit: 2, expireInSeconds: 10 * 60 },
  schedules: [{ cron: CATCH_UP_CRON, key: 'catch-up' }],
  handle,
});

const perConnection = (jobs: JobQueue, queue: string) => async (connectionId: string) => {
  await jobs.send<ConnectionJob>(queue, { connectionId }, { singletonKey: connectionId });
};

export const wakeApply = (jobs: JobQueue) => perConnection(jobs, WEBHOOK_APPLY_QUEUE);
export const queueCatchUp = (jobs: JobQueue) => perConnection(jobs, WEBHOOK_CATCH_UP_QUEUE);

/**
 * Wake-ups coalesced per connection: one send at a time, and requests made while it runs (or in
 * the spacing after it) get one more send after that. Every event stored before a send starts is
 * covered by the job it queues, so nothing is left behind, and a burst of events costs a few sends
 * a second instead of one each.
 */
export function coalescePerKey(send: (key: string) => Promise<void>, onError: (error: unknown, key: string) => void, spacingMs = 0): (key: string) => void {
  const running = new Map<string, { again: boolean }>();
  return (key) => {
    const current = running.get(key);
    if (current) {
      current.again = true;
      return;
    }
    const entry = { again: false };
    running.set(key, entry);
    void (async () => {
      try {
        for (;;) {
          entry.again = false;
          await send(key);
          // A job queued a moment ago covers what arrives meanwhile until it starts: space the sends.
          if (spacingMs > 0) await new Promise((resolve) => setTimeout(resolve, spacingMs));
          if (!entry.again) break;
        }
      } catch (error) {
        onError(error, key);
      } finally {
        running.delete(key);
      }
    })();
  };
}
