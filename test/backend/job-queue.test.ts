import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createJobQueue } from '@ui/backend/src/jobs/job-queue.js';
import { openMigratedTestDatabase } from '../support/test-database.js';

const logger = pino({ level: 'silent' });

describe('job queue (pg-boss on the test database)', () => {
  it('runs a job sent to a queue, and a graceful stop lets a running job finish', async () => {
    const database = await openMigratedTestDatabase();
    const jobs = createJobQueue(database, logger);
    const seen: unknown[] = [];
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let finished = false;
    await jobs.start([
      { name: 'echo', work: { pollingIntervalSeconds: 0.5 }, handle: async (job) => void seen.push(job.data) },
      {
        name: 'slow',
        work: { pollingIntervalSeconds: 0.5 },
        handle: async () => {
          started();
          await new Promise((r) => setTimeout(r, 1_500));
          finished = true;
        },
      },
    ]);
    try {
      await jobs.send('echo', { participant: 'p_1' });
      await expect.poll(() => seen, { timeout: 10_000, interval: 100 }).toEqual([{ participant: 'p_1' }]);

      await jobs.send('slow', {});
      await running;
      await jobs.stop(10_000);
      expect(finished).toBe(true);
    } finally {
      await database.close();
    }
  });
});
