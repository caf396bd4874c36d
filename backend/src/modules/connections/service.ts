import { createHash, randomUUID } from 'node:crypto';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { StatusMessage } from '../../db/schema/index.js';
import { AppError, conflict, notFound, unprocessable } from '../../http/app-error.js';
import { modeOfKey, type StripeFactory, type StripeMode } from '../../stripe/client.js';
import { checkApiKey, maskApiKey } from './api-key-check.js';
import type { StateSigner } from './oauth-state.js';
import type { ConnectionInsert, ConnectionRepository, ConnectionRow } from './repository.js';
import { ACCESS_TOKEN_LIFETIME_MS, type StripeOAuth, type TokenGrant } from './stripe-oauth.js';
import { generateClaimCode, CLAIM_CODE_TTL_MS } from './claim-code.js';

export interface ConnectionServiceDeps {
  repository: ConnectionRepository;
  box: SecretBox;
  states: StateSigner;
  oauth: StripeOAuth;
  stripe: StripeFactory;
  /** Queues the connection's first sync (or a re-sync after reconnecting). */
  enqueueSync(connectionId: string): Promise<void>;
  cancelSyncs(connectionId: string): Promise<void>;
}

export type OAuthOutcome =
  | { kind: 'connected'; connection: ConnectionRow }
  | { kind: 'unclaimed'; connection: ConnectionRow; claimCode: string }
  | { kind: 'reinstalled'; connection: ConnectionRow };

const hashClaimCode = (code: string) => createHash('sha256').update(code.trim().toUpperCase()).digest('hex');

/** Associated data per field: a sealed value only opens in the row and column it was written to. */
const sealContext = (connectionId: string, field: 'access' | 'refresh' | 'api_key' | 'claim') => `connection:${connectionId}:${field}`;

