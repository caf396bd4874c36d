import { sql } from 'drizzle-orm';
import { bigint, boolean, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces.js';

export type ParticipantSource = 'stripe' | 'csv' | 'api' | 'sso' | 'manual';
export type CustomerStatus = 'active' | 'trial' | 'churned' | 'none';

/**
 * A person a workspace can invite: one per Stripe customer, plus people linked to Stripe by CSV,
 * API, SSO or manual edit. Amounts are integers in the minor unit of `currency`.
 */
export const participants = pgTable(
  'participants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    source: text('source').$type<ParticipantSource>().notNull(),
    stripeCustomerId: text('stripe_customer_id'),
    email: text('email'),
    name: text('name'),
    phone: text('phone'),
    company: text('company'),
    groups: jsonb('groups').$type<string[]>().notNull().default([]),
    customFields: jsonb('custom_fields').$type<Record<string, string>>().notNull().default({}),
    /** The workspace's own user id for this person, from single sign-on (or a CSV / the API). */
    ssoUid: text('sso_uid'),
    currency: text('currency'),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull().default({}),
    mrr: bigint('mrr', { mode: 'number' }).notNull().default(0),
    ltv: bigint('ltv', { mode: 'number' }).notNull().default(0),
    plan: text('plan'),
    planProducts: jsonb('plan_products').$type<string[]>().notNull().default([]),
    status: text('status').$type<CustomerStatus>().notNull().default('none'),
    signupAt: timestamp('signup_at', { withTimezone: true }),
    deletedInStripe: boolean('deleted_in_stripe').notNull().default(false),
    /** Milliseconds: when the Stripe customer data on this row was observed (see stripe_objects.version). */
    stripeVersion: bigint('stripe_version', { mode: 'number' }),
    lastSyncedAt: timestamp('last_synced_at', { withTimezone: true }),
    lastSyncError: text('last_sync_error'),
    /** Millisecond precision, so a JavaScript Date in a page cursor matches the stored value exactly. */
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('participants_stripe_customer_idx').on(t.workspaceId, t.stripeCustomerId).where(sql`stripe_customer_id is not null`),
    index('participants_workspace_created_idx').on(t.workspaceId, t.createdAt, t.id),
    uniqueIndex('participants_sso_uid_idx').on(t.workspaceId, t.ssoUid).where(sql`sso_uid is not null`),
    // Listing: one index per sort key (a filter is checked while walking it), plus the filters
    // selective enough to be better served by their own index.
    index('participants_workspace_mrr_idx').on(t.workspaceId, t.mrr, t.id),
    index('participants_workspace_ltv_idx').on(t.workspaceId, t.ltv, t.id),
    // The email sort key, `q` prefix search and case-insensitive matching (CSV, SSO) share one
    // index: lowercase, collation "C" so that `like 'prefix%'` can use it whatever the database's.
    index('participants_workspace_email_idx').on(t.workspaceId, sql`(coalesce(lower(email), '') collate "C")`, t.id),
    index('participants_workspace_name_idx').on(t.workspaceId, sql`(lower(name) collate "C")`),
    index('participants_workspace_status_mrr_idx').on(t.workspaceId, t.status, t.mrr, t.id),
    index('participants_workspace_plan_mrr_idx').on(t.workspaceId, t.plan, t.mrr, t.id),
    index('participants_workspace_source_created_idx').on(t.workspaceId, t.source, t.createdAt, t.id),
  ],
);

/** A cohort derived from Stripe ("All customers", "Active subscribers", "Product: …"). */
export const segments = pgTable(
  'segments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    /** Stable identity across syncs: `all`, `active`, `trialing`, `churned`, `product:prod_…`. */
    key: text('key').notNull(),
    name: text('name').notNull(),
    participantCount: bigint('participant_count', { mode: 'number' }).notNull().default(0),
    mrrByCurrency: jsonb('mrr_by_currency').$type<Record<string, number>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('segments_workspace_key_idx').on(t.workspaceId, t.key)],
);

export const segmentMembers = pgTable(
  'segment_members',
  {
    segmentId: uuid('segment_id')
      .notNull()
      .references(() => segments.id, { onDelete: 'cascade' }),
    participantId: uuid('participant_id')
      .notNull()
      .references(() => participants.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.segmentId, t.participantId] }), index('segment_members_participant_idx').on(t.participantId)],
);

/** The HS256 secret a workspace signs single-sign-on tokens with, sealed at rest. */
export const ssoSecrets = pgTable('sso_secrets', {
  workspaceId: uuid('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  secretSealed: text('secret_sealed').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
