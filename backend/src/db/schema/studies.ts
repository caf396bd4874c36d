import { sql } from 'drizzle-orm';
import { bigint, foreignKey, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces.js';

export const INVITE_STATUSES = ['queued', 'sent', 'failed'] as const;
export type InviteStatus = (typeof INVITE_STATUSES)[number];
export type DeliveryOutcome = 'sent' | 'temporary' | 'permanent';

/** A research study: what participants are invited to. */
export const studies = pgTable(
  'studies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    /** `https://…{token}…`; null: the link is `INTERVIEW_BASE_URL/i/<token>`. */
    interviewUrlTemplate: text('interview_url_template'),
    /** Milliseconds, like the API's cursors. */
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('studies_workspace_created_idx').on(t.workspaceId, t.createdAt, t.id)],
);

/**
 * One participant invited to one study, identified by the pair. A launch writes up to 100,000
 * rows in one statement, so what the insert maintains is kept to the minimum: the primary key
 * (one invite per participant), the address index (one outstanding invite per address) and the
 * launch-order index. The indexes used by delivery are empty at launch: retries only hold
 * invites already attempted, tokens are set when an invite is sent.
 *
 * No foreign keys: a foreign key checks each inserted row with a query of its own, a fifth of a
 * launch. The reference to the study is kept by two statement-level triggers instead (migration
 * 0009, drizzle cannot declare them): `invites_require_study` checks and locks (`for key share`,
 * as a foreign key would) the studies of all the rows a statement inserted, in one query;
 * `studies_delete_invites` deletes the invites of deleted studies (a workspace's, too). The
 * participant is not referenced at all (checking it would double the launch time).
 *
 * The token itself is never stored: it is an HMAC of the invite's identity, rebuilt when the
 * email is sent; `token_hash` (SHA-256 of it) resolves a link back to its invite.
 */
export const invites = pgTable(
  'invites',
  {
    workspaceId: uuid('workspace_id').notNull(),
    /** A study (not a foreign key, see above). */
    studyId: uuid('study_id').notNull(),
    /** A participant of the same workspace (not a foreign key, see above). */
    participantId: uuid('participant_id').notNull(),
    /** Launch order, highest priority first within a launch: list order and delivery order. */
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity({ cache: 1000 }),
    /** The segment whose launch created the invite. */
    segmentId: uuid('segment_id'),
    /** The address invited (trimmed), the name and the revenue the participant had then. */
    email: text('email').notNull(),
    name: text('name'),
    mrr: bigint('mrr', { mode: 'number' }).notNull().default(0),
    currency: text('currency'),
    status: text('status').$type<InviteStatus>().notNull().default('queued'),
    /** Delivery attempts started (a claim counts one). */
    attempts: integer('attempts').notNull().default(0),
    /** When a queued invite may be tried again: after a backoff, or when a worker's lease ends. */
    dueAt: timestamp('due_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    tokenHash: text('token_hash'),
    /** Which ENCRYPTION_KEY the token was derived with, so a key rotation can still rebuild it. */
    tokenKeyId: text('token_key_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    failedAt: timestamp('failed_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.studyId, t.participantId] }),
    // Two participants sharing an address get one invite between them, unless it failed. Byte
    // comparison ("C"): equality is the same in every deterministic collation, and cheaper.
    uniqueIndex('invites_study_email_idx').on(t.studyId, sql`(lower(${t.email}) collate "C")`).where(sql`status <> 'failed'`),
    index('invites_study_seq_idx').on(t.studyId, t.seq),
    index('invites_retry_idx').on(t.studyId, t.dueAt).where(sql`status = 'queued' and attempts > 0`),
    uniqueIndex('invites_token_hash_idx').on(t.tokenHash).where(sql`token_hash is not null`),
  ],
);

/** Every delivery attempt of an invite, with the SMTP server's answer. */
export const inviteAttempts = pgTable(
  'invite_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull(),
    studyId: uuid('study_id').notNull(),
    participantId: uuid('participant_id').notNull(),
    attempt: integer('attempt').notNull(),
    outcome: text('outcome').$type<DeliveryOutcome>().notNull(),
    smtpCode: integer('smtp_code'),
    message: text('message'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    foreignKey({ name: 'invite_attempts_invite_fk', columns: [t.studyId, t.participantId], foreignColumns: [invites.studyId, invites.participantId] }).onDelete('cascade'),
    index('invite_attempts_invite_idx').on(t.studyId, t.participantId, t.attempt),
  ],
);
