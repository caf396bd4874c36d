/**
 * `pnpm bench:backfill [--customers 20000] [--latency-ms 150] [--rate-limit 100] [--endpoint-rate-limit 25]`
 * The emulator runs in its own process (its data must not count in our memory) with Stripe-like
 * latency and Stripe's live-mode limits (global 100/s, 25/s per endpoint, 100 in flight); the
 * backfill runs here, on a PostgreSQL database of its own, through the real services. Prints
 * requests vs the minimum, requests and 429s per endpoint, wall time vs the rate-limit bound
 * (the longest of every request at the global rate and each endpoint's requests at its own
 * rate), participants per second and this process's peak RSS.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { createServices } from '@ui/backend/src/app.js';
import { loadConfig } from '@ui/backend/src/config.js';
import { openDatabase } from '@ui/backend/src/db/database.js';
import { runMigrations } from '@ui/backend/src/db/migrate.js';
import { jobDefinitions } from '@ui/backend/src/jobs/definitions.js';
import { createJobQueue } from '@ui/backend/src/jobs/job-queue.js';
import { createStripeFactory, stripeLimitsOf } from '@ui/backend/src/stripe/client.js';
import { freePort, runScript } from '../support/processes.js';
import { admin, adminUrl } from '../support/postgres-admin.js';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '20000' },
    'latency-ms': { type: 'string', default: '150' },
    'rate-limit': { type: 'string', default: '100' },
    'endpoint-rate-limit': { type: 'string', default: '25' },
  },
});
const customers = Number(values.customers);
const rateLimit = Number(values['rate-limit']);
const endpointRateLimit = Number(values['endpoint-rate-limit']);
/** Stripe's search endpoints allow 20/s (the emulator's default for them). */
const rateOf = (endpoint: string) => (endpoint.endsWith('/search') ? Math.min(20, endpointRateLimit) : endpointRateLimit);
const print = (line: string) => process.stdout.write(`${line}\n`);


/** CPU seconds used from now on: this process, the emulator, and the rest of the machine (PostgreSQL runs here). */
function cpuMeter(emulatorPid: number) {
  const ticks = () => readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const processTicks = (pid: number) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  const [machine, emulator, self] = [ticks(), processTicks(emulatorPid), process.cpuUsage()];
  return () => {
    const delta = ticks().map((value, i) => value - machine[i]!);
    const idle = delta[3]! + delta[4]!;
    const total = delta.reduce((a, b) => a + b, 0);
    const selfUsage = process.cpuUsage(self);
    const used = { self: (selfUsage.user + selfUsage.system) / 1e6, emulator: (processTicks(emulatorPid) - emulator) / 100 };
    return { ...used, rest: (total - idle) / 100 - used.self - used.emulator, busy: (100 * (total - idle)) / total };
  };
}

/** Requests the emulator served in each second from now on: a ramp, a lull or a tail shows where the run waits. */
function requestRate(emulatorUrl: string) {
  const perSecond: number[] = [];
  let last = 0;
  const timer = setInterval(() => {
    void fetch(`${emulatorUrl}/_emulator/stats`)
      .then((response) => response.json() as Promise<{ total: number }>)
      .then(({ total }) => {
        perSecond.push(total - last);
        last = total;
      })
      .catch(() => undefined); // a missed sample only merges two seconds
  }, 1000);
  return {
    stop() {
      clearInterval(timer);
      return perSecond;
    },
  };
}

