import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import { createSecretBox } from './crypto/secret-box.js';
import { createSignedTokens } from './crypto/signed-token.js';
import type { Database } from './db/database.js';
import { registerErrorHandler } from './http/error-handler.js';
import { healthRoutes } from './http/health-routes.js';
import { registerOpenApi } from './http/openapi.js';
import { requireWorkspace } from './http/workspace-auth.js';
import type { JobQueue } from './jobs/job-queue.js';
import { registerAuthorizeRedirect } from './modules/connections/authorize-redirect.js';
import { createConnectionCredentials } from './modules/connections/credentials.js';
import { createStateSigner } from './modules/connections/oauth-state.js';
import { createConnectionRepository } from './modules/connections/repository.js';
import { connectRoutes, integrationRoutes } from './modules/connections/routes.js';
import { createConnectionService } from './modules/connections/service.js';
import { createStripeOAuth } from './modules/connections/stripe-oauth.js';
import { stripeAppRoutes } from './modules/stripe-app/routes.js';
import { createPanelCounts } from './modules/participants/panel-counts.js';
import { createParticipantRepository } from './modules/participants/repository.js';
import { participantRoutes } from './modules/participants/routes.js';
import { createSegmentRepository } from './modules/segments/repository.js';
import { createSyncRunner } from './modules/sync/backfill.js';
import { createObjectStore } from './modules/sync/object-store.js';
import { createCustomerSync, createParticipantSync } from './modules/sync/participant-sync.js';
import { cancelSyncs, enqueueSync } from './modules/sync/queue.js';
import { createRecompute } from './modules/sync/recompute.js';
import { createSyncRunRepository } from './modules/sync/sync-runs.js';
import { createInviteDelivery } from './modules/studies/delivery.js';
import { createDeliveryRepository } from './modules/studies/delivery-repository.js';
import { scheduleDelivery } from './modules/studies/jobs.js';
import { createMailer } from './modules/studies/mailer.js';
import { createStudyRepository } from './modules/studies/repository.js';
import { studyRoutes } from './modules/studies/routes.js';
import { createStudyService } from './modules/studies/service.js';
import { createInviteTokens } from './modules/studies/tokens.js';
import { createSsoService, ssoIdentifyRoutes, ssoSettingsRoutes } from './modules/participants/sso.js';
import { enqueueParticipantSyncs } from './modules/participants/sync-queue.js';
import { importRoutes } from './modules/imports/routes.js';
import { createImportService } from './modules/imports/service.js';
import { createWebhooks } from './modules/webhooks/module.js';
import { webhookRoutes } from './modules/webhooks/routes.js';
import { createWorkspaceRepository } from './modules/workspaces/repository.js';
import { workspaceRoutes } from './modules/workspaces/routes.js';
import { createWorkspaceService } from './modules/workspaces/service.js';
import type { StripeFactory } from './stripe/client.js';

