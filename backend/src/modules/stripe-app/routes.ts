import cors from '@fastify/cors';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppConnectionResponse, AppUserRequest, ErrorResponse } from '@ui/shared';
import { toConnectionDto } from '../connections/routes.js';
import type { ConnectionService } from '../connections/service.js';
import type { PanelCounts } from '../participants/panel-counts.js';
import { verifyAppSignature } from './signature.js';

interface Deps {
  connections: ConnectionService;
  panelCounts(workspaceId: string): Promise<PanelCounts>;
  signingSecrets: string[];
}

const NO_COUNTS: PanelCounts = { participants: 0, segments: 0 };

/** Routes the Stripe App's views call, authenticated by Stripe's signature, under /stripe-app. */
export function stripeAppRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    // UI extensions run in a sandbox with a null origin; their calls carry no cookies.
    await app.register(cors, { origin: '*', methods: ['POST'], allowedHeaders: ['Content-Type', 'Stripe-Signature'] });

    app.post(
      '/connection',
      {
        schema: {
          tags: ['stripe-app'],
          summary: 'The connection of the signed-in Stripe account, with the claim code while unlinked',
          headers: AppUserRequest.shape.headers,
          body: AppUserRequest.shape.body,
          response: { 200: AppConnectionResponse, 401: ErrorResponse },
        },
      },
      async (request) => {
        verifyAppSignature(deps.signingSecrets, request.body, request.headers['stripe-signature']);
        const found = await deps.connections.findForAccount(request.body.account_id);
        if (!found) return { installed: false, linked: false, claim_code: null, connection: null };
        const workspaceId = found.connection.workspaceId;
        const counts = workspaceId ? await deps.panelCounts(workspaceId) : NO_COUNTS;
        return { installed: true, linked: Boolean(workspaceId), claim_code: found.claimCode, connection: toConnectionDto(found.connection, counts) };
      },
    );
  };
}
