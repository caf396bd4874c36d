import type { Services } from '../app.js';
import { syncQueue } from '../modules/sync/queue.js';
import type { JobDefinition } from './job-queue.js';

/** Every queue the service works on, with the domain service that handles its jobs. */
export function jobDefinitions(services: Services): JobDefinition<any>[] {
  return [syncQueue((job) => services.backfill(job.data.connectionId))];
}
