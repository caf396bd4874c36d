import Stripe from 'stripe';
import { listSubscriptionItems, objectType, storeSubscription, type StoredObject } from '../../stripe/registry.js';
import type { ConnectionCredentials } from '../connections/credentials.js';
import type { ConnectionRepository } from '../connections/repository.js';
import { isGuest } from '../participants/guest.js';
import type { ParticipantRepository, ParticipantRow } from '../participants/repository.js';
import { AppError, notFound } from '../../http/app-error.js';
import type { ObjectStore } from './object-store.js';
import { loadCatalog, type Recompute } from './recompute.js';
import { withStripeRetry } from './stripe-retry.js';

export interface ParticipantSyncDeps {
  connections: ConnectionRepository;
  credentials: ConnectionCredentials;
  objects: ObjectStore;
  participants: ParticipantRepository;
  recompute: Recompute;
}

/** Every page of a customer-scoped list; a customer's lists are short. */
async function all<T extends { id: string }>(list: (startingAfter?: string) => Promise<Stripe.ApiList<T>>): Promise<T[]> {
  const items: T[] = [];
  for (let startingAfter: string | undefined; ; ) {
    const page = await withStripeRetry(() => list(startingAfter));
    items.push(...page.data);
    if (!page.has_more) return items;
    startingAfter = page.data.at(-1)!.id;
  }
}

/**
 * "Sync now" for one participant: its customer, subscriptions, invoices and credit notes, read
 * from Stripe and stored like a backfill page would be, then the same recompute. A guest
 * customer (`gcus_`) cannot be read from the Customers API: its imported figures stay as they are.
 */
export function createParticipantSync(deps: ParticipantSyncDeps) {
  async function fetchInto(workspaceId: string, stripe: Stripe, customerId: string, version: number): Promise<'found' | 'missing' | 'deleted'> {
    let customer: Stripe.Customer | Stripe.DeletedCustomer;
    try {
      customer = await withStripeRetry(() => stripe.customers.retrieve(customerId));
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) return 'missing';
      throw error;
    }
    if ('deleted' in customer && customer.deleted) return 'deleted';
    const store = (type: Parameters<typeof objectType>[0], objects: unknown[]) => deps.objects.upsert(workspaceId, objectType(type), objects.map((o) => objectType(type).store(o)), version);
    await store('customer', [customer]);
    await deps.participants.upsertFromCustomers(workspaceId, [objectType('customer').store(customer)], version);
    // Through the registry, so that "sync now" expands what the backfill expands.
    const ofCustomer = (type: Parameters<typeof objectType>[0]) =>
      all((starting_after) => objectType(type).list(stripe, { customer: customerId, limit: 100, ...(starting_after ? { starting_after } : {}) }));
    const subscriptions = (await ofCustomer('subscription')) as unknown as Stripe.Subscription[];
    const complete: StoredObject[] = [];
    for (const subscription of subscriptions) {
      const items = subscription.items.has_more ? await all((starting_after) => listSubscriptionItems(stripe, subscription.id, starting_after)) : subscription.items.data;
      complete.push(storeSubscription({ ...subscription, items: { ...subscription.items, data: items, has_more: false } }));
    }
    await deps.objects.upsert(workspaceId, objectType('subscription'), complete, version);
    await store('invoice', await ofCustomer('invoice'));
    try {
      await store('credit_note', await ofCustomer('credit_note'));
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripePermissionError)) throw error;
    }
    return 'found';
  }

  return async function syncParticipant(workspaceId: string, participantId: string): Promise<ParticipantRow> {
    const participant = await deps.participants.find(workspaceId, participantId);
    if (!participant) throw notFound('participant');
    const customerId = participant.stripeCustomerId;
    if (!customerId) throw new AppError(422, 'not_linked_to_stripe', 'this participant has no Stripe customer id to sync from');
    if (isGuest(customerId)) return participant;
    const connection = await deps.connections.findActiveForWorkspace(workspaceId);
    if (!connection) throw new AppError(409, 'stripe_not_connected', 'connect a Stripe account to sync participants');
    const stripe = await deps.credentials.stripeFor(connection);
    const outcome = await fetchInto(workspaceId, stripe, customerId, Date.now());
    if (outcome !== 'found') await deps.participants.markStripeOutcome(participant.id, outcome);
    if (outcome !== 'missing') {
      const creditNotesAvailable = !connection.statusMessages.some((m) => m.code === 'missing_credit_note_read');
      const target = { id: participant.id, stripeCustomerId: customerId, deletedInStripe: outcome === 'deleted' };
      await deps.recompute(workspaceId, [target], await loadCatalog(deps.objects, workspaceId, creditNotesAvailable));
    }
    return (await deps.participants.find(workspaceId, participantId))!;
  };
}

export type ParticipantSync = ReturnType<typeof createParticipantSync>;

/**
 * "Sync from Stripe" on a customer page of the Dashboard: the customer may not be a participant
 * yet (created after the last sync), so it is linked first, then synced like any participant.
 */
export function createCustomerSync(deps: { connections: ConnectionRepository; participants: ParticipantRepository; syncParticipant: ParticipantSync }) {
  return async function syncCustomer(connectionId: string, stripeCustomerId: string): Promise<void> {
    const connection = await deps.connections.findById(connectionId);
    if (!connection?.workspaceId) throw notFound('connection');
    const participantId = await deps.participants.ensureLinked(connection.workspaceId, stripeCustomerId);
    await deps.syncParticipant(connection.workspaceId, participantId);
  };
}
