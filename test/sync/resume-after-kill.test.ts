/**
 * A first sync survives the death of its process: the service runs as a real child process, is
 * killed with SIGKILL in the middle of the backfill, and is started again on the same database.
 * pg-boss sees the dead job's heartbeat stop and retries it; the run resumes from its checkpoints
 * and ends with exactly the emulator's objects, no duplicates, and about the minimum of requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { emulatorEnv } from '../support/oauth-flow.js';
import { requestRecorder } from '../support/request-log.js';
import { freePort, runScript, type RunningProcess } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { buildVectorCopies, NOW } from './vector-copies.js';

/**
 * About 860 customers and 5,300 invoices, every one with hand-written figures: the vectors copied
 * 24 times, each copy with a customer of 200 paid invoices, so the sync is killed well into a long list.
 */
const fixture = buildVectorCopies({ copies: 24, longHistoryInvoices: 200, layout: { kind: 'spread' } });
const LATENCY_MS = 60;
const LIST_TYPES = ['customers', 'subscriptions', 'invoices', 'credit_notes', 'products', 'prices', 'coupons'] as const;
const COUNT_KEYS: Record<(typeof LIST_TYPES)[number], string> = {
  customers: 'customer',
  subscriptions: 'subscription',
  invoices: 'invoice',
  credit_notes: 'credit_note',
  products: 'product',
  prices: 'price',
  coupons: 'coupon',
};

let emulator: Emulator;
let recorder: ReturnType<typeof requestRecorder>;
let dataDir: string;
let testDatabase: TestDatabase;
let env: Record<string, string>;
const running: RunningProcess[] = [];

