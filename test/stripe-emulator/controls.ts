/**
 * The emulator's control surface: changes that emit events, the clock, fault and delivery
 * switches, stats. The library API (`Emulator`) and the /_emulator routes both use it.
 */
import type Stripe from 'stripe';
import type { AccountState, ApiKey } from './accounts.js';
import type { Clock } from './clock.js';
import { deauthorizeAccount } from './mutations/accounts.js';
import {
  createCreditNote,
  createInvoice,
  createPrice,
  createProduct,
  payInvoice,
  type CreditNoteInput,
  type InvoiceInput,
  type PriceInput,
  type ProductFields,
} from './mutations/billing.js';
import type { Scoped } from './mutations/common.js';
import { createCustomer, deleteCustomer, updateCustomer, type CustomerFields } from './mutations/customers.js';
import {
  cancelSubscription,
  createSubscription,
  pauseSubscription,
  resumeSubscription,
  updateSubscription,
  type SubscriptionInput,
  type SubscriptionPatch,
} from './mutations/subscriptions.js';
import type { OAuthSwitches } from './oauth.js';
import { API_VERSION } from './objects.js';
import { checkedRateLimits, type RateLimits } from './rate-limit.js';
import type { StripeObject } from './resources.js';
import { accountById, type EmulatorState, type Faults } from './state.js';
import type { StatsSnapshot } from './stats.js';
import { checkApiVersion } from './versions.js';
import type { DeliverySwitches, WebhookEndpoint } from './webhooks.js';

export interface AccountInfo {
  id: string;
  livemode: boolean;
  /** False once the app was deauthorized on the account. */
  connected: boolean;
  api_keys: ApiKey[];
  /** Stored objects per type (deleted ones excluded). */
  counts: Record<string, number>;
}

export interface EmulatorStats extends StatsSnapshot {
  accounts: AccountInfo[];
  platform_keys: { test: string; live: string };
}

export interface EmulatorControls {
  readonly clock: Clock;
  readonly platformKeys: { test: string; live: string };
  readonly clientIds: { test: string; live: string };
  accounts(): AccountInfo[];
  /** An account by id; the first account when omitted. */
  account(id?: string): AccountInfo;
  /** The stored object with this id in any account (nested ones included), as kept, not as served. */
  getObject(id: string): StripeObject | undefined;

  createCustomer(fields?: CustomerFields & Scoped): Stripe.Customer;
  updateCustomer(id: string, patch: CustomerFields): Stripe.Customer;
  deleteCustomer(id: string): Stripe.DeletedCustomer;
  createSubscription(input: SubscriptionInput): Stripe.Subscription;
  updateSubscription(id: string, patch: SubscriptionPatch): Stripe.Subscription;
  cancelSubscription(id: string): Stripe.Subscription;
  pauseSubscription(id: string): Stripe.Subscription;
  resumeSubscription(id: string): Stripe.Subscription;
  createProduct(fields?: ProductFields & Scoped): Stripe.Product;
  createPrice(input: PriceInput): Stripe.Price;
  createInvoice(input: InvoiceInput): Stripe.Invoice;
  payInvoice(id: string): Stripe.Invoice;
  createCreditNote(input: CreditNoteInput): Stripe.CreditNote;
  /** The account's default API version, which its events are created in (GET /v1/events, endpoints without one). */
  setAccountApiVersion(apiVersion: string | undefined, accountId?: string): { apiVersion: string };
  /** Revokes the account's OAuth tokens and platform access; emits account.application.deauthorized. */
  deauthorize(accountId?: string): AccountInfo;

  stats(): EmulatorStats;
  resetStats(): void;
  setFaults(faults: Partial<Faults>): Faults;
  /** The global rate of both modes (sliding 1 s window); the other limits stay. */
  setRateLimit(perSecond: number | undefined): { perSecond: number | null };
  /** Replaces the limits named (global per mode, endpoint default and overrides, concurrency); 0 or null lifts one. */
  setRateLimits(limits: Partial<RateLimits>): RateLimits;
  setLatency(ms: number): { latencyMs: number };
  setOAuth(switches: OAuthSwitches): OAuthSwitches;
  setWebhookEndpoint(endpoint: WebhookEndpoint | undefined): void;
  setWebhookDelivery(switches: DeliverySwitches): DeliverySwitches;
  /** Resolves when every pending webhook delivery (retries included) is done. */
  flushWebhooks(): Promise<void>;
}

