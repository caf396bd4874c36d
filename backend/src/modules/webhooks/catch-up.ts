import Stripe from 'stripe';
import type { FastifyBaseLogger } from 'fastify';
import { ConnectionUnusableError, type ConnectionCredentials } from '../connections/credentials.js';
import type { ConnectionRepository } from '../connections/repository.js';
import { withStripeRetry } from '../sync/stripe-retry.js';
import { handlerFor, trimmedObject } from './handlers.js';
import type { WebhookEventInsert, WebhookRepository } from './repository.js';

/** Stripe keeps events this long: older ones cannot be listed. */
export const EVENT_RETENTION_SECONDS = 30 * 24 * 3600;
/** Each listing re-reads this much before the previous one's end (clock skew, events committed late). */
export const OVERLAP_SECONDS = 300;
const INSERT_BATCH = 500;

export interface CatchUpDeps {
  repository: WebhookRepository;
  connections: Pick<ConnectionRepository, 'findById'>;
  credentials: ConnectionCredentials;
  wake(connectionId: string): Promise<void>;
  /** Queues a full resync: used when the gap is older than what Stripe still lists. */
  resync(connectionId: string): Promise<void>;
  logger: FastifyBaseLogger;
  now?: () => number;
}

export interface CatchUpResult {
  listed: number;
  found: number;
  resync: boolean;
  skipped?: string;
}

/**
 * Recovers missed deliveries: lists GET /v1/events created since the connection's cursor (its
 * connection time at first, at most 30 days back) and stores the handled events that are not
 * stored yet, as pending events of the connection, so they go through the same dedupe and the same
 * handlers as delivered ones. A gap longer than Stripe's retention queues a full resync instead.
 */
export function createCatchUp(deps: CatchUpDeps) {
  const now = deps.now ?? Date.now;

  return async function catchUp(connectionId: string): Promise<CatchUpResult> {
    const connection = await deps.connections.findById(connectionId);
    if (!connection?.workspaceId || connection.status === 'disconnected') return { listed: 0, found: 0, resync: false, skipped: 'not connected' };
    const startedAt = Math.floor(now() / 1000);
    const cursor = await deps.repository.catchUpCursor(connectionId);
    const since = cursor?.listedThrough ?? Math.floor(connection.connectedAt.getTime() / 1000);
    const oldestListable = startedAt - EVENT_RETENTION_SECONDS + 60;
    let from = since - OVERLAP_SECONDS;
    const resync = from < oldestListable && cursor !== undefined;
    if (from < oldestListable) from = oldestListable;

    let stripe: Stripe;
    try {
      stripe = await deps.credentials.stripeFor(connection);
    } catch (error) {
      if (!(error instanceof ConnectionUnusableError)) throw error;
      await deps.repository.saveCatchUp(connectionId, { lastError: error.message });
      return { listed: 0, found: 0, resync: false, skipped: error.message };
    }
    if (resync) {
      deps.logger.warn({ connectionId, since }, 'events were missed for longer than Stripe keeps them: queuing a full resync');
      await deps.resync(connectionId);
    }

    let listed = 0;
    let found = 0;
    let rows: WebhookEventInsert[] = [];
    const flush = async () => {
      found += (await deps.repository.insertMany(rows)).size;
      rows = [];
    };
    try {
      let startingAfter: string | undefined;
      for (;;) {
        const page = await withStripeRetry(() => stripe.events.list({ created: { gte: from }, limit: 100, ...(startingAfter ? { starting_after: startingAfter } : {}) }));
        for (const event of page.data) {
          listed += 1;
          if (!handlerFor(event.type)) continue;
          const object = event.data.object as unknown as Record<string, unknown> & { id: string };
          rows.push({
            id: event.id,
            type: event.type,
            // Listed with the connection's own credentials: the event is the connected account's.
            account: connection.stripeAccountId,
            livemode: event.livemode,
            created: event.created,
            // Listed events keep the version they were created in (the account's default then),
            // whatever version the listing asks for: the same rule as deliveries applies to them.
            apiVersion: event.api_version,
            source: 'catch_up',
            status: 'pending',
            connectionId,
            workspaceId: connection.workspaceId,
            object: trimmedObject({ type: event.type, object }),
          });
        }
        if (rows.length >= INSERT_BATCH) await flush();
        if (!page.has_more || page.data.length === 0) break;
        startingAfter = page.data.at(-1)!.id;
      }
      await flush();
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeError) || error instanceof Stripe.errors.StripeAPIError || error instanceof Stripe.errors.StripeConnectionError) throw error;
      // A key without event_read, or access revoked: nothing to list; scheduled resyncs still run.
      await flush();
      await deps.repository.saveCatchUp(connectionId, { lastFound: found, lastError: `events cannot be listed: ${error.message}` });
      if (found > 0) await deps.wake(connectionId);
      return { listed, found, resync, skipped: error.message };
    }
    await deps.repository.saveCatchUp(connectionId, { listedThrough: startedAt, lastFound: found, lastError: null });
    if (found > 0) {
      deps.logger.info({ connectionId, found, listed }, 'catch-up found events that were not delivered');
      await deps.wake(connectionId);
    }
    return { listed, found, resync };
  };
}

export type CatchUp = ReturnType<typeof createCatchUp>;

/** The periodic pass: a catch-up per connection, a wake-up for events left pending, old rows pruned. */
export function createCatchUpTick(deps: { repository: WebhookRepository; queueCatchUp(connectionId: string): Promise<void>; wake(connectionId: string): Promise<void> }) {
  return async function tick(): Promise<void> {
    for (const connection of await deps.repository.activeConnections()) await deps.queueCatchUp(connection.id);
    for (const connectionId of await deps.repository.connectionsWithStalePending(30)) await deps.wake(connectionId);
    await deps.repository.prune(EVENT_RETENTION_SECONDS / 86_400 + 5);
  };
}
