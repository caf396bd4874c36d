import { sql } from 'drizzle-orm';
import Stripe from 'stripe';
import { participantSyncQueue, PARTICIPANT_SYNC_QUEUE, type ParticipantSyncJob } from '@ui/backend/src/modules/participants/sync-queue.js';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { emulatorEnv } from '../support/oauth-flow.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

export interface Connected {
  emulator: Emulator;
  t: TestApp;
  ws: Awaited<ReturnType<TestApp['createWorkspace']>>;
  stripe: Stripe;
  /** A recurring monthly USD price with a unit amount. */
  monthlyPrice(): Promise<Stripe.Price>;
}

/** The app (workers off) with a workspace connected to an emulated Stripe account, backfilled. */
export async function startConnected(customers = 10, seed = 21): Promise<Connected> {
  const emulator = await startEmulator({ generate: { customers, seed } });
  const t = await startTestApp({ env: emulatorEnv(emulator), work: false });
  const key = emulator.accounts()[0]!.api_keys.find((k) => k.key.startsWith('sk_'))!.key;
  const stripe = new Stripe(key, { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
  const ws = await t.createWorkspace('Linking');
  const put = await t.http.put('/api/integrations/stripe/key').set('authorization', ws.auth).send({ api_key: key });
  if (put.status !== 200) throw new Error(`connect failed: ${JSON.stringify(put.body)}`);
  const [connection] = await t.database.rows<{ id: string }>(sql`select id from connections where workspace_id = ${ws.id}`);
  await t.services.backfill(connection!.id);
  return {
    emulator,
    t,
    ws,
    stripe,
    async monthlyPrice() {
      const prices = await stripe.prices.list({ limit: 100 });
      return prices.data.find((p) => p.currency === 'usd' && p.recurring?.interval === 'month' && p.recurring.interval_count === 1 && p.recurring.usage_type === 'licensed' && p.billing_scheme === 'per_unit' && p.unit_amount)!;
    },
  };
}

/** Runs the queued background participant syncs through the queue's own handler; returns their participant ids. */
export async function drainParticipantSyncs(t: TestApp): Promise<string[]> {
  const handled: string[] = [];
  const definition = participantSyncQueue(t.services);
  for (;;) {
    const jobs = await t.jobs.boss.fetch<ParticipantSyncJob>(PARTICIPANT_SYNC_QUEUE, { batchSize: 50 });
    if (jobs.length === 0) return handled;
    for (const job of jobs) {
      await definition.handle!(job);
      await t.jobs.boss.complete(PARTICIPANT_SYNC_QUEUE, job.id);
      handled.push(job.data.participantId);
    }
  }
}

/** How many times Stripe was asked for one customer (any customer: the emulator counts per route). */
export const customerRetrievals = (emulator: Emulator) =>
  Object.entries(emulator.stats().requests)
    .filter(([endpoint]) => /^GET \/v1\/customers\/:\w+$/.test(endpoint))
    .reduce((n, [, count]) => n + count, 0);
