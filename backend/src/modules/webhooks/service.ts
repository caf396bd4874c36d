import type { FastifyBaseLogger } from 'fastify';
import type { ConnectionRepository } from '../connections/repository.js';
import type { EventApplier } from './apply.js';
import { createEventIntake } from './intake.js';
import { coalescePerKey } from './jobs.js';
import { handlerFor, trimmedObject, type PendingEvent } from './handlers.js';
import type { ConnectionForEvents, WebhookEventInsert, WebhookRepository } from './repository.js';
import { verifyStripeEvent, type VerifiedEvent } from './signature.js';

export interface WebhookServiceDeps {
  repository: WebhookRepository;
  connections: Pick<ConnectionRepository, 'findById'>;
  apply: EventApplier;
  /** Makes sure an apply job for the connection is queued (one queued and one running at most). */
  wake(connectionId: string): Promise<void>;
  /** Recounts the workspace's segment totals from the memberships the applied events changed. */
  refreshTotals(workspaceId: string): Promise<void>;
  secrets: readonly string[];
  logger: FastifyBaseLogger;
}

export type IgnoreReason = 'unhandled_type' | 'no_account' | 'unknown_account' | 'connection_disconnected' | 'connection_unclaimed' | 'livemode_mismatch';

export type Receipt = { outcome: 'accepted' } | { outcome: 'duplicate' } | { outcome: 'ignored'; reason: IgnoreReason };

/** Events applied per batch: one catalog load and one statement per kind of write for all of them. */
const BATCH = 500;
/**
 * Least time from the start of one batch to the next while the drain keeps up. A batch pays a
 * dozen statements whatever its size: under a steady stream, fewer and larger batches leave the
 * CPU to the receiving side (on a small host they share), for at most this much extra lag.
 */
const BATCH_SPACING_MS = 200;
/** While a stream of events is being applied, segment totals lag the memberships by at most this much. */
const TOTALS_SPACING_MS = 1_000;
/** A drain that keeps finding work hands over to a fresh job after this long. */
const DRAIN_BUDGET_MS = 60_000;
/** How long an idle drain keeps looking before it ends (the next event then waits for a poll, up to 0.5 s). */
const LINGER_MS = 1_000;
const LINGER_STEP_MS = 50;
/** At most one wake-up send per connection this often (pg-boss polls every 0.5 s anyway). */
const NUDGE_SPACING_MS = 100;
/** How long a receiver trusts an account → connection match; the drain re-checks the connection anyway. */
const ROUTE_CACHE_MS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Which connection an event belongs to, or why it is ignored. */
export function routeEvent(event: Pick<VerifiedEvent, 'type' | 'account' | 'livemode'>, known: ConnectionForEvents[]): { connection: ConnectionForEvents & { workspaceId: string } } | { reason: IgnoreReason } {
  if (!handlerFor(event.type)) return { reason: 'unhandled_type' };
  if (!event.account) return { reason: 'no_account' };
  const active = known.filter((c) => c.status !== 'disconnected');
  const match = active.find((c) => c.livemode === event.livemode);
  if (match) return match.workspaceId ? { connection: { ...match, workspaceId: match.workspaceId } } : { reason: 'connection_unclaimed' };
  if (active.length > 0) return { reason: 'livemode_mismatch' };
  return { reason: known.length > 0 ? 'connection_disconnected' : 'unknown_account' };
}

/**
 * Segment totals are a recount over the whole workspace, too heavy for every batch of a steady
 * stream. `refresh(true)` recounts whatever changed, `refresh(false)` only if the last recount is
 * older than TOTALS_SPACING_MS: the drain forces it when a batch is the last of a stream, so once
 * events stop coming, the totals are right by the time the events show as applied.
 */
export function segmentTotals(recount: (workspaceId: string) => Promise<void>, spacingMs = TOTALS_SPACING_MS) {
  let changed: string | undefined;
  let last = 0;
  return {
    changed(workspaceId: string) {
      changed = workspaceId;
    },
    async refresh(now: boolean) {
      if (!changed || (!now && Date.now() - last < spacingMs)) return;
      await recount(changed);
      changed = undefined;
      last = Date.now();
    },
  };
}

