/**
 * `pnpm bench:webhooks [--rates 250,500,1000,1500,2000] [--seconds 5] [--single] [--no-apply]`
 * (tsx test/webhooks/bench.ts). The real backend on PostgreSQL (TEST_DATABASE_URL's server)
 * listens on a port; a load generator in a worker thread posts signed `customer.created` events
 * at fixed rates (open loop, keep-alive). As deployed at scale, one process answers HTTP and
 * another works the apply jobs (`--single`: both in one process; `--no-apply`: no workers).
 * Per rate: accepted events/s, p50/p99 acknowledgement latency, events lost (acknowledged but not
 * stored: must be 0), and the lag from receipt to applied (p50/p99/max).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import Stripe from 'stripe';
import { buildApp, createServices } from '@ui/backend/src/app.js';
import { loadConfig } from '@ui/backend/src/config.js';
import { openDatabase } from '@ui/backend/src/db/database.js';
import { runMigrations } from '@ui/backend/src/db/migrate.js';
import { jobDefinitions } from '@ui/backend/src/jobs/definitions.js';
import { createJobQueue } from '@ui/backend/src/jobs/job-queue.js';
import { createStripeFactory } from '@ui/backend/src/stripe/client.js';
import { generateAccount } from '../stripe-emulator/generator.js';
import { startEmulator } from '../stripe-emulator/index.js';
import { runScript } from '../support/processes.js';
import { admin, adminUrl } from '../support/postgres-admin.js';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '250,500,1000,1500,2000' },
    seconds: { type: 'string', default: '5' },
    single: { type: 'boolean', default: false },
    'no-apply': { type: 'boolean', default: false },
    /** Internal: the apply-worker process the bench starts. */
    worker: { type: 'boolean', default: false },
  },
});
const rates = values.rates.split(',').map(Number);
const seconds = Number(values.seconds);
const SECRET = 'whsec_bench';
const ACCOUNT = 'acct_1WHBENCHAAAAAAAA';
const print = (line: string) => process.stdout.write(`${line}\n`);


