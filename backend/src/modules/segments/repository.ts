import { and, asc, eq, sql } from 'drizzle-orm';
import { isAnyOf } from '../../db/any-of.js';
import type { Db } from '../../db/database.js';
import { recordset } from '../../db/recordset.js';
import { segmentMembers, segments } from '../../db/schema/index.js';

export type SegmentRow = typeof segments.$inferSelect;

export interface Membership {
  participantId: string;
  key: string;
}

/** Segments every Stripe connection gets, besides one per product. */
export const STANDARD_SEGMENTS = [
  { key: 'all', name: 'All customers' },
  { key: 'active', name: 'Active subscribers' },
  { key: 'trialing', name: 'Trialing' },
  { key: 'churned', name: 'Churned' },
] as const;

export const productSegmentKey = (productId: string) => `product:${productId}`;

export function createSegmentRepository(db: Db) {
  return {
    /** Creates missing Stripe-derived segments and renames product segments whose product was renamed. */
    async ensureStripeSegments(workspaceId: string, products: { id: string; name: string }[]): Promise<void> {
      const rows = [
        ...STANDARD_SEGMENTS.map((s) => ({ workspaceId, key: s.key, name: s.name })),
        ...products.map((p) => ({ workspaceId, key: productSegmentKey(p.id), name: `Product: ${p.name}` })),
      ];
      await db
        .insert(segments)
        .values(rows)
        .onConflictDoUpdate({ target: [segments.workspaceId, segments.key], set: { name: sql`excluded.name`, updatedAt: sql`now()` }, setWhere: sql`${segments.name} <> excluded.name` });
    },

    /** Replaces these participants' memberships with the given ones, in one transaction. */
    async replaceMemberships(workspaceId: string, participantIds: string[], memberships: Membership[]): Promise<void> {
      if (participantIds.length === 0) return;
      await db.transaction(async (tx) => {
        await tx.delete(segmentMembers).where(isAnyOf(segmentMembers.participantId, participantIds, 'uuid'));
        if (memberships.length === 0) return;
        await tx.execute(sql`
          insert into segment_members (segment_id, participant_id)
          select s.id, v."participantId" from ${recordset(memberships, 'v', '"participantId" uuid, key text')}
          join segments s on s.workspace_id = ${workspaceId} and s.key = v.key
          on conflict do nothing`);
      });
    },

    /** Recounts every segment of the workspace: participants and total MRR per currency. */
    async refreshTotals(workspaceId: string): Promise<void> {
      await db.execute(sql`
        with per_currency as (
          select m.segment_id, p.currency, count(*) as n, sum(p.mrr) as mrr
          from segment_members m
          join participants p on p.id = m.participant_id
          join segments s on s.id = m.segment_id
          where s.workspace_id = ${workspaceId}
          group by m.segment_id, p.currency
        ), totals as (
          select segment_id, sum(n)::bigint as n,
            jsonb_object_agg(currency, mrr) filter (where currency is not null and mrr > 0) as mrr
          from per_currency group by segment_id
        )
        update segments s set participant_count = coalesce(t.n, 0), mrr_by_currency = coalesce(t.mrr, '{}'::jsonb), updated_at = now()
        from segments s0 left join totals t on t.segment_id = s0.id
        where s.id = s0.id and s0.workspace_id = ${workspaceId}`);
    },

    async list(workspaceId: string): Promise<SegmentRow[]> {
      return db.select().from(segments).where(eq(segments.workspaceId, workspaceId)).orderBy(asc(segments.createdAt), asc(segments.key));
    },

    async find(workspaceId: string, id: string): Promise<SegmentRow | undefined> {
      const [row] = await db.select().from(segments).where(and(eq(segments.workspaceId, workspaceId), eq(segments.id, id)));
      return row;
    },
  };
}

export type SegmentRepository = ReturnType<typeof createSegmentRepository>;
