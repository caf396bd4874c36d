/**
 * The Fastify app: Stripe's wire conventions (qs-encoded queries and form bodies, Request-Id
 * on every answer, errors in Stripe's JSON shape) around the route modules.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import qs from 'qs';
import { API_VERSION } from './objects.js';
import { EmulatorError, errors } from './errors.js';
import { requestId } from './random.js';
import { registerAccountRoutes } from './routes/account.js';
import { registerControlRoutes } from './routes/control.js';
import { registerOAuthRoutes } from './routes/oauth.js';
import { registerResourceRoutes } from './routes/resources.js';
import type { EmulatorControls } from './controls.js';
import type { EmulatorState } from './state.js';

/** stripe-node writes arrays as `expand[0]=…`; qs only turns indexes up to arrayLimit into arrays. */
const QS_OPTIONS = { arrayLimit: 1000, depth: 10, parameterLimit: 10_000 };

function endpointOf(method: string, routeUrl: string | undefined): string | undefined {
  if (routeUrl?.startsWith('/_emulator')) return undefined;
  return `${method} ${routeUrl ?? '(unmatched)'}`;
}

function requestLogUrl(livemode: boolean, id: string): string {
  return `https://dashboard.stripe.com/${livemode ? '' : 'test/'}logs/${id}`;
}

export function buildServer(state: EmulatorState, controls: EmulatorControls, logger?: FastifyBaseLogger): FastifyInstance {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    genReqId: () => requestId(),
    routerOptions: { querystringParser: (text: string) => qs.parse(text, QS_OPTIONS) },
    forceCloseConnections: true,
  });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, text, done) => {
    done(null, qs.parse(text as string, QS_OPTIONS));
  });

  // Control routes accept an empty JSON body (e.g. `POST /_emulator/webhooks/flush`).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    try {
      done(null, text ? JSON.parse(text as string) : {});
    } catch {
      done(errors.invalidValue('body', 'Invalid JSON body'), undefined);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('Request-Id', request.id);
    reply.header('Stripe-Version', API_VERSION);
    const endpoint = endpointOf(request.method, request.routeOptions.url);
    if (endpoint) state.stats.request(endpoint);
  });
  app.addHook('onResponse', async (request, reply) => state.stats.status(reply.statusCode, endpointOf(request.method, request.routeOptions.url)));

  app.setErrorHandler((error, request, reply) => {
    const known = error instanceof EmulatorError ? error : undefined;
    if (!known) request.log.error({ err: error }, 'emulator error');
    const failure =
      known ??
      (typeof (error as { statusCode?: number }).statusCode === 'number' && (error as { statusCode: number }).statusCode < 500
        ? errors.invalidValue('body', (error as Error).message)
        : errors.apiError());
    const body = failure.body;
    if (typeof body.error === 'object' && body.error.type === 'invalid_request_error') {
      const livemode = /_live_/.test(request.headers.authorization ?? '');
      body.error = { ...body.error, request_log_url: requestLogUrl(livemode, request.id) };
    }
    return reply.code(failure.status).headers(failure.headers).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const failure = errors.unrecognizedUrl(request.method, request.url.split('?')[0] ?? request.url);
    return reply.code(failure.status).send(failure.body);
  });

  registerResourceRoutes(app, state);
  registerAccountRoutes(app, state);
  registerOAuthRoutes(app, state);
  registerControlRoutes(app, controls);
  return app;
}
