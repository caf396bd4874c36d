import { SYNC_QUEUE, syncQueue } from '@ui/backend/src/modules/sync/queue.js';
import type { ViewBackend } from '../../../stripe-app/src/testing/backend-contract.js';
import { generateAccount } from '../../stripe-emulator/generator.js';
import { startEmulator } from '../../stripe-emulator/index.js';
import { emulatorEnv } from '../../support/oauth-flow.js';
import { startTestApp } from '../../support/test-app.js';
import { connectionStatus, installAccount, queuedSyncs, seedPanel, signAs, updateConnection, workspaceOf } from './panel.js';

export const VIEW_SIGNING_SECRET = 'absec_view_tests';
const ACCOUNTS = 24;

const accountId = (n: number) => `acct_1View${String(n).padStart(11, '0')}`;

/**
 * The real backend, listening on a free port, for the Stripe App's view tests: the emulator is
 * Stripe, the database is fresh, and queued syncs wait (no worker) so each state stays put.
 */
export async function startViewBackend(): Promise<ViewBackend> {
  const emulator = await startEmulator({
    fixtures: { accounts: Array.from({ length: ACCOUNTS }, (_, n) => generateAccount({ customers: 1, seed: n + 1, accountId: accountId(n) })) },
  });
  const t = await startTestApp({ env: { ...emulatorEnv(emulator), STRIPE_APP_SIGNING_SECRETS: VIEW_SIGNING_SECRET }, jobs: [syncQueue()] });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let next = 0;
  let fresh = 0;
  const nextAccount = () => {
    if (next >= ACCOUNTS) throw new Error(`the view backend has only ${ACCOUNTS} accounts to install on`);
    return accountId(next++);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    secret: VIEW_SIGNING_SECRET,
    sign: (user, options = {}) => signAs(user, options.secret ?? VIEW_SIGNING_SECRET, options.timestamp),
    freshAccount: () => `acct_1Fresh${String(fresh++).padStart(10, '0')}`,
    async install({ linked }) {
      const installed = await installAccount(t, emulator, nextAccount(), linked);
      return { accountId: installed.accountId, connectionId: installed.connectionId, claimCode: installed.claimCode };
    },
    updateConnection: (connectionId, changes) => updateConnection(t.database.db, connectionId, changes),
    async seedPanel(connectionId, panel) {
      await seedPanel(t.database.db, await workspaceOf(t.database.db, connectionId), panel);
    },
    async disconnectFromUserIntuition(connectionId) {
      await t.services.connections.disconnect(connectionId, 'Disconnected from User Intuition');
    },
    connectionStatus: (connectionId) => connectionStatus(t.database.db, connectionId),
    queuedSyncs: (connectionId) => queuedSyncs(t, connectionId),
    clearQueuedSyncs: () => t.jobs.boss.deleteQueuedJobs(SYNC_QUEUE),
    async close() {
      await t.close();
      await emulator.close();
    },
  };
}
