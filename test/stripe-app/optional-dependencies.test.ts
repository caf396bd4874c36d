import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripeAppRepository } from '@ui/backend/src/modules/stripe-app/repository.js';
import { createStripeAppService } from '@ui/backend/src/modules/stripe-app/service.js';
import { enqueueSync, SYNC_QUEUE, syncQueue } from '@ui/backend/src/modules/sync/queue.js';
import { generateAccount } from '../stripe-emulator/generator.js';
import { startEmulator, type Emulator } from '../stripe-emulator/index.js';
import { emulatorEnv } from '../support/oauth-flow.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { installAccount, queuedSyncs, seedPanel } from './support/panel.js';

const ACCT = 'acct_1OptionalAAAAAAA';

let emulator: Emulator;
let t: TestApp;
let installed: Awaited<ReturnType<typeof installAccount>>;
let participantId: string;

beforeAll(async () => {
  emulator = await startEmulator({ fixtures: { accounts: [generateAccount({ customers: 1, seed: 77, accountId: ACCT })] } });
  t = await startTestApp({ env: emulatorEnv(emulator), jobs: [syncQueue()] });
  installed = await installAccount(t, emulator, ACCT, true);
  const seeded = await seedPanel(t.database.db, installed.workspaceId!, { participants: [{ customerId: 'cus_Invited', name: 'Ivy' }] });
  participantId = seeded.participantIds.get('cus_Invited')!;
});
afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

const serviceWith = (extra: Partial<Parameters<typeof createStripeAppService>[0]>) =>
  createStripeAppService({
    connections: t.services.connections,
    panelCounts: t.services.panelCounts,
    repository: createStripeAppRepository(t.database.db),
    enqueueSync: enqueueSync(t.jobs),
    ...extra,
  });

describe('the dependencies other modules provide when they exist', () => {
  it('without a studies module a participant has no invites; with one, its invites for this workspace and participant', async () => {
    expect((await serviceWith({}).customer(ACCT, 'cus_Invited')).invites).toEqual([]);

    const asked: [string, string][] = [];
    const service = serviceWith({
      async invitesForParticipant(workspaceId, id) {
        asked.push([workspaceId, id]);
        return [{ study_name: 'Onboarding interviews', status: 'sent', updated_at: '2026-11-20T10:00:00.000Z' }];
      },
    });
    const customer = await service.customer(ACCT, 'cus_Invited');
    expect(customer.invites).toEqual([{ study_name: 'Onboarding interviews', status: 'sent', updated_at: '2026-11-20T10:00:00.000Z' }]);
    expect(asked).toEqual([[installed.workspaceId, participantId]]);

    // A customer who is not a participant has no invites to ask for.
    expect((await service.customer(ACCT, 'cus_Unknown')).invites).toEqual([]);
    expect(asked).toHaveLength(1);
  });

  it('with a per-customer sync, "Sync from Stripe" syncs that customer instead of the whole account', async () => {
    await t.jobs.boss.deleteQueuedJobs(SYNC_QUEUE);
    const synced: [string, string][] = [];
    const result = await serviceWith({ syncCustomer: async (connectionId, customerId) => void synced.push([connectionId, customerId]) }).syncCustomer(ACCT, 'cus_Invited');
    expect(result.scope).toBe('customer');
    expect(synced).toEqual([[installed.connectionId, 'cus_Invited']]);
    expect(await queuedSyncs(t, installed.connectionId)).toBe(0);
  });
});
