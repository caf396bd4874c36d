import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { connections } from './connections.js';
import { workspaces } from './workspaces.js';

/**
 * The workspace's copy of the Stripe objects its metrics and segments are computed from, trimmed
 * to the fields the rules read (never payment data). `version` orders writes: a backfill page
 * or an event never overwrites a copy observed later than itself.
 */
export const stripeObjects = pgTable(
  'stripe_objects',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    type: text('type').notNull(),
    customerId: text('customer_id'),
    created: bigint('created', { mode: 'number' }).notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    /** Milliseconds: when Stripe's state was observed (page fetch time or event.created). */
    version: bigint('version', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('stripe_objects_customer_idx').on(t.workspaceId, t.customerId),
    // Only the catalog is ever read by type (CatalogLookupType in object-store.ts); indexing every
    // invoice and customer by type cost the backfill an index entry per row no query used.
    index('stripe_objects_catalog_idx').on(t.workspaceId, t.type).where(sql`type in ('product', 'price', 'coupon')`),
  ],
);

/** One slice of a list: `created` bounds (seconds) and how far it has been read. */
export interface RangeCursor {
  gte?: number;
  lt?: number;
  /** The last id handed out in this range (the next page starts after it). */
  startingAfter?: string;
  /**
   * That object's `created`: should Stripe no longer take it as a cursor (deleted meanwhile: 400
   * resource_missing), the range goes on from this second instead. Absent in checkpoints older than it.
   */
  cursorCreated?: number;
  /**
   * The ids of this range read so far that were created in that second, the cursor's included:
   * Stripe's order within one second is its own, so going on from the second means skipping these.
   */
  cursorSecond?: string[];
  /**
   * An old slice given to whichever reader takes it first: `pending` until then, `search` once a
   * search reader has it (Stripe's Search API, a budget of its own). A search page's order is not
   * documented, so a search slice has no position to resume from: a resumed run reads it again
   * from its start, taking back the `counted` objects it had counted.
   */
  via?: 'pending' | 'search';
  counted?: number;
  done: boolean;
}

export interface SyncCursor {
  done: boolean;
  /** The connection may not read this type: the step was skipped (and the status says so). */
  skipped?: boolean;
  /** Set once the first page showed the list is long: the rest, split by `created`, read in parallel. */
  ranges?: RangeCursor[];
  /** With search reads: ranges ending by then may be read through the Search API (its index lags writes). */
  searchBefore?: number;
}

/** One backfill or resync of a connection: its checkpoints and counts, so a killed run resumes. */
export const syncRuns = pgTable(
  'sync_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    status: text('status').$type<'running' | 'succeeded' | 'failed'>().notNull().default('running'),
    cursors: jsonb('cursors').$type<Record<string, SyncCursor>>().notNull().default({}),
    counts: jsonb('counts').$type<Record<string, number>>().notNull().default({}),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('sync_runs_connection_idx').on(t.connectionId, t.startedAt)],
);
