/**
 * `pnpm demo [--once]`: the whole product on one machine, offline. Starts a Stripe emulator with
 * a generated account, a local mail server and the backend on embedded PGlite (all in this
 * process), then does what a new customer would do, over HTTP: connect Stripe through OAuth,
 * watch the first sync, look at the segments, invite a segment to a study, and see a change in
 * Stripe arrive by webhook. It then leaves everything running until Ctrl-C; `--once` stops there
 * and exits 0 (non-zero, with the reason, if a step failed).
 *
 * DEMO_CUSTOMERS (default 2000) sizes the generated account; DEMO_LOG_LEVEL (default `info`)
 * sets the backend's log level (its log goes to backend.log in the demo's temporary folder).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { buildApp, createServices } from '@ui/backend/src/app.js';
import { loadConfig } from '@ui/backend/src/config.js';
import { openDatabase } from '@ui/backend/src/db/database.js';
import { runMigrations } from '@ui/backend/src/db/migrate.js';
import { jobDefinitions } from '@ui/backend/src/jobs/definitions.js';
import { createJobQueue } from '@ui/backend/src/jobs/job-queue.js';
import { createStripeFactory } from '@ui/backend/src/stripe/client.js';
import { startEmulator } from '../stripe-emulator/index.js';
import { startSmtp } from '../studies/support.js';
import { freePort } from '../support/processes.js';
import { createOutput } from './output.js';
import { DemoError, formatMoney, mrrCell, progressOf, syncTotals, table } from './format.js';

/** The parts of the API's answers the demo reads (the full shapes are in /docs). */
interface StripeConnection {
  status: string | null;
  sync_progress: Record<string, number>;
  participant_count: number;
  segment_count: number;
  last_error: string | null;
}
interface Segment {
  id: string;
  key: string;
  name: string;
  participant_count: number;
  mrr: Record<string, number>;
}
interface Participant {
  id: string;
  stripe_customer_id: string | null;
  email: string | null;
  name: string | null;
  mrr: number;
  currency: string | null;
}
interface StudyDetail {
  id: string;
  title: string;
}
interface LaunchInvitesResponse {
  invited: number;
  skipped_no_email: number;
  already_invited: number;
}

const { values: flags } = parseArgs({ options: { once: { type: 'boolean', default: false } } });
const CUSTOMERS = Number(process.env.DEMO_CUSTOMERS ?? 2000);
const LOG_LEVEL = process.env.DEMO_LOG_LEVEL ?? 'info';
const WEBHOOK_WAIT_MS = 15_000;
const SYNC_TIMEOUT_MS = Number(process.env.DEMO_SYNC_TIMEOUT_MS ?? 10 * 60_000);
const out = createOutput(process.stdout);

const n = (value: number | undefined) => (value ?? 0).toLocaleString('en-US');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything started so far, stopped in reverse order (each once). */
/** The backend's log (JSON lines), kept with the data folder when the demo fails. */
let logFile: string | undefined;
let keepFolder = false;
const cleanups: { name: string; run: () => Promise<unknown> }[] = [];
let stopping: Promise<void> | undefined;
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (const { name, run } of cleanups.reverse()) {
      try {
        await run();
      } catch (error) {
        process.stderr.write(`(while stopping ${name}: ${error instanceof Error ? error.message : String(error)})\n`);
      }
    }
  })();
  return stopping;
}

/** A JSON call to the backend as a client would make it; any non-2xx answer fails the step with the API's message. */
function apiClient(baseUrl: string, apiKey: string) {
  return async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const error = (parsed as { error?: { message?: string } } | undefined)?.error;
      throw new DemoError(`${method} ${path} answered ${response.status}: ${error?.message ?? text.slice(0, 300)}`);
    }
    return parsed as T;
  };
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new DemoError(`gave up waiting for ${what} after ${Math.round(timeoutMs / 1000)} s`);
    await sleep(intervalMs);
  }
}

