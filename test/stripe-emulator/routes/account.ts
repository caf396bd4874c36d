/** GET /v1/account (and /v1/accounts/:id for the account itself). */
import type { FastifyInstance } from 'fastify';
import { requirePermission, type AuthContext } from '../auth.js';
import { errors } from '../errors.js';
import type { EmulatorState } from '../state.js';
import { v1Route } from './pipeline.js';

/**
 * A restricted key reads its own account only with the account's KYC permission, which a
 * read-only key made for customer data lacks: Stripe then answers the 403 permission error that
 * names the account and that permission (stripe/sync-engine#257, stripe/stripe-node#2246).
 */
const ACCOUNT_PERMISSION = 'accounts_kyc_basic_read';

export function registerAccountRoutes(app: FastifyInstance, state: EmulatorState): void {
  const readAccount = (context: AuthContext) => requirePermission(context, ACCOUNT_PERMISSION);
  app.get(
    '/v1/account',
    v1Route(state, (_request, context, account) => {
      readAccount(context);
      return account.account;
    }),
  );
  app.get(
    '/v1/accounts/:id',
    v1Route(state, (request, context, account) => {
      const { id } = request.params as { id: string };
      if (id !== account.id) throw errors.accountInvalid(context.credential.key, id);
      readAccount(context);
      return account.account;
    }),
  );
}
