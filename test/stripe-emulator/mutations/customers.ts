/** Customer changes and their events (customer.created|updated|deleted). */
import type Stripe from 'stripe';
import { previousAttributes } from '../events.js';
import { makeCustomer, newId } from '../objects.js';
import { accountById, accountOfObject, type EmulatorState } from '../state.js';
import { definedFields, getLive, mergeMetadata, stored, type Scoped } from './common.js';
import { cancelSubscription } from './subscriptions.js';

export type CustomerFields = Partial<Omit<Stripe.Customer, 'object' | 'deleted'>>;

export function createCustomer(state: EmulatorState, fields: CustomerFields & Scoped = {}): Stripe.Customer {
  const { account: accountId, ...rest } = fields;
  const account = accountById(state, accountId);
  const customer = makeCustomer({
    livemode: account.livemode,
    ...definedFields(rest),
    id: rest.id ?? newId('cus'),
    created: rest.created ?? state.clock.now(),
  });
  account.store.put(stored(customer));
  state.events.record(account, 'customer.created', customer);
  return customer;
}

export function updateCustomer(state: EmulatorState, id: string, patch: CustomerFields): Stripe.Customer {
  const account = accountOfObject(state, id, 'customer');
  const before = getLive<Stripe.Customer>(account, 'customer', id);
  const { metadata, ...rest } = patch;
  const after: Stripe.Customer = {
    ...before,
    ...definedFields(rest),
    id,
    created: before.created,
    metadata: metadata === undefined ? before.metadata : mergeMetadata(before.metadata, metadata),
  };
  const previous = previousAttributes(before, after);
  if (Object.keys(previous).length === 0) return before;
  account.store.put(stored(after));
  state.events.record(account, 'customer.updated', after, previous);
  return after;
}

/** Deleting a customer cancels its subscriptions first, as Stripe does. */
export function deleteCustomer(state: EmulatorState, id: string): Stripe.DeletedCustomer {
  const account = accountOfObject(state, id, 'customer');
  const customer = getLive<Stripe.Customer>(account, 'customer', id);
  const subscriptions = account.store.collection('subscription').source('customer', id);
  const open: string[] = [];
  for (let i = 0; i < subscriptions.length; i++) {
    const entry = subscriptions.at(i)!;
    if (entry.obj.status !== 'canceled' && entry.obj.status !== 'incomplete_expired') open.push(entry.id);
  }
  for (const subscriptionId of open) cancelSubscription(state, subscriptionId);
  account.store.delete('customer', id);
  state.events.record(account, 'customer.deleted', customer);
  return { id, object: 'customer', deleted: true };
}
