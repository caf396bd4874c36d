import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../db/database.js';
import type { JobQueue } from '../../jobs/job-queue.js';
import type { ConnectionCredentials } from '../connections/credentials.js';
import type { ConnectionRepository } from '../connections/repository.js';
import type { ParticipantRepository } from '../participants/repository.js';
import type { SegmentRepository } from '../segments/repository.js';
import type { ObjectStore } from '../sync/object-store.js';
import type { Recompute } from '../sync/recompute.js';
import { createEventApplier } from './apply.js';
import { createCatchUp, createCatchUpTick } from './catch-up.js';
import { queueCatchUp, wakeApply } from './jobs.js';
import { createWebhookRepository } from './repository.js';
import { createWebhookService } from './service.js';

export interface WebhookModuleDeps {
  db: Db;
  jobs: JobQueue;
  secrets: readonly string[];
  connections: ConnectionRepository;
  credentials: ConnectionCredentials;
  objects: ObjectStore;
  participants: ParticipantRepository;
  segments: SegmentRepository;
  recompute: Recompute;
  disconnect(connectionId: string, reason: string): Promise<unknown>;
  resync(connectionId: string): Promise<void>;
  logger: FastifyBaseLogger;
}

/** The webhook module's services: receive (the route), drain (apply jobs), catch-up and its periodic tick. */
export function createWebhooks(deps: WebhookModuleDeps) {
  const repository = createWebhookRepository(deps.db);
  const wake = wakeApply(deps.jobs);
  const logger = deps.logger.child({ module: 'webhooks' });
  const apply = createEventApplier({ ...deps, repository, logger });
  const service = createWebhookService({ repository, connections: deps.connections, apply, wake, refreshTotals: (workspaceId) => deps.segments.refreshTotals(workspaceId), secrets: deps.secrets, logger });
  const catchUp = createCatchUp({ repository, connections: deps.connections, credentials: deps.credentials, wake, resync: deps.resync, logger });
  const tick = createCatchUpTick({ repository, queueCatchUp: queueCatchUp(deps.jobs), wake });
  return { receive: service.receive, drain: service.drain, catchUp, tick, repository };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
