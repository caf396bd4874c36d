import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import Stripe from 'stripe';
import {
  ClaimRequest,
  ConnectCallbackQuery,
  ConnectLinkRequest,
  ConnectLinkResponse,
  ConnectStartQuery,
  ErrorResponse,
  SaveApiKeyRequest,
  StripeConnection,
} from '@ui/shared';
import type { SignedTokens } from '../../crypto/signed-token.js';
import { AppError } from '../../http/app-error.js';
import type { WorkspaceService } from '../workspaces/service.js';
import { InvalidStateError } from './oauth-state.js';
import { claimPage, errorPage, page } from './pages.js';
import { STATE_COOKIE, type AuthorizeRedirect } from './authorize-redirect.js';
import type { PanelCounts } from '../participants/panel-counts.js';
import type { ConnectionRow } from './repository.js';
import type { ConnectionService } from './service.js';
import type { StripeMode } from '../../stripe/client.js';

const CONNECT_LINK_TTL_SECONDS = 5 * 60;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toConnectionDto(row: ConnectionRow | undefined, counts: PanelCounts): StripeConnection {
  return {
    connected: Boolean(row && row.status !== 'disconnected'),
    status: row?.status ?? null,
    stripe_account_id: row?.stripeAccountId ?? null,
    livemode: row?.livemode ?? null,
    connection_mode: row?.mode ?? null,
    api_key: row?.apiKeyHint ?? null,
    participant_count: counts.participants,
    segment_count: counts.segments,
    sync_progress: row?.syncProgress ?? {},
    last_sync_started_at: iso(row?.lastSyncStartedAt ?? null),
    last_sync_finished_at: iso(row?.lastSyncFinishedAt ?? null),
    status_messages: row?.statusMessages ?? [],
    last_error: row?.lastError ?? null,
    connected_at: row && row.status !== 'disconnected' ? iso(row.connectedAt) : null,
    disconnected_at: iso(row?.disconnectedAt ?? null),
  };
}

interface Deps {
  connections: ConnectionService;
  workspaces: WorkspaceService;
  connectLinks: SignedTokens;
  authorize: AuthorizeRedirect;
  panelCounts(workspaceId: string): Promise<PanelCounts>;
  publicUrl: string;
  appUrl: string;
}

/** Browser-facing OAuth routes: authenticated by API key or connect link, not by the /api hook. */
export function connectRoutes(deps: Deps): FastifyPluginAsyncZod {
  const integrationsUrl = (params: Record<string, string>) => `${deps.appUrl}/integrations?${new URLSearchParams({ provider: 'stripe', ...params })}`;

  async function workspaceOf(request: FastifyRequest, token: string | undefined): Promise<string> {
    if (!token) return (await deps.workspaces.authenticate(request.headers.authorization)).id;
    try {
      const claims = await deps.connectLinks.verify(token);
      return String(claims.ws);
    } catch {
      throw new AppError(401, 'invalid_connect_link', 'this connect link is invalid or has expired (links last 5 minutes); request a new one');
    }
  }

  const failPage = (reply: FastifyReply, message: string, status = 400) => reply.status(status).type('text/html').send(errorPage(message, deps.appUrl));

  return async (app) => {
    app.get(
      '/connect/stripe/start',
      { schema: { tags: ['connection'], summary: 'Start connecting Stripe (redirects to Stripe)', querystring: ConnectStartQuery, response: { 401: ErrorResponse, 422: ErrorResponse } } },
      async (request, reply) => {
        const workspaceId = await workspaceOf(request, request.query.token);
        const state = await deps.connections.startOAuth(workspaceId, request.query.mode);
        return reply.redirect(await deps.authorize.url(request, reply, request.query.mode, state));
      },
    );

    app.get(
      '/connect/stripe/callback',
      { schema: { tags: ['connection'], summary: 'Where Stripe sends the browser back (both install entry points)', querystring: ConnectCallbackQuery } },
      async (request, reply) => {
        const { code, state, error, error_description } = request.query;
        reply.clearCookie(STATE_COOKIE, { path: '/connect/stripe' });
        if (error) return reply.redirect(integrationsUrl({ status: 'error', error, ...(error_description ? { error_description } : {}) }));
        if (!code) return failPage(reply, 'Stripe did not send an authorization code.');
        try {
          const outcome = await deps.connections.completeOAuth({ code, state, stateCookie: request.cookies[STATE_COOKIE] });
          if (outcome.kind === 'connected') return reply.redirect(integrationsUrl({ status: 'connected', account: outcome.connection.stripeAccountId }));
          if (outcome.kind === 'unclaimed') return reply.type('text/html').send(claimPage(outcome.claimCode, outcome.connection.stripeAccountId, deps.appUrl));
          return reply.type('text/html').send(page('User Intuition reinstalled', [`Stripe account ${outcome.connection.stripeAccountId} is connected again. You can close this page.`]));
        } catch (failure) {
          if (failure instanceof InvalidStateError) return failPage(reply, failure.message);
          if (failure instanceof AppError && failure.statusCode < 500) return failPage(reply, failure.message, failure.statusCode);
          if (failure instanceof Stripe.errors.StripeError && failure.statusCode === 400) {
            return failPage(reply, `Stripe refused the authorization code (${failure.message}). Codes work once and for 5 minutes: start again.`);
          }
          throw failure;
        }
      },
    );
  };
}

