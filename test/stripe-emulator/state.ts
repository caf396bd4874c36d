/** Everything one running emulator holds, passed explicitly to routes and mutations. */
import type { AccountState } from './accounts.js';
import type { KeyRing } from './auth.js';
import type { Clock } from './clock.js';
import { errors } from './errors.js';
import type { EventLog } from './events.js';
import type { IdempotencyCache } from './idempotency.js';
import type { OAuthService } from './oauth.js';
import type { RateLimiter } from './rate-limit.js';
import type { Stats } from './stats.js';
import type { WebhookDispatcher } from './webhooks.js';

export interface Faults {
  /** Probability of answering a /v1 request with a 500 api_error. */
  errorRate: number;
  /** Probability of answering a /v1 request with a 429, as if the account's rate limit were hit. */
  rateLimitRate: number;
  /** Probability of destroying the connection without an answer. */
  resetRate: number;
  /** The next N /v1 requests answer 500 regardless of `errorRate` (deterministic retry tests). */
  failNext: number;
}

export interface EmulatorState {
  clock: Clock;
  /** Connected accounts in fixture order; the first is the default everywhere. */
  accounts: Map<string, AccountState>;
  platform: AccountState;
  keys: KeyRing;
  stats: Stats;
  limiter: RateLimiter;
  idempotency: IdempotencyCache;
  webhooks: WebhookDispatcher;
  events: EventLog;
  oauth: OAuthService;
  faults: Faults;
  latencyMs: number;
  platformKeys: { test: string; live: string };
  clientIds: { test: string; live: string };
}

/** The account by id, or the first account when no id is given. */
export function accountById(state: EmulatorState, id?: string): AccountState {
  if (id === state.platform.id) return state.platform;
  const account = id === undefined ? state.accounts.values().next().value : state.accounts.get(id);
  if (!account) throw errors.notFound('account', id ?? '(none)');
  return account;
}

/** The account holding an object; mutations by id need not name the account. */
export function accountOfObject(state: EmulatorState, objectId: string, noun: string): AccountState {
  for (const account of state.accounts.values()) if (account.store.lookup(objectId)) return account;
  throw errors.notFound(noun, objectId);
}