export function createConnectionService(deps: ConnectionServiceDeps) {
  const { repository, box } = deps;

  const oauthCredentials = (id: string, grant: TokenGrant): Partial<ConnectionInsert> => ({
    mode: 'oauth',
    accessTokenSealed: box.encrypt(grant.accessToken, sealContext(id, 'access')),
    refreshTokenSealed: box.encrypt(grant.refreshToken, sealContext(id, 'refresh')),
    accessTokenExpiresAt: new Date(Date.now() + ACCESS_TOKEN_LIFETIME_MS),
    apiKeySealed: null,
    apiKeyHint: null,
  });

  const fresh = (): Partial<ConnectionInsert> => ({
    status: 'pending',
    lastError: null,
    syncProgress: {},
    connectedAt: new Date(),
    disconnectedAt: null,
  });

  /**
   * Links an account to a workspace. A workspace keeps one account at a time and an account
   * belongs to one workspace; the same pair reconnecting reuses its row (and its participants).
   */
  async function attach(
    workspaceId: string,
    account: { stripeAccountId: string; livemode: boolean },
    credentials: (id: string) => Partial<ConnectionInsert>,
    statusMessages: StatusMessage[] = [],
  ): Promise<ConnectionRow> {
    const current = await repository.findActiveForWorkspace(workspaceId);
    if (current && (current.stripeAccountId !== account.stripeAccountId || current.livemode !== account.livemode)) {
      throw conflict('stripe_account_conflict', `disconnect the current Stripe account first (${current.stripeAccountId} is connected)`);
    }
    const holder = await repository.findActiveForAccount(account.stripeAccountId, account.livemode);
    if (holder && holder.workspaceId && holder.workspaceId !== workspaceId) {
      throw conflict('stripe_account_taken', `Stripe account ${account.stripeAccountId} is connected to another workspace`);
    }
    const existing = current ?? holder ?? (await repository.findDisconnected(workspaceId, account.stripeAccountId, account.livemode));
    const changes = { ...fresh(), workspaceId, claimCodeHash: null, claimCodeSealed: null, claimExpiresAt: null, statusMessages };
    const connection = existing
      ? await repository.update(existing.id, { ...changes, ...credentials(existing.id) })
      : await insertWithId((id) => ({ ...changes, ...account, ...credentials(id) }) as ConnectionInsert);
    await deps.enqueueSync(connection.id);
    return connection;
  }

  async function insertWithId(build: (id: string) => ConnectionInsert): Promise<ConnectionRow> {
    const id = randomUUID();
    return repository.insert({ ...build(id), id });
  }

  return {
    /** A signed, single-use state for an authorize redirect started by this workspace. */
    async startOAuth(workspaceId: string, mode: StripeMode): Promise<string> {
      if (!deps.oauth.clientId(mode)) throw unprocessable('stripe_mode_unavailable', `Stripe ${mode} mode is not configured on this service`);
      const { state, nonce, expiresAt } = await deps.states.sign(workspaceId, mode);
      await repository.insertState({ nonce, workspaceId, livemode: mode === 'live', expiresAt });
      return state;
    },

    /**
     * The OAuth callback. With our state (integrations page): verify it, bind it to the browser's
     * cookie, spend it, then exchange the code. Without a state (Dashboard/Marketplace install):
     * exchange the code and park the connection until a workspace claims it.
     */
    async completeOAuth(input: { code: string; state?: string; stateCookie?: string }): Promise<OAuthOutcome> {
      if (input.state !== undefined) {
        const state = await deps.states.verify(input.state);
        if (input.stateCookie !== input.state) {
          throw new AppError(400, 'oauth_state_mismatch', 'this connection was started in another browser or the sign-in cookie is missing; start again from User Intuition');
        }
        if (!(await repository.consumeState(state.nonce))) {
          throw new AppError(400, 'oauth_state_used', 'this connection link was already used; start again from User Intuition');
        }
        const grant = await deps.oauth.exchangeCode(state.mode, input.code);
        const connection = await attach(state.workspaceId, grant, (id) => oauthCredentials(id, grant));
        return { kind: 'connected', connection };
      }
      const grant = await deps.oauth.exchangeInstallCode(input.code);
      const holder = await repository.findActiveForAccount(grant.stripeAccountId, grant.livemode);
      if (holder?.workspaceId) {
        const connection = await repository.update(holder.id, { ...oauthCredentials(holder.id, grant), status: holder.status === 'needs_reauth' ? 'pending' : holder.status });
        return { kind: 'reinstalled', connection };
      }
      const claimCode = generateClaimCode();
      const parked = (id: string) => ({
        claimCodeHash: hashClaimCode(claimCode),
        claimCodeSealed: box.encrypt(claimCode, sealContext(id, 'claim')),
        claimExpiresAt: new Date(Date.now() + CLAIM_CODE_TTL_MS),
      });
      const connection = holder
        ? await repository.update(holder.id, { ...oauthCredentials(holder.id, grant), ...parked(holder.id) })
        : await insertWithId((id) => ({
            stripeAccountId: grant.stripeAccountId,
            livemode: grant.livemode,
            mode: 'oauth',
            ...fresh(),
            ...oauthCredentials(id, grant),
            ...parked(id),
          }) as ConnectionInsert);
      return { kind: 'unclaimed', connection, claimCode };
    },

    async claim(workspaceId: string, claimCode: string): Promise<ConnectionRow> {
      const parked = await repository.findUnclaimedByClaimCode(hashClaimCode(claimCode));
      if (!parked) throw notFound('claim code (it may have expired after 1 hour or been used already)');
      return attach(workspaceId, parked, () => ({}));
    },

    async saveApiKey(workspaceId: string, apiKey: string | undefined): Promise<ConnectionRow> {
      if (apiKey === undefined) {
        const current = await repository.findActiveForWorkspace(workspaceId);
        if (current?.mode === 'api_key') return current;
        throw unprocessable('validation_failed', 'api_key is required: no key is stored yet', [{ field: 'body.api_key', message: 'required' }]);
      }
      const check = await checkApiKey(deps.stripe.forKey(apiKey), modeOfKey(apiKey) === 'live');
      return attach(
        workspaceId,
        check,
        (id) => ({
          mode: 'api_key',
          apiKeySealed: box.encrypt(apiKey, sealContext(id, 'api_key')),
          apiKeyHint: maskApiKey(apiKey),
          accessTokenSealed: null,
          refreshTokenSealed: null,
          accessTokenExpiresAt: null,
        }),
        check.statusMessages,
      );
    },

    findForWorkspace: (workspaceId: string) => repository.findLatestForWorkspace(workspaceId),

    /** What the Stripe App shows for an account: its connection and, while unclaimed, the claim code. */
    async findForAccount(stripeAccountId: string): Promise<{ connection: ConnectionRow; claimCode: string | null } | undefined> {
      const connection = await repository.findActiveForStripeAccount(stripeAccountId);
      if (!connection) return undefined;
      const claimable = !connection.workspaceId && connection.claimCodeSealed && connection.claimExpiresAt && connection.claimExpiresAt > new Date();
      return { connection, claimCode: claimable ? box.decrypt(connection.claimCodeSealed!, sealContext(connection.id, 'claim')) : null };
    },

    /**
     * The one disconnect path (API and the deauthorization webhook): credentials are wiped and
     * the row is kept, so participants and segments stay and a reconnect finds them.
     */
    async disconnect(connectionId: string, reason: string): Promise<ConnectionRow> {
      const row = await repository.update(connectionId, {
        status: 'disconnected',
        accessTokenSealed: null,
        refreshTokenSealed: null,
        accessTokenExpiresAt: null,
        apiKeySealed: null,
        claimCodeHash: null,
        claimCodeSealed: null,
        claimExpiresAt: null,
        disconnectedAt: new Date(),
        statusMessages: [{ code: 'disconnected', message: reason }],
      });
      await deps.cancelSyncs(connectionId);
      return row;
    },

    sealContext,
  };
}

export type ConnectionService = ReturnType<typeof createConnectionService>;