async function main(): Promise<void> {
  if (!Number.isInteger(CUSTOMERS) || CUSTOMERS < 1) throw new DemoError(`DEMO_CUSTOMERS must be a whole number of customers, 1 or more (got "${process.env.DEMO_CUSTOMERS}")`);
  out.title('User Intuition: a tour on your machine');
  out.say('Everything below runs locally: a Stripe emulator stands in for Stripe, a small mail server');
  out.say('catches the invitation emails, and the backend keeps its data in a temporary folder.');

  // 1. Stripe.
  const backendPort = await freePort();
  const backendUrl = `http://127.0.0.1:${backendPort}`;
  const webhookSecret = `whsec_demo_${randomBytes(12).toString('hex')}`;
  const emulator = await out.step(1, `Starting the Stripe emulator with a made-up account of ${CUSTOMERS.toLocaleString('en-US')} customers`, async () => {
    const emulator = await startEmulator({ generate: { customers: CUSTOMERS, seed: 1 }, webhook: { url: `${backendUrl}/webhooks/stripe`, secret: webhookSecret } });
    cleanups.push({ name: 'the Stripe emulator', run: () => emulator.close() });
    const account = emulator.account();
    out.detail(`Stripe API (emulated): ${emulator.url}`);
    out.detail(`account ${account.id}: ${n(account.counts.customer)} customers, ${n(account.counts.subscription)} subscriptions, ${n(account.counts.invoice)} invoices`);
    out.detail(`it will send signed webhooks to ${backendUrl}/webhooks/stripe`);
    return emulator;
  });

  // 2. Mail and the backend.
  const { smtp, services } = await out.step(2, 'Starting a local mail server and the backend (embedded PostgreSQL in a temporary folder)', async () => {
    const smtp = await startSmtp();
    cleanups.push({ name: 'the mail server', run: () => smtp.close() });
    out.detail(`mail server: ${smtp.url} (it keeps every message it receives, sends nothing on)`);

    const folder = await mkdtemp(join(tmpdir(), 'ui-demo-'));
    cleanups.push({ name: 'the demo folder', run: () => (keepFolder ? Promise.resolve() : rm(folder, { recursive: true, force: true })) });
    const dataDir = join(folder, 'data');
    logFile = join(folder, 'backend.log');
    const config = loadConfig({
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(backendPort),
      PUBLIC_URL: backendUrl,
      DATA_DIR: dataDir,
      STRIPE_API_BASE: emulator.url,
      STRIPE_AUTHORIZE_URL: `${emulator.url}/oauth/v2/authorize`,
      STRIPE_WEBHOOK_SECRETS: webhookSecret,
      // The emulator is not Stripe: no need to wait on Stripe's test-mode rate (20/s).
      STRIPE_RATE_LIMIT_TEST: '500',
      SMTP_URL: smtp.url,
      LOG_LEVEL,
    });
    const logger = pino({ level: config.LOG_LEVEL }, pino.destination({ dest: logFile, sync: true }));
    const database = await openDatabase({ kind: 'pglite', dataDir });
    cleanups.push({ name: 'the database', run: () => database.close() });
    await runMigrations(database);
    const jobs = createJobQueue(database, logger);
    const deps = { config, database, jobs, logger, stripe: createStripeFactory({ apiBase: config.STRIPE_API_BASE }) };
    const services = createServices(deps);
    await jobs.start(jobDefinitions(services));
    cleanups.push({ name: 'the job queue', run: () => jobs.stop(5_000) });
    const app = await buildApp(deps, services);
    cleanups.push({ name: 'the HTTP server', run: () => app.close() });
    await app.listen({ port: backendPort, host: config.HOST });
    out.detail(`backend: ${backendUrl}`);
    out.detail(`its data and log (backend.log) are in ${folder}, deleted when the demo stops`);
    return { smtp, services };
  });

  // 3. A workspace.
  const apiKey = await out.step(3, 'Creating a workspace (your team\'s account in User Intuition) and its API key', async () => {
    const { workspace, apiKey } = await services.workspaces.createWorkspace('Demo workspace');
    out.detail(`workspace "${workspace.name}"`);
    out.detail(`API key: ${apiKey}`);
    out.detail('every API call below sends it as "Authorization: Bearer <key>"');
    return apiKey;
  });
  const api = apiClient(backendUrl, apiKey);

  // 4. OAuth.
  const connected = await out.step(4, 'Connecting Stripe the way a browser does: to Stripe\'s authorize page and back', async () => {
    const start = await fetch(`${backendUrl}/connect/stripe/start?mode=test`, { headers: { authorization: `Bearer ${apiKey}` }, redirect: 'manual' });
    const authorizeUrl = start.headers.get('location');
    if (start.status !== 302 || !authorizeUrl) throw new DemoError(`/connect/stripe/start answered ${start.status} instead of redirecting to Stripe: ${(await start.text()).slice(0, 300)}`);
    const cookie = start.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    out.detail(`the backend sends the browser to Stripe: ${new URL(authorizeUrl).origin}${new URL(authorizeUrl).pathname}`);

    const authorize = await fetch(authorizeUrl, { redirect: 'manual' });
    const callbackUrl = authorize.headers.get('location');
    if (authorize.status !== 302 || !callbackUrl) throw new DemoError(`Stripe's authorize page answered ${authorize.status} instead of sending the browser back`);
    out.detail('you approve the app on Stripe; Stripe sends the browser back with a one-time code');

    const callback = await fetch(callbackUrl, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
    const landing = callback.headers.get('location');
    const outcome = landing ? new URL(landing).searchParams : undefined;
    if (callback.status !== 302 || outcome?.get('status') !== 'connected') {
      throw new DemoError(`the OAuth callback did not connect the account (HTTP ${callback.status}${outcome?.get('error') ? `, ${outcome.get('error')}` : ''})`);
    }
    out.detail(`the backend swapped the code for tokens: Stripe account ${outcome.get('account')} is connected`);
    const connection = await api<StripeConnection>('GET', '/api/integrations/stripe');
    out.detail(`connection status: ${connection.status ?? 'none'} (the first sync is queued as a background job)`);
    return connection;
  });

  // 5. The first sync.
  await out.step(5, 'Watching the first sync copy customers, subscriptions and invoices from Stripe', async () => {
    const totals = syncTotals(emulator.account().counts);
    const seen: string[] = connected.status ? [connected.status] : [];
    const progress = out.progress();
    const started = Date.now();
    const final = await waitFor(
      'the first sync to finish',
      async () => {
        const connection = await api<StripeConnection>('GET', '/api/integrations/stripe');
        const status = connection.status ?? 'not connected';
        if (seen.at(-1) !== status) seen.push(status);
        progress.update(status, progressOf(connection.sync_progress, totals));
        if (connection.last_error && status !== 'complete') progress.note(`the sync hit an error and will retry: ${connection.last_error}`);
        return connection;
      },
      (c) => c.status === 'complete',
      SYNC_TIMEOUT_MS,
      50,
    );
    progress.done();
    out.detail(`status went ${seen.join(' → ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    out.detail(`${final.participant_count.toLocaleString('en-US')} participants in ${final.segment_count} segments`);
    return final;
  });

  // 6. Segments.
  const segments = await out.step(6, 'Listing the segments the sync built (who pays, who trials, who left, by product)', async () => {
    const { data } = await api<{ data: Segment[] }>('GET', '/api/segments');
    // The built-in segments first, then products by size.
    const BUILT_IN = ['all', 'active', 'trialing', 'churned'];
    const rank = (s: Segment) => (BUILT_IN.includes(s.key) ? BUILT_IN.indexOf(s.key) : BUILT_IN.length);
    data.sort((a, b) => rank(a) - rank(b) || b.participant_count - a.participant_count || a.name.localeCompare(b.name));
    out.table(table(['Segment', 'Participants', 'MRR per month'], data.map((s) => [s.name, s.participant_count.toLocaleString('en-US'), mrrCell(s.mrr)]), [false, true, true]));
    return data;
  });

  // 7. A study and its invitations.
  const active = segments.find((s) => s.key === 'active');
  if (!active) throw new DemoError('the sync built no "Active subscribers" segment');
  await out.step(7, `Creating a study and inviting "${active.name}", highest MRR first`, async () => {
    const study = await api<StudyDetail>('POST', '/api/studies', { title: 'Why do customers stay?' });
    out.detail(`study "${study.title}" created`);
    const first = await api<LaunchInvitesResponse>('POST', `/api/studies/${study.id}/invites`, { segment_id: active.id, order_by: 'mrr_desc' });
    const launchLine = (r: LaunchInvitesResponse) => `${n(r.invited)} invited, ${n(r.skipped_no_email)} skipped (no email address), ${n(r.already_invited)} already invited`;
    out.detail(`first launch:  ${launchLine(first)}`);
    if (first.invited === 0) throw new DemoError('the first launch invited nobody');
    const again = await api<LaunchInvitesResponse>('POST', `/api/studies/${study.id}/invites`, { segment_id: active.id, order_by: 'mrr_desc' });
    out.detail(`second launch: ${launchLine(again)}`);
    out.detail(again.invited === 0 ? 'launching again is safe: nobody is invited twice' : 'the second launch invited people again (it should not have)');
    if (again.invited !== 0) throw new DemoError(`the second launch invited ${again.invited} people again`);
    await waitFor('the first invitation email', async () => smtp.received.length, (n) => n > 0, 30_000);
    await sleep(1_000);
    out.detail(`the mail server has received ${n(smtp.received.length)} of ${n(first.invited)} invitations so far (sent about 10 a second, in the background)`);
    const sample = smtp.received[0]!;
    out.detail(`e.g. to ${sample.to.join(', ')}: "${sample.subject}"`);
  });

  // 8. A change in Stripe arrives by webhook.
  await out.step(8, 'Changing a customer\'s email in Stripe: a signed webhook updates the participant', async () => {
    const top = await api<{ data: Participant[] }>('GET', `/api/participants?segment_id=${active.id}&sort=mrr&order=desc&limit=1`);
    const participant = top.data[0];
    if (!participant?.stripe_customer_id) throw new DemoError('found no participant linked to a Stripe customer');
    const newEmail = `new-address-${randomBytes(3).toString('hex')}@example.com`;
    out.detail(`the active subscriber paying the most: ${participant.name ?? '(no name)'}, ${participant.stripe_customer_id} in Stripe, MRR ${formatMoney(participant.mrr, participant.currency)}, email ${participant.email ?? '(none)'}`);
    const before = emulator.stats().webhooks;
    emulator.updateCustomer(participant.stripe_customer_id, { email: newEmail });
    out.detail(`in Stripe, the email becomes ${newEmail}; Stripe sends a signed customer.updated event to the backend`);
    await emulator.flushWebhooks();
    const after = emulator.stats().webhooks;
    const readParticipant = () => api<Participant>('GET', `/api/participants/${participant.id}`);
    const refused = after.failed > before.failed || after.delivered === before.delivered;
    let updated: Participant | undefined;
    if (!refused) {
      out.detail(`the backend checked the signature and accepted the event (${after.delivered - before.delivered} delivered); it applies it in the background`);
      updated = await waitFor('the participant to show the new email', readParticipant, (p) => p.email === newEmail, WEBHOOK_WAIT_MS).catch(() => undefined);
    }
    if (updated) {
      out.detail(`updated by the webhook: GET /api/participants/${updated.id} now shows ${updated.email}`);
      return;
    }
    out.detail(
      refused
        ? `the backend did not accept the webhook (${after.attempts - before.attempts} attempts failed): webhooks are not working in this build`
        : `the webhook was accepted but the participant did not change within ${WEBHOOK_WAIT_MS / 1000} s`,
    );
    out.detail(`falling back to "Sync now" for this participant: POST /api/participants/${participant.id}/sync`);
    await api<Participant>('POST', `/api/participants/${participant.id}/sync`);
    updated = await readParticipant();
    if (updated.email !== newEmail) throw new DemoError(`the participant still shows ${updated.email ?? 'no email'} after a sync, not ${newEmail}`);
    out.detail(`updated by a refresh (not by the webhook): GET /api/participants/${updated.id} now shows ${updated.email}`);
  });

  // 9. Where to go next.
  await out.step(9, 'Your turn: the service keeps running', () => {
    out.detail(`API reference:      ${backendUrl}/docs`);
    out.detail(`connection status:  ${backendUrl}/api/integrations/stripe`);
    out.detail(`  curl -H "Authorization: Bearer ${apiKey}" ${backendUrl}/api/integrations/stripe`);
    out.detail(`health:             ${backendUrl}/readyz`);
    out.detail(`Stripe emulator:    ${emulator.url}/_emulator/stats`);
    out.detail(`invitations received by the mail server so far: ${n(smtp.received.length)}`);
  });
}

/**
 * Ctrl-C reaches every process of the terminal's group, and tsx relays it again: the repeats that
 * follow at once are the same keypress. Pressing it again a while later forces the exit.
 */
let firstSignalAt: number | undefined;
function onSignal(signal: NodeJS.Signals) {
  if (firstSignalAt !== undefined) {
    if (Date.now() - firstSignalAt < 2_000) return;
    process.stderr.write('forced exit\n');
    process.exit(130);
  }
  firstSignalAt = Date.now();
  out.say(`\n${signal} received: stopping the backend, the mail server and the emulator…`);
  void stopAll().then(() => {
    out.say('stopped.');
    process.exit(0);
  });
}

main().then(
  async () => {
    if (flags.once) {
      out.ok('Demo complete (--once): stopping.');
      await stopAll();
      process.exit(0);
    }
    out.say('');
    out.say('Press Ctrl-C to stop everything (the temporary data is deleted).');
  },
  async (error: unknown) => {
    const reason = error instanceof DemoError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    out.fail(`The demo stopped: ${reason}`);
    keepFolder = Boolean(logFile);
    await stopAll();
    if (logFile) out.say(`The backend's log is in ${logFile} (the folder is kept).`);
    process.exit(1);
  },
);
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
