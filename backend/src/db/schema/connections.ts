import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces.js';

export const CONNECTION_STATUSES = ['pending', 'syncing', 'segments_synced', 'complete', 'disconnected', 'needs_reauth'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];
export type ConnectionMode = 'oauth' | 'api_key';

export interface StatusMessage {
  code: string;
  message: string;
}

/**
 * One Stripe account (in one mode) linked to one workspace. Credentials are sealed with the
 * connection id as associated data. Rows survive a disconnect (credentials wiped) so that a
 * reconnect of the same account finds its participants again.
 */
export const connections = pgTable(
  'connections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Null while a Dashboard install waits to be claimed by a workspace. */
    workspaceId: uuid('workspace_id').references(() => workspaces.id, { onDelete: 'cascade' }),
    stripeAccountId: text('stripe_account_id').notNull(),
    livemode: boolean('livemode').notNull(),
    mode: text('mode').$type<ConnectionMode>().notNull(),
    status: text('status').$type<ConnectionStatus>().notNull().default('pending'),
    accessTokenSealed: text('access_token_sealed'),
    refreshTokenSealed: text('refresh_token_sealed'),
    accessTokenExpiresAt: timestamp('access_token_expires_at', { withTimezone: true }),
    apiKeySealed: text('api_key_sealed'),
    /** `rk_live_…abcd`: what the API shows instead of the key. */
    apiKeyHint: text('api_key_hint'),
    claimCodeHash: text('claim_code_hash'),
    /** The same code, sealed, so the Stripe App's settings view can show it again. */
    claimCodeSealed: text('claim_code_sealed'),
    claimExpiresAt: timestamp('claim_expires_at', { withTimezone: true }),
    statusMessages: jsonb('status_messages').$type<StatusMessage[]>().notNull().default([]),
    syncProgress: jsonb('sync_progress').$type<Record<string, number>>().notNull().default({}),
    lastError: text('last_error'),
    lastSyncStartedAt: timestamp('last_sync_started_at', { withTimezone: true }),
    lastSyncFinishedAt: timestamp('last_sync_finished_at', { withTimezone: true }),
    connectedAt: timestamp('connected_at', { withTimezone: true }).notNull().defaultNow(),
    disconnectedAt: timestamp('disconnected_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // A workspace holds one live connection at a time, and an account belongs to one workspace.
    uniqueIndex('connections_active_workspace_idx').on(t.workspaceId).where(sql`status <> 'disconnected'`),
    uniqueIndex('connections_active_account_idx').on(t.stripeAccountId, t.livemode).where(sql`status <> 'disconnected'`),
    index('connections_account_idx').on(t.stripeAccountId),
    uniqueIndex('connections_claim_code_idx').on(t.claimCodeHash),
  ],
);

/** Issued OAuth states: each may reach the callback once. */
export const oauthStates = pgTable('oauth_states', {
  nonce: text('nonce').primaryKey(),
  workspaceId: uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  livemode: boolean('livemode').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
});