/** The workspace's view of its Stripe connection, under /api. */
export function integrationRoutes(deps: Deps): FastifyPluginAsyncZod {
  const dto = async (workspaceId: string, row: ConnectionRow | undefined) => toConnectionDto(row, await deps.panelCounts(workspaceId));
  const current = async (workspaceId: string) => dto(workspaceId, await deps.connections.findForWorkspace(workspaceId));
  const tags = ['connection'];
  const security = [{ bearerAuth: [] }];
  return async (app) => {
    app.get('/integrations/stripe', { schema: { tags, security, summary: 'Connection status', response: { 200: StripeConnection } } }, async (request) =>
      current(request.workspace.id),
    );

    app.post(
      '/integrations/stripe/connect-link',
      { schema: { tags, security, summary: 'A short-lived link that starts the OAuth connection in a browser', body: ConnectLinkRequest, response: { 200: ConnectLinkResponse } } },
      async (request) => {
        const mode: StripeMode = request.body.mode;
        const token = await deps.connectLinks.sign({ ws: request.workspace.id }, CONNECT_LINK_TTL_SECONDS);
        const url = `${deps.publicUrl}/connect/stripe/start?${new URLSearchParams({ mode, token })}`;
        return { url, expires_at: new Date(Date.now() + CONNECT_LINK_TTL_SECONDS * 1000).toISOString() };
      },
    );

    app.put(
      '/integrations/stripe/key',
      { schema: { tags, security, summary: 'Connect (or keep) a restricted API key', body: SaveApiKeyRequest, response: { 200: StripeConnection, 409: ErrorResponse, 422: ErrorResponse } } },
      async (request) => dto(request.workspace.id, await deps.connections.saveApiKey(request.workspace.id, request.body.api_key)),
    );

    app.post(
      '/integrations/stripe/claim',
      { schema: { tags, security, summary: 'Link a Dashboard install to this workspace', body: ClaimRequest, response: { 200: StripeConnection, 404: ErrorResponse, 409: ErrorResponse } } },
      async (request) => dto(request.workspace.id, await deps.connections.claim(request.workspace.id, request.body.claim_code)),
    );

    app.delete(
      '/integrations/stripe',
      { schema: { tags, security, summary: 'Disconnect Stripe (participants and segments stay)', response: { 200: StripeConnection, 404: ErrorResponse } } },
      async (request) => {
        const connection = await deps.connections.findForWorkspace(request.workspace.id);
        if (!connection || connection.status === 'disconnected') throw new AppError(404, 'not_found', 'no Stripe account is connected');
        return dto(request.workspace.id, await deps.connections.disconnect(connection.id, 'Disconnected from User Intuition'));
      },
    );
  };
}