export interface AppDeps {
  config: Config;
  database: Database;
  jobs: JobQueue;
  logger: FastifyBaseLogger;
  stripe: StripeFactory;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Wires the domain services from the app's dependencies; tests use it to reach a service directly. */
export function createServices(deps: AppDeps) {
  const { config, database } = deps;
  const masterKey = config.ENCRYPTION_KEY[0]!.key;
  const box = createSecretBox(config.ENCRYPTION_KEY);
  const workspaces = createWorkspaceService(createWorkspaceRepository(database.db));
  const connectionRepository = createConnectionRepository(database.db);
  const oauth = createStripeOAuth(config, deps.stripe);
  const connections = createConnectionService({
    repository: connectionRepository,
    box,
    states: createStateSigner(createSignedTokens(masterKey, 'stripe-oauth-state')),
    oauth,
    stripe: deps.stripe,
    enqueueSync: enqueueSync(deps.jobs),
    cancelSyncs: cancelSyncs(deps.jobs),
  });
  const credentials = createConnectionCredentials({ repository: connectionRepository, box, oauth, stripe: deps.stripe, sealContext: connections.sealContext });
  const objects = createObjectStore(database.db);
  const participants = createParticipantRepository(database.db);
  const segments = createSegmentRepository(database.db);
  const recompute = createRecompute({ objects, participants, segments });
  const syncRunner = createSyncRunner({
    connections: connectionRepository,
    credentials,
    objects,
    participants,
    segments,
    runs: createSyncRunRepository(database.db),
    recompute,
    transaction: (work) => database.db.transaction(work),
    logger: deps.logger,
    limits: { concurrency: config.SYNC_CONCURRENCY },
    searchReads: config.STRIPE_SEARCH_READS === 'on',
  });
  const syncParticipant = createParticipantSync({ connections: connectionRepository, credentials, objects, participants, recompute });
  const syncCustomer = createCustomerSync({ connections: connectionRepository, participants, syncParticipant });
  const studyRepository = createStudyRepository(database.db);
  const inviteTokens = createInviteTokens(config.ENCRYPTION_KEY);
  const studies = createStudyService({ repository: studyRepository, tokens: inviteTokens, schedule: scheduleDelivery(deps.jobs) });
  const inviteDelivery = createInviteDelivery({
    studies: studyRepository,
    deliveries: createDeliveryRepository(database.db),
    mailer: createMailer(config, deps.logger),
    tokens: inviteTokens,
    interviewBaseUrl: config.INTERVIEW_BASE_URL,
    logger: deps.logger,
    schedule: scheduleDelivery(deps.jobs),
  });
  const enqueueParticipantSync = enqueueParticipantSyncs(deps.jobs);
  const refreshTotals = (workspaceId: string) => segments.refreshTotals(workspaceId);
  const imports = createImportService({ database, participants, enqueueSyncs: enqueueParticipantSync, refreshTotals });
  const sso = createSsoService({ database, box, enqueueSyncs: enqueueParticipantSync, refreshTotals });
  const webhooks = createWebhooks({
    db: database.db,
    jobs: deps.jobs,
    secrets: config.STRIPE_WEBHOOK_SECRETS,
    connections: connectionRepository,
    credentials,
    objects,
    participants,
    segments,
    recompute,
    disconnect: connections.disconnect,
    resync: (connectionId) => enqueueSync(deps.jobs)(connectionId),
    logger: deps.logger,
  });
  return {
    workspaces,
    connections,
    credentials,
    participants,
    segments,
    backfill: syncRunner.backfill,
    resync: syncRunner.resync,
    listSyncableConnections: () => connectionRepository.listSyncable(),
    enqueueSync: enqueueSync(deps.jobs),
    syncParticipant,
    syncCustomer,
    panelCounts: createPanelCounts(database.db),
    connectLinks: createSignedTokens(masterKey, 'stripe-connect-link'),
    imports,
    sso,
    webhooks,
    studies,
    inviteDelivery,
  };
}

export type Services = ReturnType<typeof createServices>;

/** Builds the HTTP service from its dependencies; never listens (server.ts does). */
export async function buildApp(deps: AppDeps, services: Services = createServices(deps)): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerErrorHandler(app);
  await registerOpenApi(app, deps.config.PUBLIC_URL);
  await app.register(cookie);

  const routeDeps = {
    ...services,
    authorize: await registerAuthorizeRedirect(app, deps.config),
    publicUrl: deps.config.PUBLIC_URL,
    appUrl: deps.config.APP_URL,
  };

  await app.register(
    healthRoutes([
      { name: 'database', check: () => deps.database.ping() },
      { name: 'jobs', check: () => deps.jobs.ping() },
    ]),
  );
  await app.register(connectRoutes(routeDeps));
  await app.register(webhookRoutes(services.webhooks));
  await app.register(
    stripeAppRoutes({ connections: services.connections, panelCounts: services.panelCounts, signingSecrets: deps.config.STRIPE_APP_SIGNING_SECRETS, db: deps.database.db, enqueueSync: enqueueSync(deps.jobs), syncCustomer: services.syncCustomer }),
    { prefix: '/stripe-app' },
  );
  await app.register(ssoIdentifyRoutes(services.sso), { prefix: '/api' });
  await app.register(
    async (api) => {
      requireWorkspace(api, services.workspaces);
      await api.register(workspaceRoutes(services.workspaces));
      await api.register(integrationRoutes(routeDeps));
      await api.register(participantRoutes({ ...services, logger: deps.logger }));
      await api.register(importRoutes(services.imports));
      await api.register(ssoSettingsRoutes(services.sso));
      await api.register(studyRoutes(services.studies));
    },
    { prefix: '/api' },
  );

  return app;
}
