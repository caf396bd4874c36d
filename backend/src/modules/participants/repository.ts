import { and, asc, eq, gt, gte, inArray, lte, ne, sql, type SQL } from 'drizzle-orm';
import { isAnyOf } from '../../db/any-of.js';
import { analyzeSampled } from '../../db/analyze.js';
import type { Db } from '../../db/database.js';
import { recordset } from '../../db/recordset.js';
import { participants, segmentMembers } from '../../db/schema/index.js';
import type { StoredObject } from '../../stripe/registry.js';

export type ParticipantRow = typeof participants.$inferSelect;

export interface ParticipantMetricsUpdate {
  id: string;
  mrr: number;
  ltv: number;
  currency: string;
  plan: string | null;
  planProducts: string[];
  status: ParticipantRow['status'];
  lastSyncError: string | null;
}

export interface ListFilters {
  mrrMin?: number;
  mrrMax?: number;
  ltvMin?: number;
  ltvMax?: number;
  plan?: string;
  status?: ParticipantRow['status'][];
  source?: ParticipantRow['source'][];
  segmentId?: string;
  q?: string;
}

export type SortKey = 'created' | 'mrr' | 'ltv' | 'email';

export interface ListOptions {
  limit: number;
  sort?: SortKey;
  order?: 'asc' | 'desc';
  filters?: ListFilters;
  /** The last row of the previous page: its sort value (as `sortValue` gives it) and id. */
  after?: { value: string | number; id: string };
}

/** What the API, a CSV import or SSO may write on a participant. */
export interface ParticipantWrite {
  email?: string;
  name?: string | null;
  phone?: string | null;
  company?: string | null;
  groups?: string[];
  customFields?: Record<string, string>;
  ssoUid?: string | null;
  stripeCustomerId?: string | null;
  /** Guest customers only: figures Stripe cannot give. */
  mrr?: number;
  ltv?: number;
  currency?: string | null;
}

const STRIPE_ID = /^g?cus_[A-Za-z0-9]+$/;
/** Must match the expression of participants_workspace_email_idx exactly for the index to be used. */
const EMAIL_KEY = sql`(coalesce(lower(${participants.email}), '') collate "C")`;

const SORT_KEYS: Record<SortKey, { expr: SQL; param(value: string | number): SQL; value(row: ParticipantRow): string | number }> = {
  created: { expr: sql`${participants.createdAt}`, param: (v) => sql`${String(v)}::timestamptz`, value: (r) => r.createdAt.toISOString() },
  mrr: { expr: sql`${participants.mrr}`, param: (v) => sql`${Number(v)}::bigint`, value: (r) => r.mrr },
  ltv: { expr: sql`${participants.ltv}`, param: (v) => sql`${Number(v)}::bigint`, value: (r) => r.ltv },
  email: { expr: EMAIL_KEY, param: (v) => sql`(${String(v)}::text collate "C")`, value: (r) => (r.email ?? '').toLowerCase() },
};

/** The value a page cursor carries for `row` under `sort`. */
export const sortValue = (sort: SortKey, row: ParticipantRow) => SORT_KEYS[sort].value(row);

/** A key set to "" is removed. */
export function mergeCustomFields(current: Record<string, string>, given: Record<string, string>): Record<string, string> {
  const merged = { ...current };
  for (const [k, v] of Object.entries(given)) {
    if (v === '') delete merged[k];
    else merged[k] = v;
  }
  return merged;
}

const pick = <T extends object, K extends keyof T>(o: T, keys: K[]) => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as Pick<T, K>;

const BATCH = 500;
const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);

