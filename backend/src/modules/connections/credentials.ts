import type Stripe from 'stripe';
import type { SecretBox } from '../../crypto/secret-box.js';
import { AppError } from '../../http/app-error.js';
import type { StripeFactory } from '../../stripe/client.js';
import type { ConnectionRepository, ConnectionRow } from './repository.js';
import { ACCESS_TOKEN_LIFETIME_MS, isInvalidGrant, type StripeOAuth } from './stripe-oauth.js';

/** Refresh when less than this is left of the hour, so a long request never carries a dying token. */
export const REFRESH_MARGIN_MS = 10 * 60 * 1000;

export class ConnectionUnusableError extends AppError {
  constructor(message: string) {
    super(409, 'connection_unusable', message);
  }
}

type SealContext = (id: string, field: 'access' | 'refresh' | 'api_key' | 'claim') => string;

/**
 * Hands out a Stripe client for a connection, refreshing its OAuth token when due. Refresh tokens
 * rotate, so the refresh happens under the connection's row lock and the new pair is stored in
 * the same transaction before the token is used; a concurrent caller waits, then reuses it.
 */
export function createConnectionCredentials(deps: {
  repository: ConnectionRepository;
  box: SecretBox;
  oauth: StripeOAuth;
  stripe: StripeFactory;
  sealContext: SealContext;
}) {
  const { repository, box, sealContext } = deps;
  const isFresh = (row: ConnectionRow) =>
    row.accessTokenSealed !== null && row.accessTokenExpiresAt !== null && row.accessTokenExpiresAt.getTime() - Date.now() > REFRESH_MARGIN_MS;

  async function accessToken(connectionId: string): Promise<string> {
    // The lock's transaction must commit a needs_reauth verdict, so it returns it rather than throwing.
    const outcome = await repository.withLockedConnection(connectionId, async (row, save): Promise<{ token: string } | { unusable: string }> => {
      if (row.status === 'disconnected' || row.status === 'needs_reauth') return { unusable: `the Stripe connection is ${row.status.replace('_', ' ')}` };
      if (isFresh(row)) return { token: box.decrypt(row.accessTokenSealed!, sealContext(row.id, 'access')) };
      if (!row.refreshTokenSealed) return { unusable: 'the Stripe connection has no refresh token' };
      const refreshToken = box.decrypt(row.refreshTokenSealed, sealContext(row.id, 'refresh'));
      try {
        const grant = await deps.oauth.refresh(row.livemode ? 'live' : 'test', refreshToken);
        await save({
          accessTokenSealed: box.encrypt(grant.accessToken, sealContext(row.id, 'access')),
          refreshTokenSealed: box.encrypt(grant.refreshToken, sealContext(row.id, 'refresh')),
          accessTokenExpiresAt: new Date(Date.now() + ACCESS_TOKEN_LIFETIME_MS),
        });
        return { token: grant.accessToken };
      } catch (error) {
        if (!isInvalidGrant(error)) throw error;
        const message = 'Stripe no longer accepts this connection (the app was uninstalled or access revoked): reconnect Stripe to resume syncing';
        await save({ status: 'needs_reauth', lastError: message, accessTokenSealed: null, refreshTokenSealed: null, accessTokenExpiresAt: null });
        return { unusable: message };
      }
    });
    if ('unusable' in outcome) throw new ConnectionUnusableError(outcome.unusable);
    return outcome.token;
  }

  return {
    /** A client acting as the connected account: its OAuth token or its restricted key, paced as the connection's (one account's) requests. */
    async stripeFor(connection: Pick<ConnectionRow, 'id' | 'mode' | 'apiKeySealed' | 'status'>): Promise<Stripe> {
      if (connection.mode === 'api_key') {
        if (!connection.apiKeySealed || connection.status === 'disconnected') throw new ConnectionUnusableError('the Stripe connection has no key');
        return deps.stripe.forKey(box.decrypt(connection.apiKeySealed, sealContext(connection.id, 'api_key')), connection.id);
      }
      return deps.stripe.forKey(await accessToken(connection.id), connection.id);
    },
  };
}

export type ConnectionCredentials = ReturnType<typeof createConnectionCredentials>;
