import { and, asc, eq, lt, ne, sql } from 'drizzle-orm';
import { isAnyOf } from '../../db/any-of.js';
import type { Db } from '../../db/database.js';
import { connections, participants, stripeObjects, webhookCatchUps, webhookEvents, type WebhookEventSource } from '../../db/schema/index.js';
import type { StoredObject } from '../../stripe/registry.js';
import type { RecomputeTarget } from '../sync/recompute.js';
import type { PendingEvent } from './handlers.js';

export type WebhookEventInsert = typeof webhookEvents.$inferInsert;
export type ConnectionForEvents = Pick<typeof connections.$inferSelect, 'id' | 'workspaceId' | 'livemode' | 'status'>;

const MAX_ATTEMPTS = 8;

export function createWebhookRepository(db: Db) {
  /**
   * The receiver's hot path, prepared once per database connection: the rows travel as one JSON
   * parameter that PostgreSQL expands (json_populate_recordset), where a VALUES list with a
   * parameter per field costs the query builder, and a fresh parse and plan cost the server,
   * several times more per event. `insert … select` names every column in the table's order, so
   * the defaults of attempts and received_at are spelled out.
   */
  const intake = db
    .insert(webhookEvents)
    .select(
      sql`select id, type, account, livemode, created, connection_id, workspace_id, object, source, status, reason, 0, now(), processed_at, api_version
          from json_populate_recordset(null::webhook_events, ${sql.placeholder('rows')}::text::json)`,
    )
    .onConflictDoNothing({ target: webhookEvents.id })
    .returning({ id: webhookEvents.id })
    .prepare('webhook_events_intake');

  return {
    /** Every connection ever made to the account (either mode, any status): one indexed read per event. */
    async connectionsForAccount(stripeAccountId: string): Promise<ConnectionForEvents[]> {
      return db
        .select({ id: connections.id, workspaceId: connections.workspaceId, livemode: connections.livemode, status: connections.status })
        .from(connections)
        .where(eq(connections.stripeAccountId, stripeAccountId));
    },

    /** One statement for many events; ids already stored are left alone (redeliveries). Returns the ids inserted. */
    async insertMany(rows: WebhookEventInsert[]): Promise<Set<string>> {
      if (rows.length === 0) return new Set();
      const json = JSON.stringify(
        rows.map((r) => ({
          id: r.id,
          type: r.type,
          account: r.account,
          livemode: r.livemode,
          created: r.created,
          connection_id: r.connectionId,
          workspace_id: r.workspaceId,
          object: r.object,
          source: r.source ?? 'webhook',
          status: r.status,
          reason: r.reason,
          processed_at: r.processedAt?.toISOString(),
          api_version: r.apiVersion,
        })),
      );
      return new Set((await intake.execute({ rows: json })).map((r) => r.id));
    },

    /** Pending events of a connection that was replaced (the account reconnected elsewhere) move to the new one. */
    async reassignPending(fromConnectionId: string, to: { id: string; workspaceId: string }): Promise<number> {
      const moved = await db
        .update(webhookEvents)
        .set({ connectionId: to.id, workspaceId: to.workspaceId })
        .where(and(eq(webhookEvents.connectionId, fromConnectionId), eq(webhookEvents.status, 'pending')))
        .returning({ id: webhookEvents.id });
      return moved.length;
    },

    /** The connection's next events to apply, oldest first (ties by id, so a batch is deterministic). */
    async pending(connectionId: string, limit: number): Promise<(PendingEvent & { attempts: number })[]> {
      const rows = await db
        .select({
          id: webhookEvents.id,
          type: webhookEvents.type,
          created: webhookEvents.created,
          object: webhookEvents.object,
          apiVersion: webhookEvents.apiVersion,
          source: webhookEvents.source,
          attempts: webhookEvents.attempts,
        })
        .from(webhookEvents)
        .where(and(eq(webhookEvents.connectionId, connectionId), eq(webhookEvents.status, 'pending')))
        .orderBy(asc(webhookEvents.created), asc(webhookEvents.id))
        .limit(limit);
      return rows as (PendingEvent & { attempts: number })[];
    },

    /** Whether the connection has more than `count` pending events (more than the batch in hand). */
    async hasPendingBeyond(connectionId: string, count: number): Promise<boolean> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(db.select({ id: webhookEvents.id }).from(webhookEvents).where(and(eq(webhookEvents.connectionId, connectionId), eq(webhookEvents.status, 'pending'))).limit(count + 1).as('p'));
      return (row?.n ?? 0) > count;
    },

    async settle(ids: string[], status: 'applied' | 'ignored', reason: string | null = null): Promise<void> {
      if (ids.length === 0) return;
      await db.update(webhookEvents).set({ status, reason, processedAt: sql`now()` }).where(isAnyOf(webhookEvents.id, ids));
    },

    /** Counts a failed attempt; an event that keeps failing is set aside (`failed`) so it stops blocking. */
    async recordFailure(ids: string[], error: string): Promise<void> {
      if (ids.length === 0) return;
      await db
        .update(webhookEvents)
        .set({
          attempts: sql`${webhookEvents.attempts} + 1`,
          reason: error.slice(0, 1000),
          status: sql`case when ${webhookEvents.attempts} + 1 >= ${MAX_ATTEMPTS} then 'failed' else 'pending' end`,
          processedAt: sql`case when ${webhookEvents.attempts} + 1 >= ${MAX_ATTEMPTS} then now() else null end`,
        })
        .where(isAnyOf(webhookEvents.id, ids));
    },

    /** Pending events of a connection that can no longer be applied (it was disconnected meanwhile). */
    async ignorePending(connectionId: string, reason: string): Promise<void> {
      await db
        .update(webhookEvents)
        .set({ status: 'ignored', reason, processedAt: sql`now()` })
        .where(and(eq(webhookEvents.connectionId, connectionId), eq(webhookEvents.status, 'pending')));
    },

    /** The stored copies (version and data) of these objects. */
    async storedObjects(workspaceId: string, ids: string[]): Promise<Map<string, { version: number; data: StoredObject }>> {
      if (ids.length === 0) return new Map();
      const rows = await db
        .select({ id: stripeObjects.id, version: stripeObjects.version, data: stripeObjects.data })
        .from(stripeObjects)
        .where(and(eq(stripeObjects.workspaceId, workspaceId), isAnyOf(stripeObjects.id, ids)));
      return new Map(rows.map((r) => [r.id, { version: r.version, data: r.data as StoredObject }]));
    },

    /** Customers whose stored subscriptions use one of these products or prices (plan names, MRR). */
    async customersUsing(workspaceId: string, productIds: string[], priceIds: string[]): Promise<string[]> {
      if (productIds.length === 0 && priceIds.length === 0) return [];
      const products = sql`array[${sql.join([...productIds, ''].map((id) => sql`${id}`), sql`, `)}]::text[]`;
      const prices = sql`array[${sql.join([...priceIds, ''].map((id) => sql`${id}`), sql`, `)}]::text[]`;
      const rows = await db.execute(sql`
        select distinct o.customer_id from stripe_objects o
        where o.workspace_id = ${workspaceId} and o.type = 'subscription' and o.customer_id is not null
          and exists (
            select 1 from jsonb_array_elements(coalesce(o.data->'items'->'data', '[]'::jsonb)) item
            where item->'price'->>'id' = any(${prices})
               or coalesce(item->'price'->'product'->>'id', item->'price'->>'product') = any(${products}))`);
      return (rows as unknown as { rows: { customer_id: string }[] }).rows.map((r) => r.customer_id);
    },

    async recomputeTargets(workspaceId: string, customerIds: string[]): Promise<RecomputeTarget[]> {
      if (customerIds.length === 0) return [];
      return db
        .select({ id: participants.id, stripeCustomerId: participants.stripeCustomerId, deletedInStripe: participants.deletedInStripe })
        .from(participants)
        .where(and(eq(participants.workspaceId, workspaceId), isAnyOf(participants.stripeCustomerId, customerIds)));
    },

    /** Connections whose events are applied: linked to a workspace and not disconnected. */
    async activeConnections(): Promise<{ id: string }[]> {
      return db
        .select({ id: connections.id })
        .from(connections)
        .where(and(ne(connections.status, 'disconnected'), sql`${connections.workspaceId} is not null`));
    },

    /** Connections with events left pending longer than `seconds` (a lost wake-up, a crashed worker). */
    async connectionsWithStalePending(seconds: number): Promise<string[]> {
      const rows = await db
        .selectDistinct({ id: webhookEvents.connectionId })
        .from(webhookEvents)
        .where(and(eq(webhookEvents.status, 'pending'), lt(webhookEvents.receivedAt, sql`now() - make_interval(secs => ${seconds})`)));
      return rows.map((r) => r.id).filter((id): id is string => id !== null);
    },

    /** Settled events past Stripe's retention no longer dedupe anything. */
    async prune(days: number): Promise<void> {
      await db.delete(webhookEvents).where(and(ne(webhookEvents.status, 'pending'), lt(webhookEvents.receivedAt, sql`now() - make_interval(days => ${days})`)));
    },

    async catchUpCursor(connectionId: string) {
      const [row] = await db.select().from(webhookCatchUps).where(eq(webhookCatchUps.connectionId, connectionId));
      return row;
    },

    async saveCatchUp(connectionId: string, changes: { listedThrough?: number; lastFound?: number; lastError: string | null }): Promise<void> {
      const values = { connectionId, listedThrough: changes.listedThrough ?? 0, lastFound: changes.lastFound ?? 0, lastError: changes.lastError };
      await db
        .insert(webhookCatchUps)
        .values(values)
        .onConflictDoUpdate({
          target: webhookCatchUps.connectionId,
          set: {
            ...(changes.listedThrough !== undefined ? { listedThrough: changes.listedThrough } : {}),
            ...(changes.lastFound !== undefined ? { lastFound: changes.lastFound } : {}),
            lastError: changes.lastError,
            lastRunAt: sql`now()`,
          },
        });
    },

    async countBySource(connectionId: string, source: WebhookEventSource): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(webhookEvents)
        .where(and(eq(webhookEvents.connectionId, connectionId), eq(webhookEvents.source, source)));
      return row?.n ?? 0;
    },
  };
}

export type WebhookRepository = ReturnType<typeof createWebhookRepository>;
