import { syncQueue } from '../modules/sync/queue.js';
import type { JobDefinition } from './job-queue.js';

/** Every queue the service uses, gathered from the domain modules. */
export function jobDefinitions(): JobDefinition<any>[] {
  return [syncQueue()];
}
