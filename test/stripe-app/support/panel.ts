import { eq } from 'drizzle-orm';
import Stripe from 'stripe';
import type { Db } from '@ui/backend/src/db/database.js';
import { connections, participants, segmentMembers, segments, type ConnectionStatus } from '@ui/backend/src/db/schema/index.js';
import { SYNC_QUEUE } from '@ui/backend/src/modules/sync/queue.js';
import type { ConnectionChanges, SeedParticipant, SeedSegment, SignedUser } from '../../../stripe-app/src/testing/backend-contract.js';
import type { Emulator } from '../../stripe-emulator/index.js';
import { connectWithOAuth, followCallback, installFromDashboard } from '../../support/oauth-flow.js';
import type { TestApp } from '../../support/test-app.js';

/** What Stripe's host puts in `Stripe-Signature` for a view's call: a signature over `{user_id, account_id}`. */
export const signAs = (user: SignedUser, secret: string, timestamp?: number) =>
  Stripe.webhooks.generateTestHeaderString({ payload: JSON.stringify({ user_id: user.user_id, account_id: user.account_id }), secret, timestamp });

const date = (value: string | null | undefined) => (value ? new Date(value) : null);

/** Installs the app on `accountId`: linked to a new workspace through OAuth, or parked from the Dashboard. */
export async function installAccount(t: TestApp, emulator: Emulator, accountId: string, linked: boolean) {
  emulator.setOAuth({ accountId, deny: false });
  let claimCode: string | null = null;
  let workspaceId: string | null = null;
  if (linked) {
    const workspace = await t.createWorkspace(`Workspace of ${accountId}`);
    workspaceId = workspace.id;
    await connectWithOAuth(t, workspace.auth);
  } else {
    const install = await installFromDashboard(t, emulator);
    const page = await followCallback(t, install.callbackPath).expect(200);
    claimCode = /<code>([A-Z0-9-]+)<\/code>/.exec(page.text)![1]!;
  }
  const found = await t.services.connections.findForAccount(accountId);
  if (!found) throw new Error(`installing on ${accountId} left no connection`);
  return { accountId, connectionId: found.connection.id, workspaceId, claimCode };
}

export async function updateConnection(db: Db, connectionId: string, changes: ConnectionChanges) {
  const { expireClaimCode, lastSyncStartedAt, lastSyncFinishedAt, status, ...rest } = changes;
  await db
    .update(connections)
    .set({
      ...rest,
      ...(status ? { status: status as ConnectionStatus } : {}),
      ...(lastSyncStartedAt !== undefined ? { lastSyncStartedAt: date(lastSyncStartedAt) } : {}),
      ...(lastSyncFinishedAt !== undefined ? { lastSyncFinishedAt: date(lastSyncFinishedAt) } : {}),
      ...(expireClaimCode ? { claimExpiresAt: new Date(Date.now() - 1000) } : {}),
    })
    .where(eq(connections.id, connectionId));
}

/** Writes participants and segments as the sync would leave them. */
export async function seedPanel(db: Db, workspaceId: string, panel: { segments?: SeedSegment[]; participants?: SeedParticipant[] }) {
  const segmentIds = new Map<string, string>();
  for (const s of panel.segments ?? []) {
    const [row] = await db
      .insert(segments)
      .values({ workspaceId, key: s.key, name: s.name, participantCount: s.participantCount, mrrByCurrency: s.mrrByCurrency })
      .returning({ id: segments.id });
    segmentIds.set(s.key, row!.id);
  }
  const participantIds = new Map<string, string>();
  for (const p of panel.participants ?? []) {
    const [row] = await db
      .insert(participants)
      .values({
        workspaceId,
        source: 'stripe',
        stripeCustomerId: p.customerId,
        name: p.name ?? null,
        email: p.email ?? null,
        currency: p.currency ?? null,
        mrr: p.mrr ?? 0,
        ltv: p.ltv ?? 0,
        plan: p.plan ?? null,
        status: p.status ?? 'none',
        signupAt: date(p.signupAt),
        lastSyncedAt: date(p.lastSyncedAt),
        lastSyncError: p.lastSyncError ?? null,
        deletedInStripe: p.deletedInStripe ?? false,
      })
      .returning({ id: participants.id });
    participantIds.set(p.customerId, row!.id);
    for (const key of p.segments ?? []) {
      const segmentId = segmentIds.get(key);
      if (!segmentId) throw new Error(`seed a segment "${key}" before its members`);
      await db.insert(segmentMembers).values({ segmentId, participantId: row!.id });
    }
  }
  return { segmentIds, participantIds };
}

export async function workspaceOf(db: Db, connectionId: string): Promise<string> {
  const [row] = await db.select({ workspaceId: connections.workspaceId }).from(connections).where(eq(connections.id, connectionId));
  if (!row?.workspaceId) throw new Error(`connection ${connectionId} is not linked to a workspace`);
  return row.workspaceId;
}

export async function connectionStatus(db: Db, connectionId: string): Promise<ConnectionStatus> {
  const [row] = await db.select({ status: connections.status }).from(connections).where(eq(connections.id, connectionId));
  return row!.status;
}

export async function queuedSyncs(t: TestApp, connectionId: string): Promise<number> {
  return (await t.jobs.boss.findJobs(SYNC_QUEUE, { key: connectionId, queued: true })).length;
}