async function main() {
  const port = await freePort();
  print(`starting the emulator: ${customers} customers, ${values['latency-ms']} ms latency, ${rateLimit} req/s global, ${endpointRateLimit} req/s per endpoint…`);
  // The generated account is in test mode: live mode's limits are asked for explicitly (the global rate and 100 in flight).
  const limits = ['--rate-limit', String(rateLimit), '--endpoint-rate-limit', String(endpointRateLimit), '--concurrency-limit-test', '100'];
  const emulator = runScript('test/stripe-emulator/cli.ts', ['--port', String(port), '--generate', String(customers), '--seed', '1', '--latency-ms', String(values['latency-ms']), ...limits, '--prerender'], {
    // A young generation big enough that serving pages promotes little: no full collection mid-run.
    NODE_OPTIONS: '--max-old-space-size=6144 --max-semi-space-size=64',
  });
  const name = `ui_bench_${randomBytes(4).toString('hex')}`;
  try {
    await emulator.waitForOutput(/listening on/, 300_000);
    const emulatorUrl = `http://127.0.0.1:${port}`;
    const { accounts } = (await (await fetch(`${emulatorUrl}/_emulator/stats`)).json()) as { accounts: { counts: Record<string, number>; api_keys: { key: string }[] }[] };
    const account = accounts[0]!;
    const fullKey = account.api_keys.find((k) => k.key.startsWith('sk_'))!.key;

    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    // Our limiter runs just under the emulator's limits, as it would under Stripe's: 95% of the
    // global rate, one request/s under an endpoint's (the invoice list sets the wall time: at 23/s
    // it cannot come within 1.09× of the bound at 25/s, whatever else the run does).
    const config = loadConfig({
      NODE_ENV: 'test',
      STRIPE_API_BASE: emulatorUrl,
      STRIPE_RATE_LIMIT_TEST: String(Math.floor(rateLimit * 0.95)),
      STRIPE_ENDPOINT_RATE_LIMIT: String(endpointRateLimit - 1),
      STRIPE_SEARCH_READS: process.env.STRIPE_SEARCH_READS ?? 'off',
    });
    const database = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 10 });
    await runMigrations(database);
    const logger = pino({ level: 'info' }, pino.destination(2));
    const jobs = createJobQueue(database, logger);
    const services = createServices({ config, database, jobs, logger, stripe: createStripeFactory({ apiBase: emulatorUrl, limits: stripeLimitsOf(config) }) });
    // Queues exist (connecting enqueues a sync) but nothing works them: the bench runs the backfill itself.
    await jobs.start(jobDefinitions(services), { work: false });
    const { workspace } = await services.workspaces.createWorkspace('Bench');
    const connection = await services.connections.saveApiKey(workspace.id, fullKey);
    await fetch(`${emulatorUrl}/_emulator/stats/reset`, { method: 'POST' });

    const cpu = cpuMeter(emulator.child.pid!);
    const started = performance.now();
    const rate = requestRate(emulatorUrl);
    await services.backfill(connection.id);
    const perSecond = rate.stop();
    const seconds = (performance.now() - started) / 1000;
    const used = cpu();

    const stats = (await (await fetch(`${emulatorUrl}/_emulator/stats`)).json()) as {
      requests: Record<string, number>;
      total: number;
      rateLimited: number;
      rateLimitedBy: Record<string, number>;
    };
    const counts = account.counts;
    const pages = (n = 0) => Math.max(1, Math.ceil(n / 100));
    const minimum = ['customer', 'subscription', 'invoice', 'credit_note', 'product', 'price', 'coupon'].reduce((sum, type) => sum + pages(counts[type]), 0);
    const followUps = stats.requests['GET /v1/subscription_items'] ?? 0;
    // The rate-limit bound: every request at the global rate, or each endpoint's at its own rate, whichever is longer.
    const endpointSeconds = Object.entries(stats.requests).map(([endpoint, n]) => ({ endpoint, n, seconds: n / rateOf(endpoint) }));
    const slowest = endpointSeconds.reduce((a, b) => (b.seconds > a.seconds ? b : a));
    const bound = Math.max(stats.total / rateLimit, slowest.seconds);
    const rssMb = process.resourceUsage().maxRSS / 1024;
    print(`objects: ${JSON.stringify(counts)}`);
    print(`requests: ${stats.total} (list minimum ${minimum} + ${followUps} nested-list follow-ups = ${minimum + followUps}; ratio ${(stats.total / (minimum + followUps)).toFixed(3)}; 429s ${stats.rateLimited}, ${((100 * stats.rateLimited) / stats.total).toFixed(2)}%)`);
    for (const { endpoint, n, seconds } of endpointSeconds.sort((a, b) => b.n - a.n)) {
      print(`  ${endpoint}: ${n} requests (${seconds.toFixed(1)} s at ${rateOf(endpoint)}/s), 429s ${stats.rateLimitedBy[endpoint] ?? 0}`);
    }
    print(`requests per second of the run (the rate limit idles where they fall): ${perSecond.join(' ')}`);
    const which = bound === slowest.seconds ? `${slowest.endpoint} at ${rateOf(slowest.endpoint)}/s` : `all requests at ${rateLimit}/s`;
    print(`wall time: ${seconds.toFixed(1)} s (rate-limit bound ${bound.toFixed(1)} s: ${which}; ratio ${(seconds / bound).toFixed(2)})`);
    print(`participants: ${customers} in ${seconds.toFixed(1)} s = ${(customers / seconds).toFixed(0)} per second`);
    print(`peak RSS of the backfill process: ${rssMb.toFixed(0)} MB`);
    print(`CPU during the backfill: backfill ${used.self.toFixed(1)} s, emulator ${used.emulator.toFixed(1)} s, everything else (PostgreSQL, other work) ${used.rest.toFixed(1)} s; machine ${used.busy.toFixed(0)}% busy (${cpus().length} cores)`);
    // A fast backfill that lost or doubled rows would be worthless: the counts must be exact.
    const [{ sync_progress: synced } = { sync_progress: {} }] = await database.rows<{ sync_progress: Record<string, number> }>(sql`select sync_progress from connections where id = ${connection.id}`);
    const wrong = ['customer', 'subscription', 'invoice', 'credit_note', 'product', 'price', 'coupon'].filter((type) => synced[type] !== counts[type]);
    print(wrong.length === 0 ? 'rows: every type read exactly once' : `rows: WRONG COUNTS for ${wrong.map((t) => `${t} ${synced[t]} ≠ ${counts[t]}`).join(', ')}`);
    if (wrong.length > 0) process.exitCode = 1;
    await jobs.stop(1_000);
    await database.close();
  } finally {
    emulator.child.kill('SIGTERM');
    await emulator.exited;
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
