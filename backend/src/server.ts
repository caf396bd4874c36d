import { inspect } from 'node:util';
import closeWithGrace from 'close-with-grace';
import { buildApp, createServices } from './app.js';
import { ConfigError, describeConfig, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { runMigrations } from './db/migrate.js';
import { databaseTarget } from './db/target.js';
import { jobDefinitions } from './jobs/definitions.js';
import { createJobQueue } from './jobs/job-queue.js';
import { createLogger } from './logger.js';
import { createStripeFactory, stripeLimitsOf } from './stripe/client.js';

/** How long in-flight requests and jobs get to finish after SIGTERM/SIGINT. */
const SHUTDOWN_GRACE_MS = 25_000;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.LOG_LEVEL);
  logger.info({ config: describeConfig(config) }, 'starting');

  const database = await openDatabase(databaseTarget(config));
  await runMigrations(database);
  const jobs = createJobQueue(database, logger);
  const deps = { config, database, jobs, logger, stripe: createStripeFactory({ apiBase: config.STRIPE_API_BASE, limits: stripeLimitsOf(config) }) };
  const services = createServices(deps);
  await jobs.start(jobDefinitions(services));
  const app = await buildApp(deps, services);

  // Order matters: stop taking requests (in-flight ones finish), then jobs, then the pool.
  closeWithGrace({ delay: SHUTDOWN_GRACE_MS, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    await app.close();
    await jobs.stop(SHUTDOWN_GRACE_MS);
    await database.close();
    logger.info('stopped');
  });

  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`failed to start: ${error instanceof Error ? error.stack : inspect(error)}\n`);
  }
  process.exit(1);
});