beforeAll(async () => {
  recorder = requestRecorder();
  emulator = await startEmulator({ fixtures: { accounts: [fixture.account] }, now: NOW, latencyMs: LATENCY_MS, logger: recorder.logger });
  dataDir = mkdtempSync(join(tmpdir(), 'ui-resume-'));
  testDatabase = await createTestDatabase({ dataDir });
  const database: Record<string, string> = testDatabase.target.kind === 'postgres' ? { DATABASE_URL: testDatabase.target.url } : { DATA_DIR: dataDir };
  env = { ...database, ...emulatorEnv(emulator), LOG_LEVEL: 'info' };
});
afterAll(async () => {
  for (const service of running) {
    if (service.child.exitCode === null && service.child.signalCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
  }
  await emulator?.close();
  await testDatabase?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function startService(): Promise<{ process: RunningProcess; url: string }> {
  const port = await freePort();
  const service = runScript('backend/src/server.ts', [], { ...env, PORT: String(port) });
  running.push(service);
  await service.waitForOutput(/Server listening/, 30_000);
  return { process: service, url: `http://127.0.0.1:${port}` };
}

async function api(base: string, apiKey: string, path: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...init.headers } });
  const body = await res.json();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function pollStatus(base: string, apiKey: string, until: (status: any) => boolean, timeoutMs: number, intervalMs: number): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let status: any;
  while (Date.now() < deadline) {
    status = await api(base, apiKey, '/api/integrations/stripe');
    if (until(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out; last status: ${JSON.stringify(status)}`);
}

const listPath = (url: string) => url.split('?')[0]!.replace(/^\/v1\//, '');
const isBackfillList = (url: string) => (LIST_TYPES as readonly string[]).includes(listPath(url)) && /[?&]limit=100(&|$)/.test(url);

describe('a first sync killed with SIGKILL', () => {
  it('resumes in a restarted process and ends with exactly the right rows and about the minimum of requests', { timeout: 180_000 }, async ({ annotate }) => {
    const started = Date.now();
    const counts = emulator.accounts()[0]!.counts;
    const secretKey = fixture.secretKey;

    // PGlite allows one process per folder: the CLI runs before the service.
    const cli = runScript('backend/src/cli.ts', ['workspace:create', 'Resume'], env);
    expect(await cli.exited, cli.output()).toBe(0);
    const apiKey: string = JSON.parse(cli.output()).api_key;
    const cliMs = Date.now() - started;

    const first = await startService();
    const connectedAt = Date.now();
    await api(first.url, apiKey, '/api/integrations/stripe/key', { method: 'PUT', body: JSON.stringify({ api_key: secretKey }) });
    // Past the catalog step and well into the invoices (read from the start, beside the catalog: their ranges planned and partly read), yet not done.
    const atKill = await pollStatus(first.url, apiKey, (s) => s.status === 'complete' || (s.status === 'segments_synced' && (s.sync_progress.invoice ?? 0) >= counts.invoice! / 4), 60_000, 10);
    first.process.child.kill('SIGKILL');
    await first.process.exited;
    const killedAt = Date.now();
    const untilKillMs = killedAt - connectedAt;
    // Killed in the second step: the catalog and subscriptions were read and checkpointed.
    expect(atKill.status, 'the sync was not in its customers/invoices step when killed').toBe('segments_synced');
    expect(atKill.sync_progress.invoice).toBeLessThan(counts.invoice!);
    expect(first.process.output()).toMatch(/"resumed":false[^\n]*"msg":"starting /);
    const requestsBeforeKill = recorder.answered.length;

    const second = await startService();
    const done = await pollStatus(second.url, apiKey, (s) => s.status === 'complete', 120_000, 250);
    const resumedAfterMs = Date.now() - killedAt;
    expect(second.process.output()).toMatch(/"resumed":true[^\n]*"msg":"resuming /);
    expect(done.last_error).toBeNull();
    expect(done.status_messages).toEqual([]);

    // Counts: exactly what the emulator holds, every type.
    for (const type of LIST_TYPES) expect(done.sync_progress[COUNT_KEYS[type]], `${type} in sync_progress`).toBe(counts[COUNT_KEYS[type]]);
    expect(done.participant_count).toBe(counts.customer);

    // Participants through the API: one per customer, none twice.
    const participants: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api(second.url, apiKey, `/api/participants?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      participants.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor);
    expect(participants).toHaveLength(counts.customer!);
    expect(new Set(participants.map((p) => p.stripe_customer_id)).size).toBe(counts.customer);
    expect(participants.every((p) => p.last_synced_at !== null)).toBe(true);

    // Requests: each backfill page at most twice (those in flight at the kill), the total close to
    // the minimum ⌈n/100⌉ per type (+5% for the partial pages that ranges end with).
    const lists = recorder.answered.filter((r) => isBackfillList(r.url));
    expect(lists.every((r) => r.status === 200)).toBe(true);
    const perUrl = new Map<string, number>();
    for (const { url } of lists) perUrl.set(url, (perUrl.get(url) ?? 0) + 1);
    const twice = [...perUrl].filter(([, n]) => n > 1);
    expect(Math.max(...perUrl.values())).toBeLessThanOrEqual(2);
    const minimum = LIST_TYPES.reduce((n, type) => n + Math.max(1, Math.ceil(counts[COUNT_KEYS[type]]! / 100)), 0);
    expect(perUrl.size).toBeLessThanOrEqual(Math.ceil(minimum * 1.05));
    expect(lists.length).toBeLessThanOrEqual(Math.ceil(minimum * 1.05) + twice.length);
    expect(twice.length).toBeLessThanOrEqual(16);
    // What was checkpointed before the kill is not read again: the catalog step was over.
    const catalogTwice = twice.filter(([url]) => ['products', 'prices', 'coupons', 'subscriptions'].includes(listPath(url)));
    expect(catalogTwice).toEqual([]);
    // Nested item lists (subscriptions with more than 10 items) are fetched in the catalog step only.
    const items = recorder.answered.filter((r) => listPath(r.url) === 'subscription_items');
    expect(new Set(items.map((r) => r.url)).size).toBe(items.length);
    const ranged = new Set(lists.filter((r) => r.url.includes('created')).map((r) => listPath(r.url)));

    // Every participant's figures as the vectors write them down: nothing half-read survived the kill.
    const figures = (id: string, p: { mrr: number; ltv: number; status: string; plan: string | null }) => ({ id, mrr: p.mrr, ltv: p.ltv, status: p.status, plan: p.plan });
    expect(participants.map((p) => figures(p.stripe_customer_id, p))).toEqual(participants.map((p) => figures(p.stripe_customer_id, fixture.expected.get(p.stripe_customer_id)!)));

    // Stop the service so that PGlite's folder can be opened here, then read the run itself.
    second.process.child.kill('SIGTERM');
    expect(await second.process.exited).toBe(0);
    const database = await testDatabase.open();
    try {
      const runs = await database.rows<{ kind: string; status: string; started_at: string; finished_at: string | null; error: string | null; counts: Record<string, number> }>(
        sql`select kind, status, started_at, finished_at, error, counts from sync_runs order by started_at`,
      );
      expect(runs).toHaveLength(1);
      const [run] = runs;
      expect(run).toMatchObject({ kind: 'backfill', status: 'succeeded', error: null });
      // Started by the killed process, finished by the restarted one: one run, resumed.
      expect(new Date(run!.started_at).getTime()).toBeLessThan(killedAt);
      expect(new Date(run!.finished_at!).getTime()).toBeGreaterThan(killedAt);
      expect(run!.counts).toMatchObject(Object.fromEntries(LIST_TYPES.map((type) => [COUNT_KEYS[type], counts[COUNT_KEYS[type]]])));
      const [participantRows] = await database.rows<{ total: number; customers: number }>(
        sql`select count(*)::int as total, count(distinct stripe_customer_id)::int as customers from participants`,
      );
      expect(participantRows).toEqual({ total: counts.customer, customers: counts.customer });
      const [objects] = await database.rows<{ total: number }>(sql`select count(*)::int as total from stripe_objects`);
      expect(objects!.total).toBe(LIST_TYPES.reduce((n, type) => n + counts[COUNT_KEYS[type]]!, 0));
    } finally {
      await database.close();
    }

    // The figures behind the assertions (shown by `--reporter=verbose`).
    await annotate(
      JSON.stringify({
        counts,
        killedAt: atKill.sync_progress,
        listRequests: lists.length,
        distinctPages: perUrl.size,
        pagesFetchedTwice: twice.length,
        minimum,
        rangedTypes: [...ranged],
        requestsBeforeKill,
        cliMs,
        untilKillMs,
        resumedAfterMs,
        totalMs: Date.now() - started,
      }),
    );
  });
});