export function createParticipantRepository(db: Db) {
  return {
    /**
     * One participant per Stripe customer, matched on the customer id (so a reconnect updates
     * instead of duplicating). A row observed later than this page is left alone.
     */
    async upsertFromCustomers(workspaceId: string, customers: StoredObject[], version: number, tx: Db = db): Promise<void> {
      for (let i = 0; i < customers.length; i += BATCH) {
        const rows = customers.slice(i, i + BATCH).map((c) => ({
          stripe_customer_id: c.id,
          email: text(c.email),
          name: text(c.name),
          phone: text(c.phone),
          currency: text(c.currency),
          metadata: (c.metadata as Record<string, string> | undefined) ?? {},
          signup_at: new Date(Number(c.created) * 1000),
        }));
        // People linked by CSV, API or SSO keep the contact details they were given.
        await tx.execute(sql`
          insert into participants (workspace_id, source, stripe_customer_id, email, name, phone, currency, metadata, signup_at, stripe_version, deleted_in_stripe)
          select ${workspaceId}::uuid, 'stripe', r.stripe_customer_id, r.email, r.name, r.phone, r.currency, r.metadata, r.signup_at, ${version}::bigint, false
          from ${recordset(rows, 'r', 'stripe_customer_id text, email text, name text, phone text, currency text, metadata jsonb, signup_at timestamptz')}
          on conflict (workspace_id, stripe_customer_id) where stripe_customer_id is not null do update set
            email = case when participants.source = 'stripe' then excluded.email else coalesce(participants.email, excluded.email) end,
            name = case when participants.source = 'stripe' then excluded.name else coalesce(participants.name, excluded.name) end,
            phone = case when participants.source = 'stripe' then excluded.phone else coalesce(participants.phone, excluded.phone) end,
            currency = excluded.currency, metadata = excluded.metadata, signup_at = excluded.signup_at,
            stripe_version = excluded.stripe_version, deleted_in_stripe = false, updated_at = now()
          where participants.stripe_version is null or participants.stripe_version <= excluded.stripe_version`);
      }
    },

    /** Fresh planner statistics after a bulk load, of the columns the backfill's recompute looks rows up by. */
    async analyze(): Promise<void> {
      await analyzeSampled(db, 'participants', ['id', 'workspace_id', 'stripe_customer_id']);
    },

    /** Stripe-linked participants in id order, a page at a time (for recomputing everything). */
    async stripeLinkedPage(workspaceId: string, afterId: string | null, limit: number): Promise<Pick<ParticipantRow, 'id' | 'stripeCustomerId' | 'deletedInStripe'>[]> {
      return db
        .select({ id: participants.id, stripeCustomerId: participants.stripeCustomerId, deletedInStripe: participants.deletedInStripe })
        .from(participants)
        .where(and(eq(participants.workspaceId, workspaceId), sql`${participants.stripeCustomerId} is not null`, afterId ? gt(participants.id, afterId) : undefined))
        .orderBy(asc(participants.id))
        .limit(limit);
    },

    async byCustomerIds(workspaceId: string, customerIds: string[]) {
      if (customerIds.length === 0) return [];
      return db.select({ id: participants.id, stripeCustomerId: participants.stripeCustomerId }).from(participants).where(and(eq(participants.workspaceId, workspaceId), isAnyOf(participants.stripeCustomerId, customerIds)));
    },

    /** One statement per batch: UPDATE … FROM (VALUES …). */
    async updateMetrics(updates: ParticipantMetricsUpdate[]): Promise<void> {
      for (let i = 0; i < updates.length; i += BATCH) {
        const batch = updates.slice(i, i + BATCH);
        await db.execute(sql`
          update participants p set mrr = v.mrr, ltv = v.ltv, currency = coalesce(p.currency, v.currency), plan = v.plan,
            plan_products = v."planProducts", status = v.status, last_sync_error = v."lastSyncError",
            last_synced_at = now(), updated_at = now()
          from ${recordset(batch, 'v', 'id uuid, mrr bigint, ltv bigint, currency text, plan text, "planProducts" jsonb, status text, "lastSyncError" text')}
          where p.id = v.id`);
      }
    },

    /** The participant linked to this customer, created (source `stripe`) if there is none yet. */
    async ensureLinked(workspaceId: string, stripeCustomerId: string): Promise<string> {
      await db
        .insert(participants)
        .values({ workspaceId, source: 'stripe', stripeCustomerId })
        .onConflictDoNothing({ target: [participants.workspaceId, participants.stripeCustomerId], where: sql`stripe_customer_id is not null` });
      const [row] = await db
        .select({ id: participants.id })
        .from(participants)
        .where(and(eq(participants.workspaceId, workspaceId), eq(participants.stripeCustomerId, stripeCustomerId)));
      return row!.id;
    },

    /** A customer Stripe no longer has: recorded on the row, not thrown (the row may be imported data). */
    async markStripeOutcome(id: string, outcome: 'missing' | 'deleted'): Promise<void> {
      await db
        .update(participants)
        .set(
          outcome === 'missing'
            ? { lastSyncError: 'Customer not found in Stripe', lastSyncedAt: sql`now()`, updatedAt: sql`now()` }
            : { deletedInStripe: true, lastSyncError: null, lastSyncedAt: sql`now()`, updatedAt: sql`now()` },
        )
        .where(eq(participants.id, id));
    },

    async recordSyncError(id: string, message: string): Promise<ParticipantRow> {
      const [row] = await db.update(participants).set({ lastSyncError: message, updatedAt: sql`now()` }).where(eq(participants.id, id)).returning();
      return row!;
    },

    async find(workspaceId: string, id: string): Promise<ParticipantRow | undefined> {
      const [row] = await db.select().from(participants).where(and(eq(participants.workspaceId, workspaceId), eq(participants.id, id)));
      return row;
    },

    /**
     * One page of the listing: filters, then keyset pagination on (sort key, id) in either
     * direction. Each sort key has an index on (workspace_id, key, id) the page walks.
     */
    async list(workspaceId: string, options: ListOptions): Promise<ParticipantRow[]> {
      return this.listQuery(workspaceId, options);
    },

    /** The listing statement, unexecuted (the benchmark explains it). */
    listQuery(workspaceId: string, options: ListOptions) {
      const key = SORT_KEYS[options.sort ?? 'created'];
      const desc = options.order === 'desc';
      const f = options.filters ?? {};
      const after = options.after;
      const q = f.q?.trim();
      const prefix = q ? `${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
      return db
        .select()
        .from(participants)
        .where(
          and(
            eq(participants.workspaceId, workspaceId),
            f.mrrMin !== undefined ? gte(participants.mrr, f.mrrMin) : undefined,
            f.mrrMax !== undefined ? lte(participants.mrr, f.mrrMax) : undefined,
            f.ltvMin !== undefined ? gte(participants.ltv, f.ltvMin) : undefined,
            f.ltvMax !== undefined ? lte(participants.ltv, f.ltvMax) : undefined,
            f.plan !== undefined ? eq(participants.plan, f.plan) : undefined,
            f.status?.length ? inArray(participants.status, f.status) : undefined,
            f.source?.length ? inArray(participants.source, f.source) : undefined,
            f.segmentId
              ? inArray(participants.id, db.select({ id: segmentMembers.participantId }).from(segmentMembers).where(eq(segmentMembers.segmentId, f.segmentId)))
              : undefined,
            q && STRIPE_ID.test(q)
              ? eq(participants.stripeCustomerId, q)
              : prefix
                ? sql`(${EMAIL_KEY} like ${prefix} or (lower(${participants.name}) collate "C") like ${prefix})`
                : undefined,
            after ? (desc ? sql`(${key.expr}, ${participants.id}) < (${key.param(after.value)}, ${after.id}::uuid)` : sql`(${key.expr}, ${participants.id}) > (${key.param(after.value)}, ${after.id}::uuid)`) : undefined,
          ),
        )
        .orderBy(...(desc ? [sql`${key.expr} desc`, sql`${participants.id} desc`] : [sql`${key.expr} asc`, sql`${participants.id} asc`]))
        .limit(options.limit);
    },

    /** Participants whose email matches case-insensitively, oldest first (the one a match picks). */
    async byEmails(workspaceId: string, emails: string[]): Promise<ParticipantRow[]> {
      if (emails.length === 0) return [];
      const lowered = [...new Set(emails.map((e) => e.toLowerCase()))];
      const rows: ParticipantRow[] = [];
      for (let i = 0; i < lowered.length; i += BATCH) {
        const batch = lowered.slice(i, i + BATCH);
        rows.push(...(await db.select().from(participants).where(and(eq(participants.workspaceId, workspaceId), sql`${EMAIL_KEY} in (${sql.join(batch.map((e) => sql`${e}`), sql`, `)})`)).orderBy(asc(participants.createdAt), asc(participants.id))));
      }
      return rows;
    },

    async bySsoUids(workspaceId: string, uids: string[]): Promise<ParticipantRow[]> {
      const rows: ParticipantRow[] = [];
      for (let i = 0; i < uids.length; i += BATCH) {
        rows.push(...(await db.select().from(participants).where(and(eq(participants.workspaceId, workspaceId), inArray(participants.ssoUid, uids.slice(i, i + BATCH))))));
      }
      return rows;
    },

    async byStripeIds(workspaceId: string, ids: string[]): Promise<Pick<ParticipantRow, 'id' | 'stripeCustomerId'>[]> {
      const rows: Pick<ParticipantRow, 'id' | 'stripeCustomerId'>[] = [];
      for (let i = 0; i < ids.length; i += BATCH) rows.push(...(await this.byCustomerIds(workspaceId, ids.slice(i, i + BATCH))));
      return rows;
    },

    /** Who else in the workspace already holds this Stripe id or SSO uid (a 422 before a unique violation). */
    async conflicts(workspaceId: string, values: { stripeCustomerId?: string | null; ssoUid?: string | null }, exceptId?: string): Promise<{ field: 'stripe_customer_id' | 'sso_uid'; id: string }[]> {
      const found: { field: 'stripe_customer_id' | 'sso_uid'; id: string }[] = [];
      const other = exceptId ? ne(participants.id, exceptId) : undefined;
      if (values.stripeCustomerId) {
        const [row] = await db.select({ id: participants.id }).from(participants).where(and(eq(participants.workspaceId, workspaceId), eq(participants.stripeCustomerId, values.stripeCustomerId), other));
        if (row) found.push({ field: 'stripe_customer_id', id: row.id });
      }
      if (values.ssoUid) {
        const [row] = await db.select({ id: participants.id }).from(participants).where(and(eq(participants.workspaceId, workspaceId), eq(participants.ssoUid, values.ssoUid), other));
        if (row) found.push({ field: 'sso_uid', id: row.id });
      }
      return found;
    },

    async insert(workspaceId: string, values: ParticipantWrite & { source: ParticipantRow['source']; email: string }, tx: Db = db): Promise<ParticipantRow> {
      const [row] = await tx
        .insert(participants)
        .values({ workspaceId, ...values, customFields: mergeCustomFields({}, values.customFields ?? {}), groups: values.groups ?? [] })
        .returning();
      return row!;
    },

    /**
     * Writes the given fields. A changed Stripe id resets the Stripe-derived figures and segment
     * memberships: the sync that follows fills them from the new customer (a guest keeps what it is given).
     */
    async update(workspaceId: string, current: ParticipantRow, values: ParticipantWrite, tx: Db = db): Promise<ParticipantRow> {
      const relinked = values.stripeCustomerId !== undefined && values.stripeCustomerId !== current.stripeCustomerId;
      const set: Partial<typeof participants.$inferInsert> = { ...values, updatedAt: new Date() };
      if (values.customFields) set.customFields = mergeCustomFields(current.customFields, values.customFields);
      if (relinked) {
        Object.assign(set, { mrr: 0, ltv: 0, plan: null, planProducts: [], status: 'none', lastSyncError: null, lastSyncedAt: null, deletedInStripe: false, stripeVersion: null }, pick(values, ['mrr', 'ltv', 'currency']));
        await tx.delete(segmentMembers).where(eq(segmentMembers.participantId, current.id));
      }
      const [row] = await tx.update(participants).set(set).where(and(eq(participants.workspaceId, workspaceId), eq(participants.id, current.id))).returning();
      return row!;
    },
  };
}

export type ParticipantRepository = ReturnType<typeof createParticipantRepository>;