function info(account: AccountState): AccountInfo {
  return {
    id: account.id,
    livemode: account.livemode,
    connected: account.connected,
    api_keys: account.apiKeys.map((key) => ({ ...key })),
    counts: account.store.counts(),
  };
}

function probability(value: number | undefined, fallback: number): number {
  return value === undefined ? fallback : Math.min(1, Math.max(0, Number(value) || 0));
}

export function createControls(state: EmulatorState): EmulatorControls {
  let delivery: DeliverySwitches = { duplicate: false, reorder: false, delayMs: 0 };
  return {
    clock: state.clock,
    platformKeys: state.platformKeys,
    clientIds: state.clientIds,
    accounts: () => [...state.accounts.values()].map(info),
    account: (id) => info(accountById(state, id)),
    getObject: (id) => {
      for (const account of state.accounts.values()) {
        const found = account.store.lookup(id);
        if (found) return found;
      }
      return undefined;
    },

    createCustomer: (fields) => createCustomer(state, fields),
    updateCustomer: (id, patch) => updateCustomer(state, id, patch),
    deleteCustomer: (id) => deleteCustomer(state, id),
    createSubscription: (input) => createSubscription(state, input),
    updateSubscription: (id, patch) => updateSubscription(state, id, patch),
    cancelSubscription: (id) => cancelSubscription(state, id),
    pauseSubscription: (id) => pauseSubscription(state, id),
    resumeSubscription: (id) => resumeSubscription(state, id),
    createProduct: (fields) => createProduct(state, fields),
    createPrice: (input) => createPrice(state, input),
    createInvoice: (input) => createInvoice(state, input),
    payInvoice: (id) => payInvoice(state, id),
    createCreditNote: (input) => createCreditNote(state, input),
    deauthorize: (accountId) => info(deauthorizeAccount(state, accountId)),
    setAccountApiVersion: (apiVersion, accountId) => {
      const account = accountById(state, accountId);
      account.apiVersion = apiVersion === undefined ? undefined : checkApiVersion(apiVersion);
      return { apiVersion: account.apiVersion ?? API_VERSION };
    },

    stats: () => ({ ...state.stats.read(), accounts: [...state.accounts.values()].map(info), platform_keys: { ...state.platformKeys } }),
    resetStats: () => state.stats.reset(),
    setFaults: (faults) => {
      state.faults.errorRate = probability(faults.errorRate, state.faults.errorRate);
      state.faults.rateLimitRate = probability(faults.rateLimitRate, state.faults.rateLimitRate);
      state.faults.resetRate = probability(faults.resetRate, state.faults.resetRate);
      if (faults.failNext !== undefined) state.faults.failNext = Math.max(0, Math.trunc(Number(faults.failNext) || 0));
      return { ...state.faults };
    },
    setRateLimit: (perSecond) => {
      const limit = perSecond && perSecond > 0 ? perSecond : undefined;
      state.limiter.configure({ ...state.limiter.current(), global: limit ? { live: limit, test: limit } : {} });
      return { perSecond: limit ?? null };
    },
    setRateLimits: (limits) => {
      state.limiter.configure({ ...state.limiter.current(), ...checkedRateLimits(limits) });
      return state.limiter.current();
    },
    setLatency: (ms) => {
      state.latencyMs = Math.max(0, Number(ms) || 0);
      return { latencyMs: state.latencyMs };
    },
    setOAuth: (switches) => state.oauth.set(switches),
    setWebhookEndpoint: (endpoint) => state.webhooks.configure(endpoint),
    setWebhookDelivery: (switches) => {
      delivery = { ...delivery, ...switches };
      state.webhooks.setDelivery(delivery);
      return { ...delivery };
    },
    flushWebhooks: () => state.webhooks.flush(),
  };
}

