import type { AppConnectionResponse, AppCustomerResponse, AppInvite, AppParticipant, AppSegmentsResponse, AppSyncResponse } from '@ui/shared';
import { AppError } from '../../http/app-error.js';
import { toConnectionDto } from '../connections/routes.js';
import type { ConnectionRow } from '../connections/repository.js';
import type { ConnectionService } from '../connections/service.js';
import type { PanelCounts } from '../participants/panel-counts.js';
import type { ParticipantRow, StripeAppRepository } from './repository.js';

export interface StripeAppServiceDeps {
  connections: Pick<ConnectionService, 'findForAccount' | 'disconnect'>;
  panelCounts(workspaceId: string): Promise<PanelCounts>;
  repository: StripeAppRepository;
  /** Queues the connection's sync (one at a time per connection). */
  enqueueSync(connectionId: string): Promise<void>;
  /** Syncs one customer, when the sync module offers it; without it the account's sync is queued. */
  syncCustomer?(connectionId: string, stripeCustomerId: string): Promise<void>;
  /** The participant's invites, when the studies module offers them; without it there are none. */
  invitesForParticipant?(workspaceId: string, participantId: string): Promise<AppInvite[]>;
}

const NO_COUNTS: PanelCounts = { participants: 0, segments: 0 };
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The Stripe App never needs the masked key: it shows the connection as the merchant knows it. */
const appConnection = (row: ConnectionRow, counts: PanelCounts) => ({ ...toConnectionDto(row, counts), api_key: null });

export const toParticipantDto = (row: ParticipantRow): AppParticipant => ({
  id: row.id,
  name: row.name,
  email: row.email,
  currency: row.currency,
  mrr: row.mrr,
  ltv: row.ltv,
  plan: row.plan,
  plan_products: row.planProducts,
  status: row.status,
  signup_at: iso(row.signupAt),
  deleted_in_stripe: row.deletedInStripe,
  last_synced_at: iso(row.lastSyncedAt),
  last_sync_error: row.lastSyncError,
});

/**
 * What the Dashboard views may see and do for a Stripe account whose request signature was
 * verified: the account is mapped to its own connection and workspace, never to another's.
 */
export function createStripeAppService(deps: StripeAppServiceDeps) {
  async function installed(accountId: string) {
    const found = await deps.connections.findForAccount(accountId);
    if (!found) throw new AppError(404, 'not_installed', 'User Intuition is not connected to this Stripe account');
    return found.connection;
  }

  async function linked(accountId: string): Promise<{ connection: ConnectionRow; workspaceId: string }> {
    const row = await installed(accountId);
    if (!row.workspaceId) {
      throw new AppError(409, 'not_linked', 'this Stripe account is not linked to a User Intuition workspace yet: enter the claim code in User Intuition');
    }
    return { connection: row, workspaceId: row.workspaceId };
  }

  function assertCanSync(row: ConnectionRow) {
    if (row.status === 'needs_reauth') {
      throw new AppError(409, 'needs_reauth', 'User Intuition lost access to this Stripe account: reconnect it from User Intuition first');
    }
  }

  const requested = (scope: AppSyncResponse['scope']): AppSyncResponse => ({ scope, requested_at: new Date().toISOString() });

  async function connection(accountId: string): Promise<AppConnectionResponse> {
    const found = await deps.connections.findForAccount(accountId);
    if (found) {
      const workspaceId = found.connection.workspaceId;
      const counts = workspaceId ? await deps.panelCounts(workspaceId) : NO_COUNTS;
      return { installed: true, linked: Boolean(workspaceId), claim_code: found.claimCode, connection: appConnection(found.connection, counts) };
    }
    // A disconnected link shows its status and reason only: its workspace may hold other data now.
    const last = await deps.repository.lastDisconnected(accountId);
    return { installed: false, linked: false, claim_code: null, connection: last ? appConnection(last, NO_COUNTS) : null };
  }

  return {
    connection,

    async segments(accountId: string): Promise<AppSegmentsResponse> {
      const { workspaceId } = await linked(accountId);
      const rows = await deps.repository.segments(workspaceId);
      return {
        segments: rows.map((s) => ({ key: s.key, name: s.name, participant_count: s.participantCount, mrr_by_currency: s.mrrByCurrency })),
      };
    },

    async requestSync(accountId: string): Promise<AppSyncResponse> {
      const { connection: row } = await linked(accountId);
      assertCanSync(row);
      await deps.enqueueSync(row.id);
      return requested('account');
    },

    async disconnect(accountId: string): Promise<AppConnectionResponse> {
      const current = await installed(accountId);
      await deps.connections.disconnect(current.id, 'Disconnected from the Stripe Dashboard');
      return connection(accountId);
    },

    async customer(accountId: string, stripeCustomerId: string): Promise<AppCustomerResponse> {
      const { workspaceId } = await linked(accountId);
      const participant = await deps.repository.participantForCustomer(workspaceId, stripeCustomerId);
      if (!participant) return { customer_id: stripeCustomerId, participant: null, segments: [], invites: [] };
      const [segments, invites] = await Promise.all([
        deps.repository.segmentsOfParticipant(workspaceId, participant.id),
        deps.invitesForParticipant ? deps.invitesForParticipant(workspaceId, participant.id) : Promise.resolve([]),
      ]);
      return { customer_id: stripeCustomerId, participant: toParticipantDto(participant), segments, invites };
    },

    async syncCustomer(accountId: string, stripeCustomerId: string): Promise<AppSyncResponse> {
      const { connection: row } = await linked(accountId);
      assertCanSync(row);
      if (deps.syncCustomer) {
        await deps.syncCustomer(row.id, stripeCustomerId);
        return requested('customer');
      }
      await deps.enqueueSync(row.id);
      return requested('account');
    },
  };
}

export type StripeAppService = ReturnType<typeof createStripeAppService>;
