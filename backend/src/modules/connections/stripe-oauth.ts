import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import type { Config } from '../../config.js';
import type { StripeFactory, StripeMode } from '../../stripe/client.js';
import { INTERACTIVE_RETRY, withStripeRetry } from '../sync/stripe-retry.js';

export interface TokenGrant {
  accessToken: string;
  refreshToken: string;
  stripeAccountId: string;
  livemode: boolean;
}

/** Stripe says access tokens live one hour; refreshing a little earlier keeps calls from failing. */
export const ACCESS_TOKEN_LIFETIME_MS = 60 * 60 * 1000;

export class OAuthModeNotConfiguredError extends Error {
  override name = 'OAuthModeNotConfiguredError';
}

/**
 * The token endpoint of Stripe Apps OAuth, authenticated with the platform's own secret key of
 * the flow's mode. stripe-node's `oauth.token()` targets legacy Connect, hence `rawRequest`.
 */
export function createStripeOAuth(config: Pick<Config, 'stripeModes'>, stripe: StripeFactory) {
  const platform = (mode: StripeMode) => {
    const settings = config.stripeModes[mode];
    if (!settings) throw new OAuthModeNotConfiguredError(`Stripe ${mode} mode is not configured on this service`);
    return stripe.forKey(settings.secretKey);
  };

  const grant = async (mode: StripeMode, params: Record<string, string>): Promise<TokenGrant> => {
    // One key for every attempt: a retried exchange whose first answer was lost replays it instead of spending the code twice.
    const idempotencyKey = `oauth-token-${randomUUID()}`;
    const response = (await withStripeRetry(() => platform(mode).rawRequest('POST', '/v1/oauth/token', params, { idempotencyKey }), INTERACTIVE_RETRY)) as unknown as Record<string, unknown>;
    return {
      accessToken: String(response.access_token),
      refreshToken: String(response.refresh_token),
      stripeAccountId: String(response.stripe_user_id),
      livemode: Boolean(response.livemode),
    };
  };

  const exchangeCode = (mode: StripeMode, code: string) => grant(mode, { grant_type: 'authorization_code', code });

  return {
    exchangeCode,
    /**
     * A Dashboard install carries no state, so its mode is unknown: try live, then test. Stripe
     * answers a key of the wrong mode with invalid_grant before spending the code (unconfirmed;
     * if it spent it, the user would simply install again).
     */
    async exchangeInstallCode(code: string): Promise<TokenGrant> {
      const modes = (['live', 'test'] as const).filter((mode) => config.stripeModes[mode]);
      for (const [i, mode] of modes.entries()) {
        try {
          return await exchangeCode(mode, code);
        } catch (error) {
          if (!isInvalidGrant(error) || i === modes.length - 1) throw error;
        }
      }
      throw new OAuthModeNotConfiguredError('no Stripe mode is configured on this service');
    },
    refresh: (mode: StripeMode, refreshToken: string) => grant(mode, { grant_type: 'refresh_token', refresh_token: refreshToken }),
    clientId(mode: StripeMode): string | undefined {
      return config.stripeModes[mode]?.clientId;
    },
  };
}

export type StripeOAuth = ReturnType<typeof createStripeOAuth>;

export const isInvalidGrant = (error: unknown) =>
  error instanceof Stripe.errors.StripeError && (error.type === 'StripeInvalidGrantError' || error.code === 'invalid_grant');
