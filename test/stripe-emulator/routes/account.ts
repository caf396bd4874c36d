/** GET /v1/account (and /v1/accounts/:id for the account itself). */
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.js';
import type { EmulatorState } from '../state.js';
import { v1Route } from './pipeline.js';

export function registerAccountRoutes(app: FastifyInstance, state: EmulatorState): void {
  app.get('/v1/account', v1Route(state, (_request, _context, account) => account.account));
  app.get(
    '/v1/accounts/:id',
    v1Route(state, (request, context, account) => {
      const { id } = request.params as { id: string };
      if (id !== account.id) throw errors.accountInvalid(context.credential.key, id);
      return account.account;
    }),
  );
}
