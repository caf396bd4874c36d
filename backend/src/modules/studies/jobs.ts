import type { JobDefinition, JobQueue } from '../../jobs/job-queue.js';
import type { DeliveryJob, InviteDelivery } from './delivery.js';

export const INVITE_DELIVERY_QUEUE = 'invite-delivery';

/**
 * Delivery runs are idempotent (they claim what is due from the database), so a duplicate or a
 * retried job costs a query, never a second email. pg-boss retries a run that crashed or threw;
 * the expiry covers a run's time budget plus one slow batch.
 */
export const inviteDeliveryQueue = (delivery?: InviteDelivery): JobDefinition<DeliveryJob> => ({
  name: INVITE_DELIVERY_QUEUE,
  queue: { retryLimit: 8, retryDelay: 5, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 300 },
  work: { pollingIntervalSeconds: 1, localConcurrency: 2 },
  handle: delivery ? async (job) => void (await delivery.run(job.data)) : undefined,
});

export const scheduleDelivery = (jobs: JobQueue) => async (job: DeliveryJob, startAfterSeconds: number) => {
  await jobs.send<DeliveryJob>(INVITE_DELIVERY_QUEUE, job, startAfterSeconds > 0 ? { startAfter: startAfterSeconds } : {});
};
