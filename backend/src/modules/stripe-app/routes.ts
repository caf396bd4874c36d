import cors from '@fastify/cors';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AppConnectionResponse,
  AppCustomerParams,
  AppCustomerResponse,
  AppSegmentsResponse,
  AppSyncResponse,
  AppUserRequest,
  ErrorResponse,
} from '@ui/shared';
import type { Db } from '../../db/database.js';
import { createStripeAppRepository, type StripeAppRepository } from './repository.js';
import { createStripeAppService, type StripeAppServiceDeps } from './service.js';
import { verifyAppSignature, type AppUser } from './signature.js';

type Deps = Omit<StripeAppServiceDeps, 'repository'> & {
  signingSecrets: string[];
  /** The panel tables are read through the module's own repository, built on this database. */
  db: Db;
  repository?: StripeAppRepository;
};

/** The signed identity as sent, before validation: anything that is not a string cannot verify. */
function signedUser(request: FastifyRequest): AppUser {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return { user_id: text(body.user_id), account_id: text(body.account_id) };
}

const tags = ['stripe-app'];
const signed = { headers: AppUserRequest.shape.headers, body: AppUserRequest.shape.body };
const errors = { 401: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

/**
 * Routes the Stripe App's views call, under /stripe-app. Every one of them is authenticated by
 * Stripe's signature over `{user_id, account_id}` before anything else runs, and acts only on the
 * connection of that account.
 */
export function stripeAppRoutes(deps: Deps): FastifyPluginAsyncZod {
  const service = createStripeAppService({ ...deps, repository: deps.repository ?? createStripeAppRepository(deps.db) });

  return async (app) => {
    // UI extensions run in a sandbox with a null origin; their calls carry no cookies.
    await app.register(cors, { origin: '*', methods: ['POST'], allowedHeaders: ['Content-Type', 'Stripe-Signature'] });
    app.addHook('preValidation', async (request) => {
      const header = request.headers['stripe-signature'];
      verifyAppSignature(deps.signingSecrets, signedUser(request), typeof header === 'string' ? header : undefined);
    });

    app.post(
      '/connection',
      {
        schema: {
          tags,
          summary: 'The connection of the signed-in Stripe account, with the claim code while unlinked',
          ...signed,
          response: { 200: AppConnectionResponse, 401: ErrorResponse },
        },
      },
      async (request) => service.connection(request.body.account_id),
    );

    app.post(
      '/segments',
      { schema: { tags, summary: 'The linked workspace\'s segments with participant counts and MRR per currency', ...signed, response: { 200: AppSegmentsResponse, ...errors } } },
      async (request) => service.segments(request.body.account_id),
    );

    app.post(
      '/sync',
      { schema: { tags, summary: 'Queue a sync of the whole Stripe account', ...signed, response: { 200: AppSyncResponse, ...errors } } },
      async (request) => service.requestSync(request.body.account_id),
    );

    app.post(
      '/disconnect',
      {
        schema: {
          tags,
          summary: 'Disconnect: credentials are wiped, syncing stops, imported participants stay in User Intuition',
          ...signed,
          response: { 200: AppConnectionResponse, 401: ErrorResponse, 404: ErrorResponse },
        },
      },
      async (request) => service.disconnect(request.body.account_id),
    );

    app.post(
      '/customers/:id',
      { schema: { tags, summary: 'A Stripe customer as a research participant: revenue, segments, invites', params: AppCustomerParams, ...signed, response: { 200: AppCustomerResponse, ...errors } } },
      async (request) => service.customer(request.body.account_id, request.params.id),
    );

    app.post(
      '/customers/:id/sync',
      { schema: { tags, summary: 'Sync one customer from Stripe (the account\'s sync when no per-customer sync exists)', params: AppCustomerParams, ...signed, response: { 200: AppSyncResponse, ...errors } } },
      async (request) => service.syncCustomer(request.body.account_id, request.params.id),
    );
  };
}
