import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { connections } from './connections.js';
import { workspaces } from './workspaces.js';

export type WebhookEventStatus = 'pending' | 'applied' | 'ignored' | 'failed';
/** How the event reached us: delivered by Stripe, or found by the catch-up listing of GET /v1/events. */
export type WebhookEventSource = 'webhook' | 'catch_up';

/**
 * Every verified Stripe event, stored by id before it is acknowledged: the primary key dedupes
 * redeliveries (and events found again by the catch-up), `pending` rows are the work queue of
 * their connection. `object` is the event's object trimmed by the registry (never payment data).
 */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    /** The connected account (`acct_…`); null for the platform's own events. */
    account: text('account'),
    livemode: boolean('livemode').notNull(),
    /** Unix seconds, Stripe's `event.created`. */
    created: bigint('created', { mode: 'number' }).notNull(),
    connectionId: uuid('connection_id').references(() => connections.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id').references(() => workspaces.id, { onDelete: 'cascade' }),
    object: jsonb('object').$type<Record<string, unknown> & { id: string }>(),
    source: text('source').$type<WebhookEventSource>().notNull().default('webhook'),
    status: text('status').$type<WebhookEventStatus>().notNull(),
    /** Why it was ignored, or the last error while applying it. */
    reason: text('reason'),
    attempts: integer('attempts').notNull().default(0),
    receivedAt: timestamp('received_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true, precision: 3 }),
    /** The version Stripe rendered the event in (`event.api_version`): the payload is read only in the pinned one. */
    apiVersion: text('api_version'),
  },
  (t) => [
    index('webhook_events_pending_idx').on(t.connectionId, t.created, t.id).where(sql`status = 'pending'`),
    index('webhook_events_received_idx').on(t.receivedAt),
  ],
);

/** Per connection: how far GET /v1/events has been read by the catch-up. */
export const webhookCatchUps = pgTable('webhook_catch_ups', {
  connectionId: uuid('connection_id')
    .primaryKey()
    .references(() => connections.id, { onDelete: 'cascade' }),
  /** Unix seconds: every event created before this was listed (the next run re-reads an overlap). */
  listedThrough: bigint('listed_through', { mode: 'number' }).notNull(),
  /** Events the last run found that had not been delivered. */
  lastFound: integer('last_found').notNull().default(0),
  lastError: text('last_error'),
  lastRunAt: timestamp('last_run_at', { withTimezone: true }).notNull().defaultNow(),
});