/** Plain JavaScript run in a worker thread: its own event loop, so the server's work does not delay the sends. */
const LOAD_GENERATOR = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, payloads, signatures, rate } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const target = new URL(url);
const latencies = [];
let ok = 0, failed = 0, done = 0;
const started = performance.now();
function send(i) {
  const t0 = performance.now();
  const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signatures[i], 'content-length': Buffer.byteLength(payloads[i]) } }, (res) => {
    res.resume();
    res.on('end', () => { latencies.push(performance.now() - t0); if (res.statusCode === 200) ok++; else failed++; finish(); });
  });
  req.on('error', () => { failed++; finish(); });
  req.end(payloads[i]);
}
function finish() { if (++done === payloads.length) parentPort.postMessage({ ok, failed, latencies, elapsed: (performance.now() - started) / 1000 }); }
let next = 0;
const timer = setInterval(() => {
  const due = Math.min(payloads.length, Math.floor(((performance.now() - started) / 1000) * rate));
  while (next < due) send(next++);
  if (next >= payloads.length) clearInterval(timer);
}, 1);
`;

function load(url: string, payloads: string[], signatures: string[], rate: number): Promise<{ ok: number; failed: number; latencies: number[]; elapsed: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_GENERATOR, { eval: true, workerData: { url, payloads, signatures, rate } });
    worker.once('message', (result) => {
      void worker.terminate();
      resolve(result);
    });
    worker.once('error', reject);
  });
}

const benchConfig = (apiBase: string, dbUrl: string) =>
  loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'warn', STRIPE_API_BASE: apiBase, STRIPE_WEBHOOK_SECRETS: SECRET, DATABASE_URL: dbUrl });

/** The apply-worker process: the same services, working the queues, no HTTP. */
async function worker() {
  const config = benchConfig(process.env.BENCH_STRIPE_API_BASE!, process.env.BENCH_DATABASE_URL!);
  const database = await openDatabase({ kind: 'postgres', url: config.DATABASE_URL!, poolSize: 10 });
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const jobs = createJobQueue(database, logger);
  const services = createServices({ config, database, jobs, logger, stripe: createStripeFactory({ apiBase: config.STRIPE_API_BASE }) });
  await jobs.start(jobDefinitions(services));
  print('worker ready');
  await new Promise((resolve) => process.once('SIGTERM', resolve));
  await jobs.stop(5_000);
  await database.close();
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);

async function main() {
  const emulator = await startEmulator({ fixtures: { accounts: [generateAccount({ customers: 0, seed: 1, accountId: ACCOUNT })] } });
  const key = emulator.accounts()[0]!.api_keys.find((k) => k.key.startsWith('sk_'))!.key;
  const name = `ui_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${name}`;
  try {
    const config = benchConfig(emulator.url, dbUrl.toString());
    const database = await openDatabase({ kind: 'postgres', url: dbUrl.toString(), poolSize: 20 });
    await runMigrations(database);
    const logger = pino({ level: 'warn' }, pino.destination(2));
    const jobs = createJobQueue(database, logger);
    const deps = { config, database, jobs, logger, stripe: createStripeFactory({ apiBase: emulator.url }) };
    const services = createServices(deps);
    await jobs.start(jobDefinitions(services), { work: values.single && !values['no-apply'] });
    const workerProcess = values.single || values['no-apply'] ? undefined : runScript('test/webhooks/bench.ts', ['--worker'], { BENCH_DATABASE_URL: dbUrl.toString(), BENCH_STRIPE_API_BASE: emulator.url });
    await workerProcess?.waitForOutput(/worker ready/, 60_000);
    const app = await buildApp(deps, services);
    const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/stripe`;
    const { workspace } = await services.workspaces.createWorkspace('Bench');
    const connection = await services.connections.saveApiKey(workspace.id, key);
    await services.backfill(connection.id);
    const topology = values['no-apply'] ? 'HTTP only, no apply workers' : values.single ? 'HTTP and apply workers in one process' : 'HTTP in one process, apply workers in another';
    print(`backend on PostgreSQL (${topology}), ${seconds} s per rate; events: customer.created for new customers of one connected account`);
    print('rate/s  sent  accepted/s  p50 ms  p99 ms  lost  applied lag p50/p99/max ms');

    let serial = 0;
    // The first phase warms up connections and code; it is not reported.
    for (const [phase, rate] of [[-1, 100], ...rates.map((r, i) => [i, r])] as [number, number][]) {
      const count = phase < 0 ? 300 : rate * seconds;
      const created = Math.floor(Date.now() / 1000);
      const payloads = Array.from({ length: count }, () => {
        serial += 1;
        const customer = { id: `cus_bench${serial}`, object: 'customer', created, email: `p${serial}@example.com`, name: `Person ${serial}`, currency: 'usd', metadata: {} };
        return JSON.stringify({ id: `evt_bench${serial}_${name}`, object: 'event', api_version: '2026-10-28.endive', created, livemode: false, account: ACCOUNT, type: 'customer.created', data: { object: customer } });
      });
      const signatures = payloads.map((payload) => Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }));
      const ids = payloads.map((p) => (JSON.parse(p) as { id: string }).id);
      const result = await load(url, payloads, signatures, rate);
      const latencies = result.latencies.sort((a, b) => a - b);
      const [stored] = await database.rows<{ n: number }>(sql`select count(*)::int as n from webhook_events where id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`);
      const deadline = Date.now() + (values['no-apply'] ? 0 : 120_000);
      let pending = 1;
      while (pending > 0 && Date.now() < deadline) {
        [{ n: pending }] = (await database.rows<{ n: number }>(sql`select count(*)::int as n from webhook_events where status = 'pending'`)) as [{ n: number }];
        if (pending > 0) await new Promise((r) => setTimeout(r, 100));
      }
      const lags = (
        await database.rows<{ ms: number }>(sql`select extract(epoch from (processed_at - received_at)) * 1000 as ms from webhook_events where id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}) and processed_at is not null`)
      )
        .map((r) => Number(r.ms))
        .sort((a, b) => a - b);
      const lost = result.ok - stored!.n;
      if (phase < 0) continue;
      print(
        [
          String(rate).padStart(6),
          String(count).padStart(5),
          (result.ok / result.elapsed).toFixed(0).padStart(10),
          percentile(latencies, 50).toFixed(1).padStart(6),
          percentile(latencies, 99).toFixed(1).padStart(6),
          String(lost + result.failed).padStart(4),
          values['no-apply'] ? '  -' : `  ${percentile(lags, 50).toFixed(0)}/${percentile(lags, 99).toFixed(0)}/${(lags.at(-1) ?? 0).toFixed(0)}${pending > 0 ? ` (${pending} still pending)` : ''}`,
        ].join('  '),
      );
    }
    await app.close();
    workerProcess?.child.kill('SIGTERM');
    await workerProcess?.exited;
    await jobs.stop(5_000);
    await database.close();
  } finally {
    await emulator.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

(values.worker ? worker() : main()).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
