/**
 * The Stripe Apps OAuth endpoints: the authorize page (answered with the redirect the user's
 * approval or denial would produce) and the token exchange.
 */
import type { FastifyInstance } from 'fastify';
import { authorizeAccount } from '../mutations/accounts.js';
import type { EmulatorState } from '../state.js';
import { v1Route } from './pipeline.js';

export function registerOAuthRoutes(app: FastifyInstance, state: EmulatorState): void {
  app.get('/oauth/v2/authorize', async (request, reply) => {
    const location = state.oauth.authorize(request.query as Record<string, unknown>);
    return reply.redirect(location, 302);
  });
  app.post(
    '/v1/oauth/token',
    v1Route(state, (request, context) => state.oauth.exchange(context.credential, (request.body ?? {}) as Record<string, unknown>)),
  );
}

/** Approval installs the app on the account (and tells it, like Stripe's install event). */
export function onAuthorized(state: EmulatorState) {
  return (accountId: string, livemode: boolean) => void authorizeAccount(state, accountId, livemode);
}
