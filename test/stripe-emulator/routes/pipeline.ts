/**
 * What every /v1 request goes through before its handler, in Stripe's order as far as a client
 * can tell: authentication, the rate and concurrency limits (a request holds its place in the
 * concurrency limit for its whole latency, as it would at Stripe), latency, injected faults, and
 * replay of idempotent POSTs.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountState } from '../accounts.js';
import type { AuthContext } from '../auth.js';
import { EmulatorError, errors } from '../errors.js';
import { accountById, type EmulatorState } from '../state.js';
import { JsonBody } from '../json-body.js';

export type V1Handler = (request: FastifyRequest, context: AuthContext, account: AccountState) => unknown;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function authenticate(state: EmulatorState, request: FastifyRequest): AuthContext {
  return state.keys.authenticate(header(request, 'authorization'), header(request, 'stripe-account'), {
    now: () => state.clock.now(),
    isConnected: (accountId) => state.accounts.get(accountId)?.connected === true,
  });
}

/** Drops the connection without an answer, as a crashed load balancer would. */
function resetConnection(state: EmulatorState, request: FastifyRequest, reply: FastifyReply): void {
  state.stats.connectionReset();
  reply.hijack();
  request.raw.socket.destroy();
}

async function runIdempotent(state: EmulatorState, request: FastifyRequest, reply: FastifyReply, context: AuthContext, run: () => unknown) {
  const key = header(request, 'idempotency-key');
  if (request.method !== 'POST' || !key) return run();
  reply.header('Idempotency-Key', key);
  const scope = `${context.credential.key}\n${context.accountId}`;
  const fingerprint = `${request.url}\n${JSON.stringify(request.body ?? {})}`;
  const replay = state.idempotency.replay(scope, key, fingerprint);
  if (replay) {
    reply.header('Idempotent-Replayed', 'true').code(replay.status);
    return replay.body;
  }
  try {
    const body = await run();
    state.idempotency.save(scope, key, { fingerprint, status: 200, body });
    return body;
  } catch (error) {
    if (error instanceof EmulatorError) state.idempotency.save(scope, key, { fingerprint, status: error.status, body: error.body });
    throw error;
  }
}

const chance = (probability: number) => probability > 0 && Math.random() < probability;

function injectError(state: EmulatorState): boolean {
  if (state.faults.failNext > 0) {
    state.faults.failNext -= 1;
    return true;
  }
  return chance(state.faults.errorRate);
}

/** A refused key is answered after the same latency as any other request. */
async function authenticated(state: EmulatorState, request: FastifyRequest): Promise<AuthContext> {
  try {
    return authenticate(state, request);
  } catch (error) {
    if (state.latencyMs > 0) await sleep(state.latencyMs);
    throw error;
  }
}

/** The endpoint a request counts against: its method and route pattern (one for every id). */
const endpointOf = (request: FastifyRequest) => `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;

export function v1Route(state: EmulatorState, handler: V1Handler) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const context = await authenticated(state, request);
    const admission = state.limiter.admit(context.accountId, context.credential.livemode ? 'live' : 'test', endpointOf(request));
    try {
      if (state.latencyMs > 0) await sleep(state.latencyMs);
      if (admission.refused) throw errors.rateLimit(admission.refused);
      if (chance(state.faults.resetRate)) return resetConnection(state, request, reply);
      if (injectError(state)) throw errors.apiError();
      // An injected 429 stands for the account's global rate having been used up elsewhere.
      if (chance(state.faults.rateLimitRate)) throw errors.rateLimit('global-rate');
      const account = accountById(state, context.accountId);
      const body = await runIdempotent(state, request, reply, context, () => handler(request, context, account));
      return body instanceof JsonBody ? reply.type('application/json; charset=utf-8').send(body.bytes) : body;
    } finally {
      admission.release();
    }
  };
}
