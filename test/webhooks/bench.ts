/**
 * `pnpm bench:webhooks [--rates 250,500,1000,1500,2000] [--seconds 5] [--single] [--no-apply]`
 * (tsx test/webhooks/bench.ts). The real backend on PostgreSQL (TEST_DATABASE_URL's server)
 * listens on a port; a load generator in a worker thread of this process posts signed
 * `customer.created` events at fixed rates (open loop, keep-alive). As deployed at scale, one
 * process answers HTTP and another works the apply jobs (`--single`: both in one process;
 * `--no-apply`: no workers); this process only orchestrates and measures.
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
    /** Internal: the backend processes the bench starts. */
    web: { type: 'boolean', default: false },
    worker: { type: 'boolean', default: false },
  },
});
const rates = values.rates.split(',').map(Number);
const seconds = Number(values.seconds);
const SECRET = 'whsec_bench';
const ACCOUNT = 'acct_1WHBENCHAAAAAAAA';
const print = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Plain JavaScript run in a worker thread: its own event loop, so the server's work does not delay
 * the sends. One thread serves every phase, so the warm-up phase warms its code and its keep-alive
 * connections too. A minimal HTTP/1.1 client over keep-alive sockets (like autocannon's):
 * node:http's client costs about as much CPU per request as the endpoint itself, and on a small
 * machine the load generator would then take the cores it is meant to measure. Each request is
 * written whole when it is due (open loop: a slow answer never delays the next send, another
 * socket is used or opened), and its latency ends when the whole response (status line, headers,
 * Content-Length body) has been read.
 */
const LOAD_GENERATOR = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const target = new URL(workerData.url);
const MAX_SOCKETS = 256;
const idle = [];
const waiting = [];
let sockets = 0;
let phase;

function request(payload, signature) {
  const body = Buffer.from(payload);
  const head = 'POST ' + target.pathname + ' HTTP/1.1\\r\\nHost: ' + target.host + '\\r\\nConnection: keep-alive\\r\\n' +
    'Content-Type: application/json; charset=utf-8\\r\\nStripe-Signature: ' + signature + '\\r\\nContent-Length: ' + body.length + '\\r\\n\\r\\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

function finish(status, t0) {
  phase.latencies.push(performance.now() - t0);
  if (status === 200) phase.ok++; else phase.failed++;
  if (++phase.done === phase.requests.length) {
    const { ok, failed, latencies, started } = phase;
    parentPort.postMessage({ ok, failed, latencies, elapsed: (performance.now() - started) / 1000 });
  }
}

function open() {
  sockets++;
  const socket = net.connect({ host: target.hostname, port: Number(target.port), noDelay: true });
  let buffer = null, t0 = 0, busy = false;
  socket.on('data', (chunk) => {
    buffer = buffer ? Buffer.concat([buffer, chunk]) : chunk;
    const end = buffer.indexOf('\\r\\n\\r\\n');
    if (end < 0) return;
    const head = buffer.toString('latin1', 0, end);
    const length = Number(/\\r\\ncontent-length: *(\\d+)/i.exec(head)?.[1] ?? NaN);
    if (Number.isNaN(length)) return void socket.destroy(new Error('response without Content-Length'));
    if (buffer.length < end + 4 + length) return;
    if (buffer.length > end + 4 + length) return void socket.destroy(new Error('unexpected bytes after the response'));
    buffer = null;
    busy = false;
    finish(Number(head.slice(9, 12)), t0);
    release(socket);
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    sockets--;
    const at = idle.indexOf(socket);
    if (at >= 0) idle.splice(at, 1);
    if (busy) finish(0, t0);
    if (waiting.length > 0) release(open());
  });
  socket.send = (i, start) => {
    busy = true;
    t0 = start;
    socket.write(phase.requests[i]);
  };
  return socket;
}

function release(socket) {
  const next = waiting.shift();
  if (next) socket.send(next[0], next[1]);
  else idle.push(socket);
}

function send(i) {
  const t0 = performance.now();
  const socket = idle.pop() ?? (sockets < MAX_SOCKETS ? open() : undefined);
  if (socket) socket.send(i, t0);
  else waiting.push([i, t0]);
}

parentPort.on('message', ({ payloads, signatures, rate }) => {
  const requests = payloads.map((payload, i) => request(payload, signatures[i]));
  phase = { requests, latencies: [], ok: 0, failed: 0, done: 0, started: performance.now() };
  let next = 0;
  const timer = setInterval(() => {
    const due = Math.min(requests.length, Math.floor(((performance.now() - phase.started) / 1000) * rate));
    while (next < due) send(next++);
    if (next >= requests.length) clearInterval(timer);
  }, 1);
});
`;

type LoadResult = { ok: number; failed: number; latencies: number[]; elapsed: number };

/** The load generator's thread; `run` sends one phase at a fixed rate and resolves with its results. */
function loadGenerator(url: string) {
  const worker = new Worker(LOAD_GENERATOR, { eval: true, workerData: { url } });
  return {
    run(payloads: string[], signatures: string[], rate: number): Promise<LoadResult> {
      return new Promise((resolve, reject) => {
        worker.once('error', reject);
        worker.once('message', (result: LoadResult) => {
          worker.off('error', reject);
          resolve(result);
        });
        worker.postMessage({ payloads, signatures, rate });
      });
    },
    close: () => worker.terminate(),
  };
}

const benchConfig = (apiBase: string, dbUrl: string) =>
  loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'warn', STRIPE_API_BASE: apiBase, STRIPE_WEBHOOK_SECRETS: SECRET, DATABASE_URL: dbUrl });

/**
 * A backend process, configured as deployed: `--web` answers HTTP (and, with `--single`, works the
 * queues as well), `--worker` works the queues. The bench process itself only orchestrates and
 * measures, so its own work (payloads, signatures, counting) never runs on the server's event loop.
 */
async function backend(role: 'web' | 'worker') {
  const config = benchConfig(process.env.BENCH_STRIPE_API_BASE!, process.env.BENCH_DATABASE_URL!);
  const database = await openDatabase({ kind: 'postgres', url: config.DATABASE_URL!, poolSize: role === 'web' ? 20 : 10 });
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const jobs = createJobQueue(database, logger);
  const deps = { config, database, jobs, logger, stripe: createStripeFactory({ apiBase: config.STRIPE_API_BASE }) };
  const services = createServices(deps);
  await jobs.start(jobDefinitions(services), { work: role === 'worker' || values.single });
  const app = role === 'web' ? await buildApp(deps, services) : undefined;
  print(app ? `web listening at ${await app.listen({ port: 0, host: '127.0.0.1' })}` : 'worker ready');
  await new Promise((resolve) => process.once('SIGTERM', resolve));
  await app?.close();
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
    const database = await openDatabase({ kind: 'postgres', url: dbUrl.toString(), poolSize: 4 });
    await runMigrations(database);
    const logger = pino({ level: 'warn' }, pino.destination(2));
    const jobs = createJobQueue(database, logger);
    const services = createServices({ config, database, jobs, logger, stripe: createStripeFactory({ apiBase: emulator.url }) });
    await jobs.start(jobDefinitions(services), { work: false });
    const env = { BENCH_DATABASE_URL: dbUrl.toString(), BENCH_STRIPE_API_BASE: emulator.url };
    const apply = !values['no-apply'];
    const workerProcess = apply && !values.single ? runScript('test/webhooks/bench.ts', ['--worker'], env) : undefined;
    const webProcess = runScript('test/webhooks/bench.ts', ['--web', ...(apply && values.single ? ['--single'] : [])], env);
    await workerProcess?.waitForOutput(/worker ready/, 60_000);
    await webProcess.waitForOutput(/web listening at \S+/, 60_000);
    const url = `${/web listening at (\S+)/.exec(webProcess.output())![1]}/webhooks/stripe`;
    const { workspace } = await services.workspaces.createWorkspace('Bench');
    const connection = await services.connections.saveApiKey(workspace.id, key);
    await services.backfill(connection.id);
    const topology = !apply ? 'HTTP only, no apply workers' : values.single ? 'HTTP and apply workers in one process' : 'HTTP in one process, apply workers in another';
    print(`backend on PostgreSQL (${topology}), ${seconds} s per rate; events: customer.created for new customers of one connected account`);
    print('rate/s  sent  accepted/s  p50 ms  p99 ms  lost  applied lag p50/p99/max ms');

    const generator = loadGenerator(url);
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
      const result = await generator.run(payloads, signatures, rate);
      const latencies = result.latencies.sort((a, b) => a - b);
      const [stored] = await database.rows<{ n: number }>(sql`select count(*)::int as n from webhook_events where id = any(${sql.param(ids)}::text[])`);
      const deadline = Date.now() + (values['no-apply'] ? 0 : 120_000);
      let pending = 1;
      while (pending > 0 && Date.now() < deadline) {
        [{ n: pending }] = (await database.rows<{ n: number }>(sql`select count(*)::int as n from webhook_events where status = 'pending'`)) as [{ n: number }];
        if (pending > 0) await new Promise((r) => setTimeout(r, 100));
      }
      const lags = (
        await database.rows<{ ms: number }>(sql`select extract(epoch from (processed_at - received_at)) * 1000 as ms from webhook_events where id = any(${sql.param(ids)}::text[]) and processed_at is not null`)
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
    await generator.close();
    for (const backendProcess of [webProcess, workerProcess]) backendProcess?.child.kill('SIGTERM');
    await Promise.all([webProcess.exited, workerProcess?.exited]);
    await jobs.stop(5_000);
    await database.close();
  } finally {
    await emulator.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

(values.web ? backend('web') : values.worker ? backend('worker') : main()).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
