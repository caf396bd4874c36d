/**
 * The Stripe emulator as a library: `startEmulator()` serves Stripe's API (as stripe-node sees
 * it) for fixture or generated accounts, and returns controls for changes, time and faults.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FastifyBaseLogger } from 'fastify';
import { loadAccount, platformAccount } from './accounts.js';
import { KeyRing } from './auth.js';
import { createClock } from './clock.js';
import { createControls, type EmulatorControls } from './controls.js';
import { EventLog } from './events.js';
import { served } from './expand.js';
import { generateAccount, type FixtureFile } from './generator.js';
import { IdempotencyCache } from './idempotency.js';
import { OAuthService } from './oauth.js';
import { RateLimiter, rateLimitsOf, type RateLimits } from './rate-limit.js';
import { onAuthorized } from './routes/oauth.js';
import { objectBytes } from './json-body.js';
import { buildServer } from './server.js';
import type { EmulatorState } from './state.js';
import { Stats } from './stats.js';
import { WebhookDispatcher, type WebhookEndpoint } from './webhooks.js';

export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Accounts to serve; without fixtures or `generate`, one account with 200 customers (seed 1). */
  fixtures?: FixtureFile;
  generate?: { customers: number; seed?: number };
  /** Added to every /v1 request. */
  latencyMs?: number;
  /**
   * Stripe's limiters (rate-limit.ts): STRIPE_RATE_LIMITS for Stripe's documented defaults;
   * none by default, so tests may burst. Fields left out are unlimited.
   */
  rateLimits?: Partial<RateLimits>;
  /** Global requests per second per account, in both modes (sliding 1 s window); overrides `rateLimits.global`. */
  rateLimit?: number;
  webhook?: WebhookEndpoint;
  platformKeys?: { test: string; live: string };
  clientIds?: { test: string; live: string };
  logger?: FastifyBaseLogger;
  /** Emulator time at start (unix seconds); the wall clock by default. */
  now?: number;
  /** Serialize every object at start, so serving lists costs the emulator almost no CPU (benchmarks). */
  prerender?: boolean;
}

export interface Emulator extends EmulatorControls {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export const DEFAULT_PLATFORM_KEYS = { test: 'sk_test_emulator_platform', live: 'sk_live_emulator_platform' } as const;
export const DEFAULT_CLIENT_IDS = { test: 'ca_emulator_test', live: 'ca_emulator_live' } as const;
export const DEFAULT_GENERATE = { customers: 200, seed: 1 } as const;

function fixturesOf(options: EmulatorOptions, now: number): FixtureFile {
  if (options.fixtures) return options.fixtures;
  const generate = options.generate ?? DEFAULT_GENERATE;
  return { accounts: [generateAccount({ customers: generate.customers, seed: generate.seed ?? 1, now })] };
}

export function createState(options: EmulatorOptions = {}): EmulatorState {
  const clock = createClock(options.now);
  const keys = new KeyRing();
  const stats = new Stats();
  const webhooks = new WebhookDispatcher(options.webhook, stats, options.logger);
  const platformKeys = { ...DEFAULT_PLATFORM_KEYS, ...options.platformKeys };
  const clientIds = { ...DEFAULT_CLIENT_IDS, ...options.clientIds };
  const fixtures = fixturesOf(options, clock.now());
  const state: EmulatorState = {
    clock,
    keys,
    stats,
    webhooks,
    platformKeys,
    clientIds,
    accounts: new Map(fixtures.accounts.map((fixture) => [fixture.id, loadAccount(fixture, keys, clock.now())])),
    platform: platformAccount(keys, platformKeys, clock.now()),
    limiter: new RateLimiter(rateLimitsOf(options.rateLimits, options.rateLimit)),
    idempotency: new IdempotencyCache(),
    events: new EventLog(() => clock.now(), webhooks),
    faults: { errorRate: 0, rateLimitRate: 0, resetRate: 0, failNext: 0 },
    latencyMs: options.latencyMs ?? 0,
    oauth: undefined as unknown as OAuthService,
  };
  state.oauth = new OAuthService({
    now: () => clock.now(),
    keys,
    clientIds,
    accountIds: () => [...state.accounts.keys()],
    onAuthorized: onAuthorized(state),
  });
  return state;
}

/**
 * A full collection now, while nothing is served: generating and rendering a large account leaves
 * hundreds of MB of garbage whose collection otherwise comes with the first requests, ~1 s of a
 * whole core that the benchmarks would count against the system under test.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state = createState(options);
  if (options.prerender) {
    for (const account of state.accounts.values()) for (const obj of account.store.topLevel()) objectBytes(served(obj));
    collectGarbage();
  }
  const controls = createControls(state);
  const app = buildServer(state, controls, options.logger);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  return Object.assign(controls, {
    url: `http://${host}:${port}`,
    port,
    close: () => app.close(),
  });
}

export type { FixtureAccount, FixtureFile } from './generator.js';
export type { AccountInfo, EmulatorControls, EmulatorStats } from './controls.js';
export type { Clock } from './clock.js';
export { signatureHeader } from './webhooks.js';
export { STRIPE_RATE_LIMITS, type RateLimits } from './rate-limit.js';
