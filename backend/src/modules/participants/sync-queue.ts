import type { JobDefinition, JobQueue } from '../../jobs/job-queue.js';
import { AppError } from '../../http/app-error.js';

export const PARTICIPANT_SYNC_QUEUE = 'participant-sync';

export interface ParticipantSyncJob {
  workspaceId: string;
  participantId: string;
}

/**
 * Syncs participants newly linked to a Stripe customer by a CSV import or single sign-on, in
 * the background. A participant unlinked, deleted or whose workspace has no Stripe connection by
 * the time the job runs is skipped (the next backfill covers it); Stripe failures are retried.
 */
export const participantSyncQueue = (deps: {
  syncParticipant(workspaceId: string, participantId: string): Promise<unknown>;
}): JobDefinition<ParticipantSyncJob> => ({
  name: PARTICIPANT_SYNC_QUEUE,
  queue: { retryLimit: 5, retryDelay: 30, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 600 },
  work: { batchSize: 1, localConcurrency: 2 },
  async handle(job) {
    try {
      await deps.syncParticipant(job.data.workspaceId, job.data.participantId);
    } catch (error) {
      if (error instanceof AppError && error.statusCode < 500) return;
      throw error;
    }
  },
});

/** One job per participant; a participant already queued is not queued twice. */
export const enqueueParticipantSyncs = (jobs: JobQueue) => async (workspaceId: string, participantIds: string[]) => {
  for (let i = 0; i < participantIds.length; i += 500) {
    const batch = participantIds.slice(i, i + 500).map((participantId) => ({ data: { workspaceId, participantId }, singletonKey: participantId }));
    if (batch.length > 0) await jobs.boss.insert(PARTICIPANT_SYNC_QUEUE, batch);
  }
};
