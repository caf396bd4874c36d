import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { registerErrorHandler } from './http/error-handler.js';
import { healthRoutes } from './http/health-routes.js';
import { registerOpenApi } from './http/openapi.js';
import { requireWorkspace } from './http/workspace-auth.js';
import type { JobQueue } from './jobs/job-queue.js';
import { createWorkspaceRepository } from './modules/workspaces/repository.js';
import { workspaceRoutes } from './modules/workspaces/routes.js';
import { createWorkspaceService } from './modules/workspaces/service.js';

export interface AppDeps {
  config: Config;
  database: Database;
  jobs: JobQueue;
  logger: FastifyBaseLogger;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the HTTP service from its dependencies; never listens (server.ts does). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
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

  const workspaces = createWorkspaceService(createWorkspaceRepository(deps.database.db));

  await app.register(
    healthRoutes([
      { name: 'database', check: () => deps.database.ping() },
      { name: 'jobs', check: () => deps.jobs.ping() },
    ]),
  );
  await app.register(
    async (api) => {
      requireWorkspace(api, workspaces);
      await api.register(workspaceRoutes(workspaces));
    },
    { prefix: '/api' },
  );

  return app;
}
