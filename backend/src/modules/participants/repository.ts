import { and, asc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
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

const BATCH = 500;
const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);

export function createParticipantRepository(db: Db) {
  return {
    /**
     * One participant per Stripe customer, matched on the customer id (so a reconnect updates
     * instead of duplicating). A row observed later than this page is left alone.
     */
    async upsertFromCustomers(workspaceId: string, customers: StoredObject[], version: number): Promise<void> {
      for (let i = 0; i < customers.length; i += BATCH) {
        const rows = customers.slice(i, i + BATCH).map((c) => ({
          workspaceId,
          source: 'stripe' as const,
          stripeCustomerId: c.id,
          email: text(c.email),
          name: text(c.name),
          phone: text(c.phone),
          currency: text(c.currency),
          metadata: (c.metadata as Record<string, string> | undefined) ?? {},
          signupAt: new Date(Number(c.created) * 1000),
          stripeVersion: version,
          deletedInStripe: false,
        }));
        await db
          .insert(participants)
          .values(rows)
          .onConflictDoUpdate({
            target: [participants.workspaceId, participants.stripeCustomerId],
            targetWhere: sql`stripe_customer_id is not null`,
            set: {
              // People linked by CSV, API or SSO keep the contact details they were given.
              email: sql`case when ${participants.source} = 'stripe' then excluded.email else coalesce(${participants.email}, excluded.email) end`,
              name: sql`case when ${participants.source} = 'stripe' then excluded.name else coalesce(${participants.name}, excluded.name) end`,
              phone: sql`case when ${participants.source} = 'stripe' then excluded.phone else coalesce(${participants.phone}, excluded.phone) end`,
              currency: sql`excluded.currency`,
              metadata: sql`excluded.metadata`,
              signupAt: sql`excluded.signup_at`,
              stripeVersion: sql`excluded.stripe_version`,
              deletedInStripe: sql`false`,
              updatedAt: sql`now()`,
            },
            setWhere: sql`${participants.stripeVersion} is null or ${participants.stripeVersion} <= excluded.stripe_version`,
          });
      }
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
      return db.select({ id: participants.id, stripeCustomerId: participants.stripeCustomerId }).from(participants).where(and(eq(participants.workspaceId, workspaceId), inArray(participants.stripeCustomerId, customerIds)));
    },

    /** One statement per batch: UPDATE … FROM (VALUES …). */
    async updateMetrics(updates: ParticipantMetricsUpdate[]): Promise<void> {
      for (let i = 0; i < updates.length; i += BATCH) {
        const batch = updates.slice(i, i + BATCH);
        const values = sql.join(
          batch.map((u) => sql`(${u.id}::uuid, ${u.mrr}::bigint, ${u.ltv}::bigint, ${u.currency}, ${u.plan}, ${JSON.stringify(u.planProducts)}::jsonb, ${u.status}, ${u.lastSyncError})`),
          sql`, `,
        );
        await db.execute(sql`
          update participants p set mrr = v.mrr, ltv = v.ltv, currency = coalesce(p.currency, v.currency), plan = v.plan,
            plan_products = v.plan_products, status = v.status, last_sync_error = v.last_sync_error,
            last_synced_at = now(), updated_at = now()
          from (values ${values}) as v(id, mrr, ltv, currency, plan, plan_products, status, last_sync_error)
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

    async find(workspaceId: string, id: string): Promise<ParticipantRow | undefined> {
      const [row] = await db.select().from(participants).where(and(eq(participants.workspaceId, workspaceId), eq(participants.id, id)));
      return row;
    },

    /** Keyset pagination on (created_at, id): stable while rows are added. */
    async list(workspaceId: string, options: { after?: { createdAt: Date; id: string }; limit: number; segmentId?: string }): Promise<ParticipantRow[]> {
      const after = options.after;
      return db
        .select()
        .from(participants)
        .where(
          and(
            eq(participants.workspaceId, workspaceId),
            after ? or(gt(participants.createdAt, after.createdAt), and(eq(participants.createdAt, after.createdAt), gt(participants.id, after.id))) : undefined,
            options.segmentId
              ? inArray(participants.id, db.select({ id: segmentMembers.participantId }).from(segmentMembers).where(eq(segmentMembers.segmentId, options.segmentId)))
              : undefined,
          ),
        )
        .orderBy(asc(participants.createdAt), asc(participants.id))
        .limit(options.limit);
    },
  };
}

export type ParticipantRepository = ReturnType<typeof createParticipantRepository>;
