import { fromPglite, PgBoss } from 'pg-boss';
import type { Job, Queue, SendOptions, WorkOptions } from 'pg-boss';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Database } from '../db/database.js';

/** A job a domain module contributes: its queue, its policy and what to do with each job. */
export interface JobDefinition<T extends object = object> {
  name: string;
  queue?: Omit<Queue, 'name'>;
  work?: WorkOptions;
  /** Cron schedules that send this queue a job (idempotent across instances: keyed by `key`). */
  schedules?: { cron: string; data?: T; key: string }[];
  /** Absent while the worker for this queue lives elsewhere: jobs wait in the queue for it. */
  handle?(job: Job<T>): Promise<void>;
}

export interface JobQueue {
  send<T extends object>(name: string, data: T, options?: SendOptions): Promise<string | null>;
  /** Creates the queues and, when `work` is true, starts their workers. */
  start(definitions: JobDefinition<any>[], options?: { work?: boolean }): Promise<void>;
  /** Stops taking jobs, lets running ones finish (up to `timeoutMs`), closes the queue's pool. */
  stop(timeoutMs?: number): Promise<void>;
  ping(): Promise<void>;
  boss: PgBoss;
}

export function createJobQueue(database: Database, logger: Logger): JobQueue {
  // Supervision every 10 s (pg-boss defaults to 60): a job whose process died is retried soon
  // after its heartbeat stops, so a killed sync resumes within a minute.
  const supervision = { superviseIntervalSeconds: 10, monitorIntervalSeconds: 10 };
  const boss =
    database.kind === 'pglite'
      ? new PgBoss({ db: fromPglite(database.pglite!), backend: 'pglite', ...supervision })
      : new PgBoss({ connectionString: database.url!, max: 4, ...supervision });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));

  return {
    boss,
    send: (name, data, options) => boss.send(name, data, options ?? {}),
    async start(definitions, { work = true } = {}) {
      await boss.start();
      for (const definition of definitions) {
        await boss.createQueue(definition.name, definition.queue ?? {});
        for (const schedule of definition.schedules ?? []) {
          await boss.schedule(definition.name, schedule.cron, schedule.data ?? {}, { key: schedule.key, tz: 'UTC' });
        }
        const handle = definition.handle;
        if (!work || !handle) continue;
        await boss.work<object>(definition.name, { ...definition.work }, async (jobs) => {
          for (const job of jobs) {
            const log = logger.child({ job: definition.name, jobId: job.id });
            log.debug('job started');
            await handle(job);
            log.debug('job done');
          }
        });
      }
    },
    async stop(timeoutMs = 30_000) {
      await boss.stop({ graceful: true, close: true, timeout: timeoutMs });
    },
    async ping() {
      await boss.getDb().executeSql('select 1');
    },
  };
}
