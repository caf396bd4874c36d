import type { Services } from '../app.js';
import { participantSyncQueue } from '../modules/participants/sync-queue.js';
import { inviteDeliveryQueue } from '../modules/studies/jobs.js';
import { webhookApplyQueue, webhookCatchUpQueue, webhookScheduleQueue } from '../modules/webhooks/jobs.js';
import { resyncScheduleQueue, syncQueue } from '../modules/sync/queue.js';
import type { JobDefinition } from './job-queue.js';

/** Every queue the service works on, with the domain service that handles its jobs. */
export function jobDefinitions(services: Services): JobDefinition<any>[] {
  return [
    syncQueue(({ data }) => (!data.kind || data.kind === 'backfill' ? services.backfill(data.connectionId) : services.resync(data.connectionId, data.kind))),
    resyncScheduleQueue({ listSyncableConnections: services.listSyncableConnections, enqueue: services.enqueueSync }),
    inviteDeliveryQueue(services.inviteDelivery),
    participantSyncQueue(services),
    webhookApplyQueue(async ({ data }) => void (await services.webhooks.drain(data.connectionId))),
    webhookCatchUpQueue(async ({ data }) => void (await services.webhooks.catchUp(data.connectionId))),
    webhookScheduleQueue(() => services.webhooks.tick()),
  ];
}
