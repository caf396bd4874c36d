import type { JobDefinition } from './job-queue.js';

/**
 * Every job the service runs, gathered from the domain modules. Empty until a module contributes
 * one; the queue, its workers and graceful shutdown are already wired around it.
 */
export function jobDefinitions(): JobDefinition<any>[] {
  return [];
}
