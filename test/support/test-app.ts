import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import supertest from 'supertest';
import { buildApp, createServices, type Services } from '@ui/backend/src/app.js';
import { createStripeFactory, stripeLimitsOf } from '@ui/backend/src/stripe/client.js';
import { loadConfig, type Config } from '@ui/backend/src/config.js';
import { jobDefinitions } from '@ui/backend/src/jobs/definitions.js';
import type { Database } from '@ui/backend/src/db/database.js';
import { createJobQueue, type JobDefinition, type JobQueue } from '@ui/backend/src/jobs/job-queue.js';
import { openMigratedTestDatabase } from './test-database.js';

export interface TestApp {
  app: FastifyInstance;
  http: ReturnType<typeof supertest>;
  config: Config;
  database: Database;
  jobs: JobQueue;
  services: Services;
  /** Creates a workspace and returns its id and an `Authorization` header value. */
  createWorkspace(name?: string): Promise<{ id: string; apiKey: string; auth: string }>;
  close(): Promise<void>;
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...env });
}

/** The real app on a fresh migrated database with a running job queue; nothing is mocked. */
export async function startTestApp(
  options: { env?: Record<string, string>; jobs?: JobDefinition<any>[]; /** false: queues exist, nothing works them */ work?: boolean } = {},
): Promise<TestApp> {
  const config = testConfig(options.env);
  const logger = pino({ level: config.LOG_LEVEL });
  const database = await openMigratedTestDatabase();
  const jobs = createJobQueue(database, logger);
  const deps = { config, database, jobs, logger, stripe: createStripeFactory({ apiBase: config.STRIPE_API_BASE, limits: stripeLimitsOf(config) }) };
  const services = createServices(deps);
  await jobs.start(options.jobs ?? jobDefinitions(services), { work: options.work ?? true });
  const app = await buildApp(deps, services);
  await app.ready();
  const workspaces = services.workspaces;
  return {
    app,
    http: supertest(app.server),
    config,
    database,
    jobs,
    services,
    async createWorkspace(name = 'Acme') {
      const { workspace, apiKey } = await workspaces.createWorkspace(name);
      return { id: workspace.id, apiKey, auth: `Bearer ${apiKey}` };
    },
    async close() {
      await app.close();
      await jobs.stop(5_000);
      await database.close();
    },
  };
}
