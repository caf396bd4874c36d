import oauthPlugin, { type OAuth2Namespace } from '@fastify/oauth2';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { StripeMode } from '../../stripe/client.js';

export const STATE_COOKIE = 'stripe_oauth_state';

declare module 'fastify' {
  interface FastifyRequest {
    stripeOAuthState?: string;
  }
}

export interface AuthorizeRedirect {
  /** The Stripe authorize URL for this flow; also binds `state` to the browser with a cookie. */
  url(request: FastifyRequest, reply: FastifyReply, mode: StripeMode, state: string): Promise<string>;
}

/**
 * @fastify/oauth2 builds the authorize URL and sets the state cookie, one registration per mode
 * (each mode has its own client id). The code exchange does not go through it: Stripe wants the
 * platform's secret key alone, not a client id/secret pair, so stripe-oauth.ts does that part.
 */
export async function registerAuthorizeRedirect(app: FastifyInstance, config: Config): Promise<AuthorizeRedirect> {
  const authorize = new URL(config.STRIPE_AUTHORIZE_URL);
  const names: Partial<Record<StripeMode, string>> = {};
  for (const mode of ['test', 'live'] as const) {
    const settings = config.stripeModes[mode];
    if (!settings) continue;
    const name = `stripeOAuth${mode === 'live' ? 'Live' : 'Test'}`;
    names[mode] = name;
    await app.register(oauthPlugin, {
      name,
      credentials: {
        // simple-oauth2 insists on a secret; it is never sent because the token call is ours.
        client: { id: settings.clientId, secret: 'unused' },
        auth: { authorizeHost: authorize.origin, authorizePath: authorize.pathname, tokenHost: authorize.origin },
      },
      callbackUri: `${config.PUBLIC_URL}/connect/stripe/callback`,
      // The state is minted (signed, stored) by the connection service before the redirect.
      generateStateFunction: (request: FastifyRequest) => request.stripeOAuthState!,
      checkStateFunction: () => true,
      redirectStateCookieName: STATE_COOKIE,
      cookie: { path: '/connect/stripe', sameSite: 'lax', secure: config.PUBLIC_URL.startsWith('https:') },
    });
  }
  return {
    async url(request, reply, mode, state) {
      const name = names[mode];
      if (!name) throw new Error(`Stripe ${mode} mode is not configured`);
      request.stripeOAuthState = state;
      const namespace = (app as unknown as Record<string, OAuth2Namespace>)[name]!;
      const url = new URL(await namespace.generateAuthorizationUri(request, reply));
      // Stripe Apps OAuth takes no scope (permissions come from the manifest); simple-oauth2 adds an empty one.
      url.searchParams.delete('scope');
      return url.toString();
    },
  };
}
