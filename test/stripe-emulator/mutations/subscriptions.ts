/**
 * Subscription changes and their events: customer.subscription.created|updated|deleted, and
 * paused|resumed (each preceded by the `updated` event Stripe also sends).
 */
import type Stripe from 'stripe';
import type { AccountState } from '../accounts.js';
import { errors } from '../errors.js';
import { previousAttributes, type EventType } from '../events.js';
import { makeList, makeSubscription, makeSubscriptionItem, newId } from '../objects.js';
import { accountById, accountOfObject, type EmulatorState } from '../state.js';
import { definedFields, getLive, mergeMetadata, stored, type Scoped } from './common.js';

export interface SubscriptionItemInput {
  /** An existing item to change or remove; omit to add an item. */
  id?: string;
  price?: string;
  quantity?: number;
  deleted?: boolean;
}

export interface SubscriptionInput extends Scoped {
  customer: string;
  items: SubscriptionItemInput[];
  id?: string;
  created?: number;
  status?: Stripe.Subscription.Status;
  trial_end?: number;
  metadata?: Stripe.Metadata;
  cancel_at_period_end?: boolean;
  discounts?: string[];
}

export interface SubscriptionPatch {
  items?: SubscriptionItemInput[];
  status?: Stripe.Subscription.Status;
  metadata?: Record<string, string>;
  cancel_at_period_end?: boolean;
  cancel_at?: number | null;
  trial_end?: number | null;
  discounts?: string[];
  pause_collection?: Stripe.Subscription.PauseCollection | null;
}

function newItem(account: AccountState, subscriptionId: string, input: SubscriptionItemInput, created: number): Stripe.SubscriptionItem {
  if (!input.price) throw errors.missingParam('items[0][price]');
  const price = getLive<Stripe.Price>(account, 'price', input.price);
  return makeSubscriptionItem({
    id: newId('si'),
    created,
    price,
    quantity: input.quantity ?? 1,
    subscription: subscriptionId,
  });
}

/** Stripe's item update semantics: id → change or delete that item, no id → add one. */
function applyItems(
  account: AccountState,
  subscriptionId: string,
  current: Stripe.SubscriptionItem[],
  inputs: SubscriptionItemInput[],
  now: number,
): Stripe.SubscriptionItem[] {
  let items = current.slice();
  for (const input of inputs) {
    if (!input.id) {
      items.push(newItem(account, subscriptionId, input, now));
      continue;
    }
    const index = items.findIndex((item) => item.id === input.id);
    if (index < 0) throw errors.notFound('subscription item', input.id, 'items');
    if (input.deleted) {
      items = items.filter((item) => item.id !== input.id);
      continue;
    }
    const existing = items[index]!;
    const price = input.price ? getLive<Stripe.Price>(account, 'price', input.price) : existing.price;
    const changed = input.price !== undefined && input.price !== existing.price.id;
    items[index] = changed
      ? makeSubscriptionItem({ id: existing.id, created: existing.created, price, quantity: input.quantity ?? existing.quantity, subscription: subscriptionId })
      : { ...existing, quantity: input.quantity ?? existing.quantity };
  }
  return items;
}

export function createSubscription(state: EmulatorState, input: SubscriptionInput): Stripe.Subscription {
  const account = accountById(state, input.account);
  const customer = getLive<Stripe.Customer>(account, 'customer', input.customer);
  const created = input.created ?? state.clock.now();
  const id = input.id ?? newId('sub');
  const items = input.items.map((item) => newItem(account, id, item, created));
  const first = items[0];
  if (!first) throw errors.missingParam('items');
  const trialing = input.trial_end !== undefined && input.trial_end > created;
  const subscription = makeSubscription({
    id,
    created,
    livemode: account.livemode,
    customer: input.customer,
    currency: first.price.currency,
    items: makeList(items, `/v1/subscription_items?subscription=${id}`),
    status: input.status ?? (trialing ? 'trialing' : 'active'),
    metadata: input.metadata ?? {},
    cancel_at_period_end: input.cancel_at_period_end ?? false,
    discounts: input.discounts ?? [],
    ...(trialing ? { trial_start: created, trial_end: input.trial_end ?? null } : {}),
    // A test clock's customer bills on that clock: its subscriptions and invoices carry it too.
    test_clock: customer.test_clock ?? null,
  });
  account.store.put(stored(subscription));
  state.events.record(account, 'customer.subscription.created', subscription);
  return subscription;
}

/** Stores `after` and records `types`; previous attributes go on the `updated` event only. */
function commit(state: EmulatorState, account: AccountState, before: Stripe.Subscription, after: Stripe.Subscription, types: EventType[]): Stripe.Subscription {
  const previous = previousAttributes(before, after);
  if (Object.keys(previous).length === 0) return before;
  account.store.put(stored(after));
  for (const type of types) state.events.record(account, type, after, type === 'customer.subscription.updated' ? previous : undefined);
  return after;
}

export function updateSubscription(state: EmulatorState, id: string, patch: SubscriptionPatch): Stripe.Subscription {
  if (patch.status === 'canceled') return cancelSubscription(state, id);
  const account = accountOfObject(state, id, 'subscription');
  const before = getLive<Stripe.Subscription>(account, 'subscription', id);
  const { items, metadata, ...rest } = patch;
  const now = state.clock.now();
  const after: Stripe.Subscription = {
    ...before,
    ...definedFields(rest),
    metadata: metadata === undefined ? before.metadata : mergeMetadata(before.metadata, metadata),
    items: items ? { ...before.items, data: applyItems(account, id, before.items.data, items, now) } : before.items,
  };
  return commit(state, account, before, after, ['customer.subscription.updated']);
}

export function cancelSubscription(state: EmulatorState, id: string): Stripe.Subscription {
  const account = accountOfObject(state, id, 'subscription');
  const before = getLive<Stripe.Subscription>(account, 'subscription', id);
  if (before.status === 'canceled') return before;
  const now = state.clock.now();
  const after: Stripe.Subscription = {
    ...before,
    status: 'canceled',
    canceled_at: now,
    ended_at: now,
    cancellation_details: { ...before.cancellation_details!, reason: 'cancellation_requested' },
  };
  return commit(state, account, before, after, ['customer.subscription.deleted']);
}

export function pauseSubscription(state: EmulatorState, id: string): Stripe.Subscription {
  const account = accountOfObject(state, id, 'subscription');
  const before = getLive<Stripe.Subscription>(account, 'subscription', id);
  if (before.status === 'paused') return before;
  return commit(state, account, before, { ...before, status: 'paused' }, ['customer.subscription.updated', 'customer.subscription.paused']);
}

export function resumeSubscription(state: EmulatorState, id: string): Stripe.Subscription {
  const account = accountOfObject(state, id, 'subscription');
  const before = getLive<Stripe.Subscription>(account, 'subscription', id);
  if (before.status !== 'paused') return before;
  const after: Stripe.Subscription = { ...before, status: 'active', pause_collection: null };
  return commit(state, account, before, after, ['customer.subscription.updated', 'customer.subscription.resumed']);
}