export function createWebhookService(deps: WebhookServiceDeps) {
  const { repository, logger } = deps;
  const insert = createEventIntake(repository);
  const routes = new Map<string, { connection: ConnectionForEvents & { workspaceId: string }; until: number }>();

  /** Only matches are cached: an account that connects is routed at once, one that disconnects is caught by the drain. */
  async function routeOf(event: VerifiedEvent): Promise<ReturnType<typeof routeEvent>> {
    if (!event.account || !handlerFor(event.type)) return routeEvent(event, []);
    const key = `${event.account}:${event.livemode}`;
    const cached = routes.get(key);
    if (cached && cached.until > Date.now()) return { connection: cached.connection };
    const route = routeEvent(event, await repository.connectionsForAccount(event.account));
    if ('connection' in route) routes.set(key, { connection: route.connection, until: Date.now() + ROUTE_CACHE_MS });
    else routes.delete(key);
    return route;
  }
  // Stored is what counts: if a wake-up is lost (a crash), the periodic sweep wakes the connection.
  const nudge = coalescePerKey(deps.wake, (error, connectionId) => logger.error({ err: error, connectionId }, 'could not queue the apply job'), NUDGE_SPACING_MS);

  /**
   * Applies a batch, or each of its events alone when the batch fails, so one bad event cannot
   * block the rest. Returns the ids applied (the caller settles them) and how many failed.
   */
  async function applyBatch(connection: Parameters<EventApplier>[0], events: (PendingEvent & { attempts: number })[]): Promise<{ applied: string[]; failed: number }> {
    try {
      await deps.apply(connection, events);
      return { applied: events.map((e) => e.id), failed: 0 };
    } catch (error) {
      if (events.length === 1) {
        logger.error({ err: error, connectionId: connection.id, event: events[0]!.id, type: events[0]!.type }, 'webhook event failed to apply');
        await repository.recordFailure([events[0]!.id], error instanceof Error ? error.message : String(error));
        return { applied: [], failed: 1 };
      }
      const outcome = { applied: [] as string[], failed: 0 };
      for (const event of events) {
        const one = await applyBatch(connection, [event]);
        outcome.applied.push(...one.applied);
        outcome.failed += one.failed;
      }
      return outcome;
    }
  }

  /**
   * Events left on a disconnected connection: if the account has been connected again (the
   * receiver's cache routed them to the old row), they move to the new connection; else ignored.
   */
  async function settleOrphans(connectionId: string, connection: Awaited<ReturnType<WebhookServiceDeps['connections']['findById']>>): Promise<void> {
    const known = connection ? await repository.connectionsForAccount(connection.stripeAccountId) : [];
    const replacement = known.find((c) => c.id !== connectionId && c.status !== 'disconnected' && c.livemode === connection?.livemode && c.workspaceId);
    if (replacement?.workspaceId) {
      if ((await repository.reassignPending(connectionId, { id: replacement.id, workspaceId: replacement.workspaceId })) > 0) await deps.wake(replacement.id);
      return;
    }
    await repository.ignorePending(connectionId, 'connection_disconnected');
  }

  return {
    /**
     * Verifies and stores one delivery. Returns once the event is durably stored (or known to be
     * a duplicate): the caller answers 2xx then, and an apply job, woken without waiting, does the work.
     */
    async receive(rawBody: Buffer, signature: string | undefined): Promise<Receipt> {
      const event = verifyStripeEvent(rawBody, signature, deps.secrets);
      const route = await routeOf(event);
      const base: WebhookEventInsert = { id: event.id, type: event.type, account: event.account, livemode: event.livemode, created: event.created, apiVersion: event.apiVersion, source: 'webhook', status: 'pending' };
      const row: WebhookEventInsert =
        'connection' in route
          ? { ...base, connectionId: route.connection.id, workspaceId: route.connection.workspaceId, object: trimmedObject(event) }
          : { ...base, status: 'ignored', reason: route.reason, processedAt: new Date() };
      if (!(await insert(row))) return { outcome: 'duplicate' };
      if (!('connection' in route)) {
        logger.info({ event: event.id, type: event.type, account: event.account, livemode: event.livemode, reason: route.reason }, 'webhook event ignored');
        return { outcome: 'ignored', reason: route.reason };
      }
      nudge(route.connection.id);
      return { outcome: 'accepted' };
    },

    /**
     * Applies the connection's pending events in batches, oldest first, until none is left. Only
     * one drain per connection runs at a time (the queue's singleton key).
     */
    async drain(connectionId: string): Promise<{ applied: number; failed: number }> {
      const started = Date.now();
      let applied = 0;
      let failed = 0;
      const totals = segmentTotals(deps.refreshTotals);
      for (;;) {
        const connection = await deps.connections.findById(connectionId);
        if (!connection?.workspaceId || connection.status === 'disconnected') {
          await totals.refresh(true);
          await settleOrphans(connectionId, connection);
          return { applied, failed };
        }
        let events = await repository.pending(connectionId, BATCH);
        if (events.length === 0) await totals.refresh(true);
        // A steady stream keeps arriving: stay a moment rather than wait for the queue's next poll.
        for (let idle = 0; events.length === 0 && idle < LINGER_MS; idle += LINGER_STEP_MS) {
          await sleep(LINGER_STEP_MS);
          events = await repository.pending(connectionId, BATCH);
        }
        if (events.length === 0) return { applied, failed };
        const batchStarted = Date.now();
        const outcome = await applyBatch({ ...connection, workspaceId: connection.workspaceId }, events);
        applied += outcome.applied.length;
        failed += outcome.failed;
        if (outcome.applied.length > 0) totals.changed(connection.workspaceId);
        const overBudget = Date.now() - started > DRAIN_BUDGET_MS;
        // Before the events show as applied: at once if they are all there is (or the drain stops here).
        await totals.refresh(outcome.failed > 0 || overBudget || !(await repository.hasPendingBeyond(connectionId, events.length)));
        await repository.settle(outcome.applied, 'applied');
        // Failed events are still pending: leave them to the job's retry and its backoff.
        if (outcome.failed > 0) throw new Error(`${outcome.failed} webhook event(s) of connection ${connectionId} failed to apply; retrying later`);
        if (overBudget) {
          await deps.wake(connectionId);
          return { applied, failed };
        }
        // A partial batch means the drain has caught up: let the next one gather for a moment.
        if (events.length < BATCH) await sleep(BATCH_SPACING_MS - (Date.now() - batchStarted));
      }
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
