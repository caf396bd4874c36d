import type Stripe from 'stripe';
import type { FastifyBaseLogger } from 'fastify';
import type { StoredObject } from '../../stripe/registry.js';
import { ConnectionUnusableError, type ConnectionCredentials } from '../connections/credentials.js';
import type { ConnectionRepository, ConnectionRow } from '../connections/repository.js';
import type { ParticipantRepository } from '../participants/repository.js';
import type { SegmentRepository } from '../segments/repository.js';
import type { ObjectStore } from '../sync/object-store.js';
import { loadCatalog, type Recompute } from '../sync/recompute.js';
import { API_VERSION_MISMATCH, apiVersionMismatch, isPinnedVersion, PINNED_API_VERSION } from './api-version.js';
import { createObservations, refetch, type Resolved } from './batch.js';
import { handlerFor, type PendingEvent } from './handlers.js';
import type { WebhookRepository } from './repository.js';

export interface ApplyDeps {
  repository: WebhookRepository;
  credentials: ConnectionCredentials;
  objects: ObjectStore;
  participants: ParticipantRepository;
  segments: SegmentRepository;
  recompute: Recompute;
  disconnect(connectionId: string, reason: string): Promise<unknown>;
  connections: Pick<ConnectionRepository, 'replaceStatusMessages'>;
  logger: FastifyBaseLogger;
}

export type ActiveConnection = ConnectionRow & { workspaceId: string };

const RECOMPUTE_BATCH = 500;

/** Groups writes so that one statement stores every object of a type observed at one version. */
function byTypeAndVersion(decisions: Resolved[]): Resolved[][] {
  const groups = new Map<string, Resolved[]>();
  for (const d of decisions) {
    const key = `${d.type.type}:${d.version}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  return [...groups.values()];
}

/**
 * Applies a batch of one connection's events: every handler reports what its event observed,
 * each object's copies are folded against the stored one (older never overwrites newer, ties
 * are re-fetched), the winners are stored through the versioned upserts, then the participants
 * they touch are recomputed once. The caller recounts the segment totals afterwards.
 */
export function createEventApplier(deps: ApplyDeps) {
  async function resolveAll(connection: ActiveConnection, decisions: Resolved[]): Promise<Resolved[]> {
    const needFetch = decisions.filter((d) => d.action === 'fetch');
    if (needFetch.length === 0) return decisions;
    let stripe: Stripe | undefined;
    try {
      stripe = await deps.credentials.stripeFor(connection);
    } catch (error) {
      if (!(error instanceof ConnectionUnusableError)) throw error;
      deps.logger.warn({ connectionId: connection.id, objects: needFetch.length }, 'cannot re-fetch from Stripe: storing the newest event copies');
    }
    const resolved: Resolved[] = [];
    for (const d of decisions) {
      if (d.action === 'write') resolved.push(d);
      else if (stripe) {
        const fetched = await refetch(stripe, d);
        if (fetched) resolved.push(fetched);
      } else if (!d.foreign) resolved.push({ ...d, action: 'write' });
      // A payload in another API version is never stored: without Stripe, the object waits for the next sync.
    }
    return resolved;
  }

  async function storeParticipants(workspaceId: string, customers: Resolved[]): Promise<void> {
    // A tombstone (a deletion seen only in another API version) has no person to store.
    for (const group of byTypeAndVersion(customers.filter((c) => !c.foreign))) {
      await deps.participants.upsertFromCustomers(workspaceId, group.map((c) => c.data), group[0]!.version);
    }
    const deleted = customers.filter((c) => c.data.deleted === true).map((c) => c.id);
    // Deletion is final in Stripe: the flag never goes back, whatever order the events came in.
    for (const target of await deps.repository.recomputeTargets(workspaceId, deleted)) {
      if (!target.deletedInStripe) await deps.participants.markStripeOutcome(target.id, 'deleted');
    }
  }

  async function recomputeTouched(connection: ActiveConnection, written: Resolved[]): Promise<void> {
    const workspaceId = connection.workspaceId;
    const customers = new Set<string>();
    for (const d of written) {
      const customer = d.type.customerOf(d.data);
      if (customer) customers.add(customer);
    }
    const products = written.filter((d) => d.type.type === 'product');
    const prices = written.filter((d) => d.type.type === 'price');
    if (products.length > 0) {
      const live = products.filter((p) => p.data.deleted !== true).map((p) => ({ id: p.id, name: String(p.data.name ?? p.id) }));
      await deps.segments.ensureStripeSegments(workspaceId, live);
    }
    for (const id of await deps.repository.customersUsing(workspaceId, products.map((p) => p.id), prices.map((p) => p.id))) customers.add(id);
    if (customers.size === 0) return;
    const targets = await deps.repository.recomputeTargets(workspaceId, [...customers]);
    const creditNotesAvailable = !connection.statusMessages.some((m) => m.code === 'missing_credit_note_read');
    const catalog = await loadCatalog(deps.objects, workspaceId, creditNotesAvailable);
    // The segment totals are recounted by the drain, once for several batches (service.ts).
    for (let i = 0; i < targets.length; i += RECOMPUTE_BATCH) {
      await deps.recompute(workspaceId, targets.slice(i, i + RECOMPUTE_BATCH), catalog, { refreshTotals: false });
    }
  }

  /**
   * The connection's status says when the webhook endpoint sends another API version, after the
   * latest delivery of the batch; a delivery in the pinned version clears it (the endpoint was
   * replaced). Events listed by the catch-up say nothing of the endpoint (they keep the version
   * the account had when they were created), so they leave the message as it is.
   */
  async function reportEndpointVersion(connection: ActiveConnection, events: PendingEvent[]): Promise<void> {
    const latest = events.filter((e) => e.source === 'webhook').at(-1);
    if (!latest) return;
    const current = connection.statusMessages.find((m) => m.code === API_VERSION_MISMATCH);
    const wanted = isPinnedVersion(latest) ? undefined : apiVersionMismatch(latest.apiVersion);
    if (current?.message === wanted?.message) return;
    if (!wanted) deps.logger.info({ connectionId: connection.id }, 'webhook events arrive in the pinned API version again');
    else deps.logger.warn({ connectionId: connection.id, apiVersion: latest.apiVersion, pinned: PINNED_API_VERSION }, 'webhook events arrive in another API version: their objects are re-fetched');
    await deps.connections.replaceStatusMessages(connection.id, API_VERSION_MISMATCH, wanted ? [wanted] : []);
  }

  return async function apply(connection: ActiveConnection, events: PendingEvent[]): Promise<void> {
    const observations = createObservations();
    // One rule for every handler: a payload in another API version is not read, its object is re-fetched.
    for (const event of events) handlerFor(event.type)?.apply(event, isPinnedVersion(event) ? observations.sink : observations.foreignSink);
    const stored = await deps.repository.storedObjects(connection.workspaceId, observations.ids());
    const written = await resolveAll(connection, observations.decide(stored));
    for (const group of byTypeAndVersion(written)) {
      await deps.objects.upsert(connection.workspaceId, group[0]!.type, group.map((d) => d.data as StoredObject), group[0]!.version);
    }
    await storeParticipants(connection.workspaceId, written.filter((d) => d.type.type === 'customer'));
    await recomputeTouched(connection, written);
    await reportEndpointVersion(connection, events);
    const [uninstalled] = observations.deauthorizations;
    if (uninstalled) await deps.disconnect(connection.id, uninstalled);
  };
}

export type EventApplier = ReturnType<typeof createEventApplier>;
